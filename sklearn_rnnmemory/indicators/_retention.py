"""Token retention and the retention curve (DESIGN 3.4, 3.5).

With ``mu`` the mean point of all known tokens of the evaluated windows,

    a_{t,p} = 1 - <S_t - S^_t, e_p - mu> / (w_{t,p} * ||e_p - mu||^2),   p <= t.
"""

import functools
import warnings

import numpy as np

from .._composition import check_composition, compose, composition_weights
from .._sequences import check_sequences, valid_steps

# Relative size of ||e_p - mu||^2 below which a token carries no semantics of
# its own beyond the token distribution, and is skipped.
_SKIP_RTOL = 1e-12
# ||e - mu||^2 below this share of ||e||^2 + ||mu||^2: computed from e - mu,
# because the expansion ||e||^2 - 2<e, mu> + ||mu||^2 would cancel (it loses
# at most a factor 1 / _CLOSE of relative precision elsewhere).
_CLOSE = 0.25


def _float_type(X):
    """float32 arrays stay float32 (half the memory traffic); all else float64."""
    return np.float32 if getattr(X, "dtype", None) == np.float32 else np.float64


def _check_pair(points, predicted):
    points = check_sequences(points, name="points", dtype=_float_type(points))
    predicted = check_sequences(
        predicted, name="predicted", dtype=_float_type(predicted)
    )
    if predicted.shape != points.shape:
        raise ValueError(
            f"predicted must have the shape of points {points.shape}; got "
            f"{predicted.shape}."
        )
    valid = valid_steps(points)
    missing = valid & np.isnan(predicted).all(axis=2)
    if missing.any():
        i, t = np.argwhere(missing)[0]
        raise ValueError(
            f"predicted[{i}, {t}] is NaN where points holds a valid token; the "
            "model's semantic points must be defined at every valid step."
        )
    return points, predicted, valid


def _known_sums(flat, squared, known):
    total = known.ravel().astype(flat.dtype) @ flat
    return total, int(known.sum()), float(squared[known].sum())


def token_sums(points):
    """Sums over the known tokens of NaN-padded points: ``(sum e, count,
    sum ||e||^2)``. Known tokens are valid steps whose point is not zero."""
    valid = ~np.isnan(points[..., 0])
    if not valid.all():
        points = np.where(valid[..., None], points, 0.0)
    squared = np.einsum("ntd,ntd->nt", points, points)
    flat = points.reshape(-1, points.shape[2])
    return _known_sums(flat, squared, valid & (squared > 0))


def token_statistics(sums):
    """``mu`` and the mean ``||e_p - mu||^2`` of the known tokens, from the
    (possibly added-up) :func:`token_sums` of the evaluated points."""
    total, n_known, sum_squared = sums
    if not n_known:
        raise ValueError(
            "points holds no known token (every valid step is a zero point); "
            "token retention is undefined."
        )
    mu = total / n_known
    # mean ||e - mu||^2 = mean ||e||^2 - ||mu||^2 over the known tokens
    return mu, sum_squared / n_known - float(mu @ mu)


class _RetentionTerms:
    """What every retention-based indicator needs, computed once per call.

    The final-step quantities never materialise ``S_t`` for every step, nor
    ``e_p - mu``: ``||e_p - mu||^2`` and ``<e_p - mu, r>`` are expanded into
    products of the points themselves, and recomputed from ``e_p - mu`` for
    the tokens that lie close to ``mu``, where the expansion would lose digits.
    """

    def __init__(
        self, points, predicted, composition, *, checked=False, token_stats=None
    ):
        check_composition(composition)
        if checked:
            valid = ~np.isnan(points[..., 0])
        else:
            points, predicted, valid = _check_pair(points, predicted)
        self.composition = composition
        self.valid = valid
        self.lengths = valid.sum(axis=1)
        dtype = np.result_type(points.dtype, np.float32)
        if valid.all():
            self.points = points.astype(dtype, copy=False)
        else:
            self.points = np.where(valid[..., None], points, 0.0).astype(
                dtype, copy=False
            )
        self.predicted = predicted
        squared = np.einsum("ntd,ntd->nt", self.points, self.points)
        # Zero points (unknown tokens under handle_unknown="ignore") are skipped.
        known = valid & (squared > 0)
        if token_stats is None:
            flat = self.points.reshape(-1, self.points.shape[2])
            token_stats = token_statistics(_known_sums(flat, squared, known))
        mu, scale = token_stats
        self.mu = mu.astype(dtype)
        mu_squared = self.mu @ self.mu
        norm2 = squared - 2 * (self.points @ self.mu) + mu_squared
        # Where ||e - mu||^2 is small against ||e||^2 + ||mu||^2 the expansion
        # cancels; those tokens get e - mu itself.
        self.close = known & (norm2 <= _CLOSE * (squared + mu_squared))
        if self.close.any():
            centred = self.points[self.close] - self.mu
            norm2[self.close] = np.einsum("kd,kd->k", centred, centred)
        self.retained = known & (norm2 > _SKIP_RTOL * max(scale, 1e-300))
        self.norm2 = np.where(self.retained, norm2, 1.0)

    def _last_index(self):
        return np.arange(len(self.lengths)), np.maximum(self.lengths - 1, 0)

    @functools.cached_property
    def last_semantics(self):
        """``S_T`` at each window's last valid step, ``(n, d)``."""
        weight = composition_weights(np.maximum(self.lengths, 1), self.composition)
        return self.points.sum(axis=1) * weight[:, None].astype(self.points.dtype)

    def last_predicted(self):
        """``S^_T`` at each window's last valid step, ``(n, d)``."""
        return np.nan_to_num(self.predicted[self._last_index()])

    def final_step(self):
        """a_{T,p} as ``(n, T)``, NaN where undefined."""
        residual = (self.last_semantics - self.last_predicted()).astype(
            self.points.dtype, copy=False
        )
        weight = composition_weights(np.maximum(self.lengths, 1), self.composition)
        # <e_p - mu, r> = <e_p, r> - <mu, r>, exact for the tokens close to mu
        projection = (
            np.matmul(self.points, residual[:, :, None])[..., 0]
            - (residual @ self.mu)[:, None]
        )
        if self.close.any():
            window, step = np.nonzero(self.close)
            projection[window, step] = np.einsum(
                "kd,kd->k", self.points[window, step] - self.mu, residual[window]
            )
        a = 1.0 - projection / (weight[:, None] * self.norm2)
        return np.where(self.retained, a, np.nan)

    def all_steps(self):
        """a_{t,p} as ``(n, T, T)``, NaN where undefined or ``p > t``."""
        semantics = compose(
            np.where(self.valid[..., None], self.points, np.nan), self.composition
        )
        residual = np.nan_to_num(semantics - self.predicted)
        centred = np.where(self.retained[..., None], self.points - self.mu, 0.0)
        n_steps = np.arange(1, residual.shape[1] + 1)
        weight = composition_weights(n_steps, self.composition)
        projection = np.einsum("ntd,npd->ntp", residual, centred)
        a = 1.0 - projection / (weight[None, :, None] * self.norm2[:, None, :])
        steps = np.arange(residual.shape[1])
        defined = (
            self.retained[:, None, :]
            & (self.lengths[:, None, None] > steps[None, :, None])
            & (steps[None, None, :] <= steps[None, :, None])
        )
        return np.where(defined, a, np.nan)


def _nanmean(a, axis):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.nanmean(a, axis=axis)


def _by_lag(a, lengths):
    """Re-index final-step retention ``(n, T)`` by lag ``T_i - 1 - p``."""
    width = int(lengths.max()) if lengths.size else 0
    lags = np.arange(width)
    position = lengths[:, None] - 1 - lags[None, :]
    by_lag = np.take_along_axis(a[:, :width], np.maximum(position, 0), axis=1)
    return np.where(position >= 0, by_lag, np.nan)


def token_retention(points, predicted, *, composition="sum", full=False):
    """Retention of each token's semantics in the model's semantic point.

    ``a_{t,p} = 1 - <S_t - S^_t, e_p - mu> / (w_{t,p} ||e_p - mu||^2)``, where
    ``S_t`` composes the points ``e_1..e_t``, ``S^_t`` is the model's point
    and ``mu`` the mean point of all known tokens in ``points``. 1 means token
    ``p``'s semantics is fully present in ``S^_t``; 0 means no more than the
    token distribution alone gives; a negative value means it is distorted.

    Parameters
    ----------
    points : array-like of shape (n, T, d) or (n, T)
        Semantic points ``e_p`` of the evaluated windows, NaN-padded at the end.
    predicted : array-like of shape (n, T, d) or (n, T)
        The model's semantic points ``S^_t``; must be finite at every valid step.
    composition : {"sum", "mean"}, default="sum"
        How a sequence's semantics is composed from its tokens' points.
    full : bool, default=False
        If False, return ``a_{T,p}`` at each window's last valid step ``T``;
        if True, return ``a_{t,p}`` for every step ``t``.

    Returns
    -------
    retention : ndarray of shape (n, T), or (n, T, T) if ``full``
        ``retention[i, p]`` (or ``retention[i, t, p]``). NaN at padding, for
        ``p > t``, and for skipped tokens: zero points (unknown tokens) and
        points equal to ``mu``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory.indicators import token_retention
    >>> points = np.eye(3)[[[0, 1, 2]]]          # one window of three tokens
    >>> perfect = np.cumsum(points, axis=1)      # S^_t = S_t
    >>> token_retention(points, perfect).round(6)
    array([[1., 1., 1.]])
    """
    terms = _RetentionTerms(points, predicted, composition)
    return terms.all_steps() if full else terms.final_step()


def retention_curve(points, predicted, *, composition="sum"):
    """Mean retention ``r(delta)`` of the token ``delta`` steps back.

    ``r(delta)`` is the mean over windows of ``a_{T,T-delta}``, taken at each
    window's last valid step ``T``; windows shorter than ``delta + 1`` do not
    count for that lag.

    Parameters
    ----------
    points : array-like of shape (n, T, d) or (n, T)
        Semantic points ``e_p`` of the evaluated windows, NaN-padded at the end.
    predicted : array-like of shape (n, T, d) or (n, T)
        The model's semantic points ``S^_t``.
    composition : {"sum", "mean"}, default="sum"
        How a sequence's semantics is composed from its tokens' points.

    Returns
    -------
    curve : ndarray of shape (T_max,)
        ``curve[delta]`` for ``delta = 0 .. T_max - 1``, ``T_max`` the longest
        window. NaN at a lag where no token is defined.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory.indicators import retention_curve
    >>> points = np.eye(4)[[[0, 1, 2, 3], [3, 2, 1, 0]]]
    >>> retention_curve(points, np.cumsum(points, axis=1)).round(6)
    array([1., 1., 1., 1.])
    """
    terms = _RetentionTerms(points, predicted, composition)
    return _nanmean(_by_lag(terms.final_step(), terms.lengths), axis=0)
