"""Models whose memory is known, for checking memory indicators.

A *linear memory model* outputs, after reading ``e_1..e_t``,

    S^_t = w_t * sum_{delta=0}^{t-1} rho(delta) * e_{t-delta}  (+ the forgotten part)

so its retention of the token ``delta`` steps back is ``rho(delta)`` by
construction: keeping the last ``m`` tokens is ``rho = 1`` for ``delta < m``
and 0 beyond; exponential forgetting is ``rho = lam ** delta``; a model that
remembers nothing is ``rho = 0``; ``rho = 3`` over-responds. What it outputs in
place of what it forgot is a choice (zero, or the expected semantics of the
forgotten tokens), which an indicator must not mistake for memory.
"""

import numpy as np
from sklearn.utils import check_random_state

from ._composition import check_composition, composition_weights
from ._sequences import check_sequences, valid_steps

FORGOTTEN = ("zero", "expected")


def _lag_weights(retention, width):
    rho = np.zeros(width)
    given = np.asarray(retention, dtype=float).ravel()[:width]
    rho[: given.size] = given
    return rho


def linear_memory_model(
    points,
    retention,
    *,
    composition="sum",
    forgotten="zero",
    noise=0.0,
    random_state=None,
):
    """Output of a model that retains the token ``delta`` steps back by
    ``retention[delta]``.

    Parameters
    ----------
    points : array-like of shape (n, T, d) or (n, T)
        Token points of the windows, NaN-padded at the end.
    retention : array-like of float
        ``rho(delta)`` for ``delta = 0, 1, ...``; lags beyond its length are
        forgotten (``rho = 0``).
    composition : {"sum", "mean"}, default="sum"
        The weights ``w_t`` (1, or ``1 / t``).
    forgotten : {"zero", "expected"}, default="zero"
        What the model outputs for the share ``1 - rho(delta)`` of each token it
        does not keep: nothing, or the mean point of all tokens (so that a
        model with ``rho = 0`` outputs the expected semantics ``w_t t mu``).
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to every coordinate of the
        output at every valid step.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise.

    Returns
    -------
    predicted : ndarray of shape (n, T, d)
        ``S^_t``, NaN at padding.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory.testing import linear_memory_model
    >>> points = np.eye(3)[[[0, 1, 2]]]
    >>> linear_memory_model(points, [1.0, 0.5])[0, -1].tolist()
    [0.0, 0.5, 1.0]
    """
    check_composition(composition)
    if forgotten not in FORGOTTEN:
        raise ValueError(f"forgotten must be one of {FORGOTTEN}; got {forgotten!r}.")
    points = check_sequences(points, name="points")
    valid = valid_steps(points)
    filled = np.where(valid[..., None], points, 0.0)
    n, width, d = points.shape
    rho = _lag_weights(retention, width)
    predicted = np.zeros_like(filled)
    for delta in np.flatnonzero(rho):
        predicted[:, delta:] += rho[delta] * filled[:, : width - delta]
    if forgotten == "expected":
        mu = filled[valid].mean(axis=0)
        lost = np.cumsum(1.0 - rho)  # sum of 1 - rho(delta) over delta < t
        predicted += lost[None, :, None] * mu
    weights = composition_weights(np.arange(1, width + 1), composition)
    predicted *= weights[None, :, None]
    if noise:
        predicted += check_random_state(random_state).normal(
            scale=noise, size=predicted.shape
        )
    predicted[~valid] = np.nan
    return predicted


def true_capacity(retention, window_length):
    """Memory capacity of a linear memory model over windows of ``T`` steps:
    ``sum_{delta < T} credit(rho(delta))``."""
    from .indicators import credit

    return float(credit(_lag_weights(retention, window_length)).sum())


def true_span(retention, window_length, threshold=0.5):
    """Memory span of a linear memory model: the first lag whose credit is
    below ``threshold``, or ``T``."""
    from .indicators import credit

    below = np.flatnonzero(credit(_lag_weights(retention, window_length)) < threshold)
    return int(below[0]) if below.size else int(window_length)


__all__ = ["linear_memory_model", "true_capacity", "true_span"]
