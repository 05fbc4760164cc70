"""The memory span (definitions §3.5, version 3): how many lags are held, and
from which lag on.

For a level ``s`` of credit, the lags held at level ``s`` are those whose
credit exceeds ``s``. The span is the number of lags held, averaged over
levels ``s`` drawn log-uniformly from ``[t^{3/2}, t^{1/2}]`` around the
threshold ``t`` (for ``t = 0.5``: from 0.354 to 0.707, one halving of credit).
Each lag therefore counts

    phi(c) = clip(1/2 + ln(c / t) / ln(1 / t), 0, 1)

of itself: 0 below ``t^{3/2}``, 1 above ``t^{1/2}``, one half at the threshold.
``span_start`` is the first lag held at level ``s``, averaged over the levels
at which any lag is held.

Why this form. A lag fully held or fully forgotten counts 1 or 0, so keeping
the last ``m`` tokens gives ``m``, a band of lags its width and a delay its
length, exactly. The count moves continuously with the retention (a Lipschitz
function of the credits, at most ``1 / (t^{3/2} ln(1/t))``, 4.1 at ``t = 0.5``,
per unit of credit of any one lag), so no lag's credit crossing the threshold
makes it jump. Averaging levels on a log scale makes decay ``lambda^delta`` count
the lags ``delta`` with ``lambda^delta > s`` for ``ln s`` centred on ``ln t``:
``ln t / ln lambda`` plus at most one, the lag where the credit falls to ``t``.
Flat below ``t^{3/2}`` and above ``t^{1/2}``, the count ignores estimation noise of
a forgotten lag (below 0.354) and of a kept one (credit above 0.707): the span is
computed on the credits of every lag, without the significance test behind the
capacity, which would make it jump.
"""

from __future__ import annotations

import numpy as np

from .._typing import ArrayLike
from .._validation import check_threshold
from ._capacity import credit


def _weights(credits, threshold):
    """How much each lag counts toward the span: ``phi(credit)``, in ``[0, 1]``.

    At ``threshold = 1`` the ramp has no width: a lag counts where its credit
    is 1.
    """
    if threshold >= 1.0:
        return (credits >= 1.0).astype(float)
    with np.errstate(divide="ignore"):
        ramp = 0.5 + np.log(credits / threshold) / np.log(1.0 / threshold)
    return np.clip(ramp, 0.0, 1.0)


def memory_span(retention: ArrayLike, *, threshold: float = 0.5) -> tuple[float, float]:
    """How many lags a retention curve holds, and the lag they start at.

    Every lag counts ``clip(1/2 + ln(c / threshold) / ln(1 / threshold), 0, 1)``
    of itself, ``c`` being its credit ``max(0, 1 - |1 - r|)``: 1 where fully
    held, 0 where forgotten (or distorted), one half at the threshold. The span
    is the sum, the number of lags whose credit exceeds a level ``s`` averaged
    over levels drawn log-uniformly between ``threshold^{3/2}`` and
    ``threshold^{1/2}``; the start is the first such lag, averaged over the
    levels at which there is one (definitions §3.5).

    Parameters
    ----------
    retention : array-like of shape (T,)
        ``r(delta)`` for ``delta = 0 .. T - 1``; NaN (a lag not identified)
        counts 0.
    threshold : float in (0, 1], default=0.5
        The credit at which a lag counts one half.

    Returns
    -------
    span : float
        In ``[0, T]``: ``m`` for a model that keeps the last ``m`` tokens, the
        width of a band of kept lags, between ``ln(threshold) / ln(lambda)`` and
        one more for decay ``lambda^delta``.
    start : float
        0 for a model that keeps the last tokens, ``a`` for a band of lags
        ``a .. b``; NaN where the span is 0.

    Examples
    --------
    >>> from sklearn_rnnmemory.indicators import memory_span
    >>> memory_span([0.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    (3.0, 2.0)
    >>> memory_span([0.5] * 4)
    (2.0, 0.0)
    """
    threshold = check_threshold(threshold)
    credits = credit(retention)
    if credits.ndim != 1:
        raise ValueError(
            f"retention must be one curve, shape (T,); got shape {credits.shape}."
        )
    credits = np.nan_to_num(credits)
    span = float(_weights(credits, threshold).sum())
    # Lag delta is the first held at level s for s between the largest credit
    # before it and its own credit: the increments of phi of the running
    # maximum are the (log-uniform) measure of those levels.
    reached = _weights(np.maximum.accumulate(credits), threshold)
    if credits.size == 0 or not reached[-1] > 0:
        return span, float("nan")
    first = np.diff(reached, prepend=0.0)
    return span, float(np.arange(credits.size) @ first / reached[-1])
