"""Composition of a sequence's semantics from its tokens' points (definitions §3.2).

``S_t = sum_{p <= t} w_{t,p} e_p`` with ``sum`` (w = 1) or ``mean`` (w = 1/t).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

COMPOSITIONS = ("sum", "mean")


def check_composition(composition: Any) -> str:
    """Raise a ValueError unless ``composition`` is a known composition rule."""
    if composition not in COMPOSITIONS:
        raise ValueError(
            f"composition must be one of {COMPOSITIONS}; got {composition!r}."
        )
    return composition


def composition_weights(n_steps: ArrayLike, composition: str) -> np.ndarray:
    """Weights ``w_t`` of the tokens read up to step ``t`` (1-based ``t``).

    Parameters
    ----------
    n_steps : int or ndarray of int
        Number of tokens read, ``t``.
    composition : {"sum", "mean"}
        Composition rule.

    Returns
    -------
    w : float ndarray, shaped like ``n_steps``
        ``1`` for ``sum``, ``1 / t`` for ``mean``.
    """
    check_composition(composition)
    n_steps = np.asarray(n_steps, dtype=np.float64)
    if composition == "sum":
        return np.ones_like(n_steps)
    with np.errstate(divide="ignore"):
        return 1.0 / n_steps


def compose(
    points: np.ndarray, composition: str = "sum", *, padded: bool = True
) -> np.ndarray:
    """Semantic trajectory ``S_t`` of NaN-padded token points.

    Parameters
    ----------
    points : ndarray of shape (n, T, d)
        Token points ``e_p``, NaN at padding.
    composition : {"sum", "mean"}, default="sum"
        Composition rule.
    padded : bool, default=True
        ``False`` promises that ``points`` holds no NaN (no padding, or
        padding already zero-filled), which skips the search for it.

    Returns
    -------
    S : ndarray of shape (n, T, d), dtype of ``points``
        ``S_t`` at every step, NaN at padding.
    """
    check_composition(composition)
    if padded:
        nan = np.isnan(points)
        padding = nan.all(axis=2)
        S = np.cumsum(np.where(nan, 0.0, points), axis=1)
    else:
        S = np.cumsum(points, axis=1)
    if composition != "sum":
        steps = np.arange(1, points.shape[1] + 1)
        weights = composition_weights(steps, composition).astype(S.dtype)
        S *= weights[None, :, None]
    if padded:
        S[padding] = np.nan
    return S
