"""Memory capacity from the retention curve: credit, the lags retained, the
estimate and its interval (definitions §3.4b and §3.5).

The capacity is ``sum_delta credit(r(delta))``. Estimated from ``r^``, two
things bias it, and both are corrected here rather than covered by a wider
interval alone:

- *The significance gate.* Only lags whose retention is significantly above 0
  count, so that chance is not memory; lags too faint to pass are missing from
  the estimate (the interval's high end allows for them), and draws of
  ``r^`` pass the gate more often than ``r^`` itself (the interval reflects
  the draws about the estimate).
- *The kink of the credit at r = 1.* ``credit(r^)`` is ``1 - |r^ - 1|``: noise
  lowers it on average wherever ``r`` is close to 1, by ``0.8 se`` per lag at
  ``r = 1`` exactly, so a model that keeps every lag was under-counted by
  ``0.8 se T``. The distance ``|r - 1|`` is estimated instead by a smoothed
  ``|x|`` whose bias lies within ``+-0.341 se`` whatever ``r`` is (and
  vanishes six standard errors away from 1), and the interval adds that bound
  for every lag within six standard errors of 1.

The standard errors come with ``G - 1`` degrees of freedom (``G`` clusters):
the tests and the draws use Student's t.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.stats

from .._typing import ArrayLike

#: Draws of the retention curve behind the capacity's interval.
N_DRAWS = 2000
# Retention this close to 0 is rounding, not memory: a model whose output
# ignores a token gets 1e-17 there, with a standard error of the same size.
_ROUNDING = 1e-9
# The smoothed distance d(u) = |u| + a1 exp(-u^2 / 2 w1^2) + a2 exp(-u^2 / 2
# w2^2), u = (r^ - 1) / se, estimates |r - 1| / se: for u ~ N(mu, 1) its bias
# E d(u) - |mu| lies in [-0.3403, +0.3409] for every mu (at most 1.3e-4 from
# |mu| = 6 on). The constants minimise the largest bias over mu numerically;
# the plain |u| is biased by up to +0.80.
_BUMPS = ((2.289, 0.556), (-2.276, 0.952))
_BIAS_BOUND = 0.341
_NEAR = 6.0


def credit(retention: ArrayLike) -> np.ndarray:
    """Memory credit of a retention value: ``max(0, 1 - |1 - r|)``.

    1 for ``r = 1``; falling to 0 both as the token fades (``r -> 0``) and as
    the model over-responds to it (``r -> 2``): an amplified token is a
    distortion of the semantics, not more memory of it.

    Parameters
    ----------
    retention : float or array-like
        Retention values ``r``; NaN stays NaN.

    Returns
    -------
    credit : float or ndarray
        In ``[0, 1]``.

    Examples
    --------
    >>> from sklearn_rnnmemory.indicators import credit
    >>> credit([0.0, 0.5, 1.0, 1.5, 3.0]).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    try:
        retention = np.asarray(retention, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"retention must be a number or an array of numbers; got {retention!r}."
        ) from None
    return np.maximum(0.0, 1.0 - np.abs(1.0 - retention))


def corrected_credit(retention: np.ndarray, stderr: np.ndarray) -> np.ndarray:
    """``credit`` estimated from ``r^`` with the kink's bias corrected.

    ``1 - se d((r^ - 1) / se)`` with the smoothed distance ``d``; the plain
    credit where the standard error is 0 (a noise-free model stays exact).
    """
    stderr = np.broadcast_to(stderr, np.shape(retention))
    gap = np.abs(retention - 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(stderr > 0, gap / stderr, np.inf)
        bumps = sum(a * np.exp(-0.5 * (u / w) ** 2) for a, w in _BUMPS)
        distance = np.maximum(0.0, gap + np.where(stderr > 0, stderr * bumps, 0.0))
    return np.maximum(0.0, 1.0 - distance)


def _critical(share, df):
    """Upper ``share`` quantile of Student's t with ``df`` degrees of freedom
    (the normal's for ``df=None``)."""
    if df is None:
        return scipy.stats.norm.isf(share)
    return scipy.stats.t.isf(share, df)


def retained_lags(
    retention: np.ndarray, stderr: np.ndarray, alpha: float, df: int | None = None
) -> np.ndarray:
    """Lags whose retention is significantly above 0, along the last axis.

    One-sided t-tests of ``r(delta) > 0`` at level ``alpha`` (``df`` degrees of
    freedom; normal where None), made together over the lags by the
    Benjamini-Hochberg step-up rule: of the lags called retained, at most a
    share ``alpha`` are expected to be chance, however many lags a window has
    (tested one by one, a memoryless model would be credited ``alpha * T``
    chance lags).
    """
    retention = np.asarray(retention, dtype=float)
    stderr = np.broadcast_to(np.nan_to_num(stderr), retention.shape)
    tested = np.isfinite(retention)
    candidate = tested & (retention > _ROUNDING)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(stderr > 0, retention / stderr, np.inf)
    score = np.where(candidate, score, -np.inf)
    # p_(k) <= alpha k / m, in t-scores: the k-th largest score reaches the
    # quantile of 1 - alpha k / m (an exact, zero-error lag: +inf).
    m = max(int(tested.sum(axis=-1).max(initial=0)), 1)
    critical = _critical(alpha * np.arange(1, m + 1) / m, df)
    ordered = -np.sort(-score, axis=-1)[..., :m]
    passing = ordered >= critical
    count = np.where(
        passing.any(axis=-1), m - np.argmax(passing[..., ::-1], axis=-1), 0
    )
    cut = np.take_along_axis(ordered, np.maximum(count - 1, 0)[..., None], axis=-1)[
        ..., 0
    ]
    cut = np.where(count > 0, cut, np.inf)
    return candidate & (score >= cut[..., None])


@dataclass(frozen=True)
class CapacityEstimate:
    """The capacity, the lags behind it and its interval.

    Attributes
    ----------
    capacity : float
        Sum of the corrected credits of the retained lags.
    interval : tuple of float
        ``(low, high)``, within ``[0, T]`` and always holding ``capacity``.
    retained : ndarray of bool, shape (T,)
        Lags significantly above 0.
    """

    capacity: float
    interval: tuple[float, float]
    retained: np.ndarray


def estimate_capacity(
    retention: np.ndarray,
    covariance: np.ndarray,
    *,
    df: int | None,
    alpha: float,
    confidence: float,
    rng: np.random.RandomState,
) -> CapacityEstimate:
    """The capacity of a retention curve, with its ``confidence`` interval.

    Parameters
    ----------
    retention : ndarray of shape (T,)
        ``r^(delta)``; NaN at lags the windows do not identify.
    covariance : ndarray of shape (T, T)
        Covariance of ``r^``.
    df : int or None
        Degrees of freedom of the covariance (clusters - 1); None: normal.
    alpha : float
        Level of the tests behind the retained lags.
    confidence : float
        Level of the interval.
    rng : numpy.random.RandomState
        Source of the draws.

    Returns
    -------
    estimate : CapacityEstimate

    Notes
    -----
    Draws ``r* = r^ + t`` with ``t`` multivariate Student's t (``df``, scale
    ``covariance``) give the capacity's sampling spread. The interval is

    - low: ``2 C^ - q_hi(C*) - B``,
    - high: ``2 C^ - q_lo(C*) + B + U``,

    where ``C*`` are the draws' capacities (gated and credited as the
    estimate is, each lag near 1 centred on its own estimate, so the bias of
    the kink enters through ``B`` alone), ``B = 0.341 sum se`` over the
    retained lags within six standard errors of 1 (the largest bias the
    corrected credit can have there, in either direction), and ``U`` the
    upper confidence bound of the summed retention of the lags not retained
    (memory too faint to pass the test). Reflecting the draws about ``C^``
    corrects the gate's pull on them: a draw has twice ``r^``'s spread
    around the truth and so passes chance lags more often.
    """
    stderr = np.sqrt(np.maximum(np.diag(covariance), 0.0))
    identified = np.isfinite(retention)
    curve = np.nan_to_num(retention)
    held = retained_lags(retention, stderr, alpha, df)
    credits = np.where(held, corrected_credit(curve, stderr), 0.0)
    capacity = float(credits.sum())
    step = retention.shape[0]
    block = covariance[np.ix_(identified, identified)]
    if not np.any(block):  # noise-free: the estimate is exact
        return CapacityEstimate(capacity, (capacity, capacity), held)

    values, vectors = np.linalg.eigh(block)
    # The symmetric square root: unique, so rounding cannot rotate the draws.
    root = (vectors * np.sqrt(np.maximum(values, 0.0))) @ vectors.T
    shifts = rng.standard_normal((N_DRAWS, root.shape[1]))
    if df is not None:
        shifts /= np.sqrt(rng.chisquare(df, size=(N_DRAWS, 1)) / df)
    r, se, kept = curve[identified], stderr[identified], held[identified]
    draws = r + shifts @ root
    drawn_credits = corrected_credit(draws, se)
    near = kept & (np.abs(r - 1.0) < _NEAR * se)
    drawn_credits[:, near] += (credits[identified] - drawn_credits.mean(axis=0))[near]
    drawn = np.where(retained_lags(draws, se, alpha, df), drawn_credits, 0.0)
    drawn = drawn.sum(axis=1)
    tail = (1.0 - confidence) / 2
    low_draw, high_draw = np.quantile(drawn, [tail, 1.0 - tail])
    bias = _BIAS_BOUND * float(se[near].sum())
    low = 2.0 * capacity - high_draw - bias
    high = 2.0 * capacity - low_draw + bias
    faint = identified & ~held
    if faint.any():
        spread = np.sqrt(max(float(covariance[np.ix_(faint, faint)].sum()), 0.0))
        high += max(0.0, float(curve[faint].sum()) + _critical(tail, df) * spread)
    low = float(np.clip(low, 0.0, capacity))
    high = float(np.clip(high, capacity, step))
    return CapacityEstimate(capacity, (low, high), held)
