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

import numpy as np


def span_weights(credits: np.ndarray, threshold: float) -> np.ndarray:
    """How much each lag counts toward the span: ``phi(credit)``, in ``[0, 1]``.

    NaN credits (lags the windows do not identify) count 0. At ``threshold = 1``
    the ramp has no width: a lag counts where its credit is 1.
    """
    credits = np.maximum(np.nan_to_num(np.asarray(credits, dtype=float)), 0.0)
    if threshold >= 1.0:
        return (credits >= 1.0).astype(float)
    with np.errstate(divide="ignore"):
        ramp = 0.5 + np.log(credits / threshold) / np.log(1.0 / threshold)
    return np.clip(ramp, 0.0, 1.0)


def memory_span(credits: np.ndarray, threshold: float) -> tuple[float, float]:
    """The memory span and the lag it starts at, from every lag's credit.

    Parameters
    ----------
    credits : ndarray of shape (T,)
        ``credit(r(delta))`` for ``delta = 0 .. T - 1``, without the significance
        test; NaN counts 0.
    threshold : float in (0, 1]
        The credit at which a lag counts one half.

    Returns
    -------
    span : float
        ``sum_delta phi(credit(delta))``, in ``[0, T]``.
    start : float
        The first lag whose credit exceeds ``s``, averaged over the levels ``s``
        at which some lag does: the first lag of a band of held lags. NaN where
        no lag counts (``span = 0``).
    """
    credits = np.maximum(np.nan_to_num(np.asarray(credits, dtype=float)), 0.0)
    span = float(span_weights(credits, threshold).sum())
    # Lag delta is the first held at level s for s between the largest credit
    # before it and its own credit: the increments of phi of the running
    # maximum are the (log-uniform) measure of those levels.
    reached = span_weights(np.maximum.accumulate(credits), threshold)
    if credits.size == 0 or not reached[-1] > 0:
        return span, float("nan")
    first = np.diff(reached, prepend=0.0)
    return span, float(np.arange(credits.size) @ first / reached[-1])
