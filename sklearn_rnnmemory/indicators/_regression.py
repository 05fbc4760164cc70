"""Retention estimated across windows by joint least squares (definitions §3.4).

At a reading step ``t``, over the windows ``i`` that reach it,

    S^_{i,t} ~ c_t + sum_{delta=0}^{t-1} r_t(delta) w_t (e_{i,t-delta} - mu_{t,delta})

with one free intercept vector ``c_t`` and the token points centred per lag
(``mu_{t,delta}``: the mean point at that position over the same windows). An
unknown token is read as the zero point and enters as that point, centred like
any other: a model linear in what it reads is then accounted for exactly.
Because the regressors are centred, the intercept is the mean of ``S^_{i,t}``
and ``r_t`` solves the ``t x t`` normal equations ``G r = b``. ``G`` and ``b``
are sums over windows, accumulated chunk by chunk in float64 after dividing the
points and the model's points each by their largest magnitude (``r`` is
rescaled at the end), so memory stays bounded and points of any scale give the
same answer.

Standard errors come from the sandwich ``G^-1 (sum_i s_i s_i^T) G^-1`` with
``s_i`` window ``i``'s score (its centred points times its residual), which
holds for residuals that are heteroscedastic and correlated within a window.
"""

from dataclasses import dataclass

import numpy as np

from .._composition import composition_weights
from .._sequences import row_blocks

# Windows per chunk: bounds the float64 copies made while accumulating.
CHUNK = 1024
# Eigenvalues of G below this share of the largest are treated as zero:
# directions the windows do not identify (lags that always repeat each other).
_RCOND = 1e-10
# A position whose centred points are this small against the points
# themselves holds one token in every window (up to the rounding of the mean).
_CONSTANT = 1e-20
# The leave-one-cluster-out series of the covariance stops once a term changes
# the scores by less than this share of their size, or after _MAX_TERMS terms.
_SETTLED = 1e-7
_MAX_TERMS = 200
# Centred windows up to this size are kept between the two passes.
_KEEP_BYTES = 256 * 2**20


def chunks(n: int) -> list[slice]:
    """Slices of at most ``CHUNK`` windows covering ``range(n)``."""
    return row_blocks(n, CHUNK)


@dataclass(frozen=True)
class Retention:
    """The retention regression at one reading step.

    Attributes
    ----------
    step : int
        The reading step ``t`` (1-based).
    retention : ndarray of shape (t,)
        ``r_t(delta)`` for ``delta = 0 .. t-1``; NaN where the windows do not
        identify the lag (its token never varies).
    stderr : ndarray of shape (t,)
        Sandwich standard error of each ``r_t(delta)``.
    covariance : ndarray of shape (t, t)
        Sandwich covariance of ``r_t``, lags in the same order.
    n_windows : int
        Windows that reach step ``t``.
    n_clusters : int
        Independent units of the covariance among them: the windows, or their
        distinct groups.
    explained_share : float
        ``R^2`` of the regression: the share of the model's variance across
        windows (summed over coordinates) that the linear account by the
        tokens explains; NaN where the model's point does not vary.
    """

    step: int
    retention: np.ndarray
    stderr: np.ndarray
    covariance: np.ndarray
    n_windows: int
    n_clusters: int
    explained_share: float


def _centred(points, mu, scale):
    """``e / scale - mu`` in float64, ``(n, t, d)``; always a new array."""
    centred = np.array(points, dtype=np.float64)
    centred /= scale
    centred -= mu
    return centred


def _extreme(array):
    """Largest finite magnitude in ``array`` (0 if there is none)."""
    with np.errstate(invalid="ignore"):
        extreme = max(np.max(array, initial=0.0), -np.min(array, initial=0.0))
    if not np.isfinite(extreme):  # NaN or infinity: the slow, careful way
        array = np.abs(array)
        extreme = np.max(array, initial=0.0, where=np.isfinite(array))
    return float(extreme)


def _magnitude(array, rows, step):
    """Largest finite magnitude in ``array[rows, :step]`` (1 if there is none),
    read chunk by chunk."""
    largest = max(
        (_extreme(array[rows[chunk], :step]) for chunk in chunks(rows.size)),
        default=0.0,
    )
    return largest if largest > 0 else 1.0


def _position_means(points, rows, step, scale):
    """Mean point per position ``p < step`` over the windows ``rows`` (which
    all reach ``step``), divided by ``scale``, ``(step, d)``, in float64."""
    total = np.zeros((step, points.shape[2]))
    for chunk in chunks(rows.size):
        part = np.asarray(points[rows[chunk], :step], dtype=np.float64) / scale
        total += part.sum(axis=0)
    return total / rows.size


def _rescaled_covariance(covariance, factor):
    """``factor**2 * covariance``; refused where that overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        rescaled = covariance * (factor * factor)
    if not np.isfinite(rescaled).all():
        raise ValueError(
            f"The model's points are {factor:.1e} times the token points: the "
            "retention's covariance overflows float64. Rescale the model's output "
            "to the units of the semantic space."
        )
    return rescaled


def _identified(gram, n, weight, mu):
    """Lags whose centred points are more than rounding against the points:
    a position holding one token in every window is not identified."""
    spread = np.diag(gram)
    level = n * weight * weight * np.einsum("pd,pd->p", mu, mu)
    return spread > _CONSTANT * (spread + level)


def _solve(gram, rhs, identified):
    """Minimum-norm solution of ``G x = rhs`` and the pseudo-inverse of ``G``,
    over the identified lags (the others get 0)."""
    scale = np.sqrt(np.maximum(np.diag(gram), 0.0))
    # Equilibrate so that lags of very different variance are treated alike.
    safe = np.where(identified, scale, 1.0)
    scaled = gram / np.outer(safe, safe)
    scaled[~identified] = 0.0
    scaled[:, ~identified] = 0.0
    values, vectors = np.linalg.eigh(scaled)
    keep = values > _RCOND * max(values.max(initial=0.0), np.finfo(float).tiny)
    inverse_values = np.where(keep, 1.0 / np.where(keep, values, 1.0), 0.0)
    pinv = (vectors * inverse_values) @ vectors.T
    pinv = pinv / np.outer(safe, safe)
    pinv[~identified] = 0.0
    pinv[:, ~identified] = 0.0
    return pinv @ rhs, pinv


def _leave_one_out(scores, leverage):
    """Each cluster's score as if the cluster were left out of the fit.

    Leaving cluster ``g`` out moves the coefficients (the lags' and the
    intercept's) by ``(G - G_g)^+ s_g``, where ``G_g`` is the cluster's share of
    the Gram matrix ``G``; the score
    that moves them so through ``G^+`` is ``G (G - G_g)^+ s_g = (I - G_g
    G^+)^-1 s_g``, summed here as the series ``s_g + G_g G^+ s_g + ...``,
    which converges where no cluster alone identifies a lag (the floor on
    clusters sees to that). ``leverage(v)`` returns ``G_g G^+ v_g`` for every
    cluster.
    """
    current = scores
    size = np.linalg.norm(scores)
    for _ in range(_MAX_TERMS):
        following = scores + leverage(current)
        change = np.linalg.norm(following - current)
        current = following
        if not change > _SETTLED * size:
            break
    return current


def regress_last_step(
    points: np.ndarray,
    last_predicted: np.ndarray,
    composition: str,
    lengths: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> tuple["Retention", np.ndarray, np.ndarray]:
    """Retention at the last step ``T`` of the longest windows.

    Parameters
    ----------
    points : ndarray of shape (n, L, d)
        NaN-padded semantic points of the windows.
    last_predicted : ndarray of shape (n, d)
        The model's point ``S^_{i,T}`` of each window at step ``T``; read only
        for the windows that reach ``T`` (the others may hold NaN).
    composition : {"sum", "mean"}
        How a sequence's semantics is composed.
    lengths : ndarray of shape (n,), default=None
        Valid steps per window, if already known.
    groups : ndarray of shape (n,), default=None
        One label per window: the covariance is clustered by group rather
        than by window. Read only for the windows that reach ``T``.

    Returns
    -------
    retention : Retention
        At ``t = T``, the longest valid window length.
    rows : ndarray of int
        The windows that reach ``T``.
    semantics : ndarray of shape (len(rows), d)
        ``S_T`` of those windows, in float64.
    """
    if lengths is None:
        lengths = (~np.isnan(points[..., 0])).sum(axis=1)
    step = int(lengths.max())
    rows = np.flatnonzero(lengths == step)
    n, d = rows.size, points.shape[2]
    every = n == points.shape[0]
    slices = chunks(n)
    # Windows up to _KEEP_BYTES in float64 are converted, scaled and centred
    # once and kept for both passes; larger inputs are converted chunk by
    # chunk, twice.
    keep = n * step * d * 8 <= _KEEP_BYTES

    def window(chunk):
        return points[chunk if every else rows[chunk], :step]

    def lagged(chunk):
        """The windows of ``chunk`` as a new float64 array ``(T, m, d)``: lag
        first, so that ``(T, m * d)`` is a view and every product below is
        one BLAS call."""
        block = window(chunk).transpose(1, 0, 2)
        return np.array(block, dtype=np.float64, order="C")

    def scaled(chunk):
        block = lagged(chunk)
        block /= point_scale
        return block

    if keep:
        held = [lagged(chunk) for chunk in slices]
        point_scale = max(_extreme(part) for part in held) or 1.0
        for part in held:
            part /= point_scale
        mu = sum(part.sum(axis=1) for part in held) / n
        for part in held:
            part -= mu[:, None, :]
    else:
        held = None
        point_scale = _magnitude(points, rows, step)
        mu = sum(scaled(c).sum(axis=1) for c in slices) / n

    def centred(number):
        """``e / point_scale - mu`` of the windows of chunk ``number``,
        ``(T, m, d)``."""
        if held is not None:
            return held[number]
        part = scaled(slices[number])
        part -= mu[:, None, :]
        return part

    weight = float(composition_weights(step, composition))
    target = np.asarray(last_predicted[rows], dtype=np.float64)
    target_scale = _extreme(target) or 1.0
    target = target / target_scale
    target = target - target.mean(axis=0)
    # G, b and S_T without the weight w_T, which is applied once at the end.
    gram = np.zeros((step, step))
    rhs = np.zeros(step)
    semantics = np.empty((n, d))
    for number, chunk in enumerate(slices):
        flat = centred(number).reshape(step, -1)  # [lag, window * d]
        gram += flat @ flat.T
        rhs += flat @ target[chunk].ravel()
        # From the points as given, not from the centred ones: a window of
        # unknown tokens (zero points) has S_T = 0 exactly, not the rounding
        # of sum_p (e_p - mu_p) + sum_p mu_p (about 1e-16).
        semantics[chunk] = np.sum(window(chunk), axis=1, dtype=np.float64)
    gram *= weight * weight
    rhs *= weight
    semantics *= weight
    identified = _identified(gram, n, weight, mu)
    solution, pinv = _solve(gram, rhs, identified)

    if groups is None:
        codes = None
        n_clusters = n
    else:
        _, codes = np.unique(np.asarray(groups)[rows], return_inverse=True)
        n_clusters = int(codes.max()) + 1

    def add_by_cluster(total, chunk, values):
        """``total[cluster of each window of chunk] += values``, ``(m, T)``."""
        if codes is None:
            total[chunk] += values
        else:
            np.add.at(total, codes[chunk], values)

    # Each cluster's score for the lags (its centred points times its
    # residuals) and for the intercept (its residuals), side by side.
    scores = np.zeros((n_clusters, step + d))
    residual_sum = 0.0
    for number, chunk in enumerate(slices):
        part = centred(number)
        fitted = weight * (solution @ part.reshape(step, -1)).reshape(-1, d)
        residual = target[chunk] - fitted
        residual_sum += float(np.einsum("nd,nd->", residual, residual))
        lag_scores = weight * np.einsum("pnd,nd->np", part, residual)
        add_by_cluster(scores, chunk, np.concatenate([lag_scores, residual], axis=1))

    def leverage(vectors):
        """``G_g G^+ v_g`` for each cluster ``g``, over the lags and the
        intercept: ``G`` is block-diagonal (the points are centred), with
        ``n I`` for the intercept; ``G_g`` is the cluster's own share."""
        lags = of_cluster_all(vectors[:, :step] @ pinv)
        intercept = of_cluster_all(vectors[:, step:] / n)
        out = np.zeros_like(vectors)
        for number, chunk in enumerate(slices):
            part = centred(number)
            # The change of each window's fitted point, (m, d).
            moved = weight * np.einsum("pnd,np->nd", part, lags[chunk])
            moved += intercept[chunk]
            lag_part = weight * np.einsum("pnd,nd->np", part, moved)
            add_by_cluster(out, chunk, np.concatenate([lag_part, moved], axis=1))
        return out

    def of_cluster_all(values):
        """Each window's row of a per-cluster array, ``(n, ...)``."""
        return values if codes is None else values[codes]

    jackknifed = _leave_one_out(scores, leverage)[:, :step]
    total_sum = float(np.einsum("nd,nd->", target, target))
    # The model's points were divided by their largest magnitude: a total this
    # small is rounding of a point that does not vary across windows.
    varies = total_sum > _CONSTANT * n * d
    explained = 1.0 - residual_sum / total_sum if varies else float("nan")
    # The jackknife (CR3) covariance: each cluster's score as it would be
    # with the cluster left out of the fit, and the factor (G - 1) / G.
    meat = jackknifed.T @ jackknifed
    covariance = pinv @ meat @ pinv * ((n_clusters - 1) / n_clusters)
    factor = target_scale / point_scale
    solution = solution * factor
    covariance = _rescaled_covariance(covariance, factor)
    stderr = np.sqrt(np.maximum(np.diag(covariance), 0.0))
    # Positions p = 0..T-1 to lags delta = T-1-p.
    order = slice(None, None, -1)
    retention = Retention(
        step=step,
        retention=np.where(identified, solution, np.nan)[order],
        stderr=np.where(identified, stderr, np.nan)[order],
        covariance=covariance[order, order],
        n_windows=int(n),
        n_clusters=int(n_clusters),
        explained_share=explained,
    )
    return retention, rows, semantics


def regress_every_step(
    points: np.ndarray, predicted: np.ndarray, composition: str
) -> np.ndarray:
    """Retention ``r_t(t - p)`` at every reading step ``t``, one regression each.

    Parameters
    ----------
    points : ndarray of shape (n, L, d)
        NaN-padded semantic points of the windows.
    predicted : ndarray of shape (n, L, d)
        The model's points ``S^_{i,t}`` at every step; NaN at padding.
    composition : {"sum", "mean"}
        How a sequence's semantics is composed.

    Returns
    -------
    matrix : ndarray of shape (T, T)
        ``matrix[t-1, p-1] = r_t(t - p)`` for ``p <= t``; NaN above the diagonal
        and where a lag is not identified. ``T`` is the longest window length.
    """
    lengths = (~np.isnan(points[..., 0])).sum(axis=1)
    width = int(lengths.max())
    matrix = np.full((width, width), np.nan)
    steps = np.arange(1, width + 1)
    weights = composition_weights(steps, composition)
    # The windows reaching step t change only at the windows' lengths: one set
    # of statistics per distinct length covers every step up to it.
    previous = 0
    for length in np.unique(lengths[lengths > 0]):
        length = int(length)
        rows = np.flatnonzero(lengths >= length)
        point_scale = _magnitude(points, rows, length)
        target_scale = _magnitude(predicted, rows, length)
        mu = _position_means(points, rows, length, point_scale)
        gram = np.zeros((length, length))
        # cross[p, t] = sum_i <e_{i,p} - mu_p, S^_{i,t} - mean_i S^_{i,t}>
        cross = np.zeros((length, length))
        target_mean = np.zeros((length, points.shape[2]))
        for chunk in chunks(rows.size):
            index = rows[chunk]
            part = np.asarray(predicted[index, :length], np.float64) / target_scale
            target_mean += part.sum(axis=0)
        target_mean /= rows.size
        for chunk in chunks(rows.size):
            index = rows[chunk]
            centred = _centred(points[index, :length], mu, point_scale)
            flat = centred.transpose(1, 0, 2).reshape(length, -1)
            gram += flat @ flat.T
            target = np.asarray(predicted[index, :length], np.float64) / target_scale
            target -= target_mean
            cross += np.einsum("npd,ntd->pt", centred, target)
        for t in range(previous + 1, length + 1):
            w = weights[t - 1]
            identified = _identified(gram[:t, :t], rows.size, 1.0, mu[:t])
            solution, _ = _solve(w * w * gram[:t, :t], w * cross[:t, t - 1], identified)
            solution *= target_scale / point_scale
            matrix[t - 1, :t] = np.where(identified, solution, np.nan)
        previous = length
    return matrix
