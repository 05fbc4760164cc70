"""NaN-padded sequence arrays: validation, lengths and windows.

Every array of sequences in the library is ``(n, T, d)`` float with the padding
steps set to NaN at the end of each sequence (the tslearn convention), so the
lengths survive every Pipeline step and cross-validation split.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._validation import check_not_sparse, untensor


def check_sequences(
    X: ArrayLike, *, name: str = "X", dtype: DTypeLike = np.float64
) -> np.ndarray:
    """Validate a NaN-padded array of sequences and return it as ``(n, T, d)``.

    Parameters
    ----------
    X : array-like of shape (n, T, d) or (n, T)
        Sequences, NaN-padded at the end. A 2-D array is read as ``n``
        sequences of ``T`` scalar inputs (``d = 1``).
    name : str, default="X"
        Name used in error messages.
    dtype : numpy dtype, default=np.float64
        Output dtype.

    Returns
    -------
    X : ndarray of shape (n, T, d)
        The validated array.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D or 3-D, holds infinities, has a step where only
        some features are NaN, or has padding before a valid step.
    """
    check_not_sparse(X)
    try:
        X = np.asarray(untensor(X))
        complex_input = X.dtype.kind == "c"
        if not complex_input:
            wider = X
            with np.errstate(over="ignore"):  # refused below, with a name
                X = X.astype(dtype, copy=False)
    except (ValueError, TypeError) as exc:
        hint = ""
        if _holds_text(X):
            hint = (
                " (to measure text, map its tokens to semantic points with "
                "SemanticEuclideanSpace first)"
            )
        # A value of the wrong type stays a TypeError, as in scikit-learn.
        raise type(exc)(
            f"{name} must be a numeric array of sequences of shape (n, T, d) or "
            f"(n, T), NaN-padded to one length; got values that cannot be "
            f"converted{hint}: {exc}"
        ) from None
    if complex_input:
        raise ValueError(f"Complex data not supported: {name} must be real-valued.")
    if wider is not X and wider.dtype.kind == "f":
        _check_narrowing(wider, X, name)
    if X.ndim == 1:
        raise ValueError(
            f"{name} must have shape (n, T, d) or (n, T); got a 1-D array of shape "
            f"{X.shape}. Reshape your data with X.reshape(1, -1) if it holds a "
            "single scalar sequence."
        )
    if X.ndim == 2 and X.shape[1] == 0:
        raise ValueError(
            f"{name} has 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
            "required: the sequences have no step."
        )
    if X.ndim == 2:
        X = X[:, :, np.newaxis]
    if X.ndim != 3:
        raise ValueError(
            f"{name} must have shape (n, T, d) or (n, T); got an array with "
            f"{X.ndim} dimension(s) and shape {X.shape}."
        )
    if X.shape[0] == 0:
        raise ValueError(f"{name} holds no sequences (shape {X.shape}).")
    if X.shape[1] == 0:
        raise ValueError(f"{name} has sequences of no step (shape {X.shape}).")
    if X.shape[2] == 0:
        raise ValueError(f"{name} has zero features per step (shape {X.shape}).")
    if _all_finite(X):  # no padding, nothing more to check
        return X
    if np.isinf(X).any():
        raise ValueError(f"{name} contains infinity; only NaN padding is allowed.")
    nan = np.isnan(X)
    step_nan = nan.all(axis=2)
    if (nan.any(axis=2) & ~step_nan).any():
        i, t = np.argwhere(nan.any(axis=2) & ~step_nan)[0]
        raise ValueError(
            f"{name}[{i}, {t}] is partly NaN: a padding step must be NaN in every "
            "feature, a valid step in none."
        )
    valid = ~step_nan
    # Padding must be trailing: once a step is padding, all later ones are too.
    later_valid = np.flip(np.logical_or.accumulate(np.flip(valid, 1), axis=1), 1)
    holes = step_nan & later_valid
    if holes.any():
        i, t = np.argwhere(holes)[0]
        raise ValueError(
            f"{name}[{i}, {t}] is NaN padding followed by a valid step; NaN padding "
            "must come at the end of each sequence."
        )
    return X


# Sequences checked at a time, so that a check's temporaries stay small.
_CHECK_ROWS = 1024


def row_blocks(n: int, size: int = _CHECK_ROWS) -> list[slice]:
    """Slices of at most ``size`` rows covering ``range(n)``."""
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


def _all_finite(X):
    """Whether every value of ``X`` is finite, read a block of sequences at a
    time (a full-size boolean temporary is an eighth of a float64 ``X``)."""
    return all(np.isfinite(X[block]).all() for block in row_blocks(X.shape[0]))


def all_windows_alike(windows: np.ndarray) -> bool:
    """Whether every window holds the same values as the first, read a block
    of windows at a time."""
    first = windows[:1]
    return not any(
        (windows[block] != first).any() for block in row_blocks(windows.shape[0])
    )


def _holds_text(X):
    """Whether the first item of ``X``, however deep, is a string."""
    for _ in range(4):
        if isinstance(X, str) or (isinstance(X, np.ndarray) and X.dtype.kind in "US"):
            return True
        try:
            X = X[0]
        except (TypeError, IndexError, KeyError):
            return False
    return False


def _check_narrowing(wide, narrow, name):
    """Refuse values that a cast to a narrower float turned into infinity, or
    points that it turned into zero (a zero point marks an unknown token)."""
    if wide.dtype.itemsize <= narrow.dtype.itemsize:
        return
    info = np.finfo(narrow.dtype)
    overflow = np.isinf(narrow) & np.isfinite(wide)
    if overflow.any():
        raise ValueError(
            f"{name} holds the value {wide[overflow].flat[0]:.3g}, beyond the range "
            f"of {info.dtype} (about {info.max:.2g}) in which it is read; rescale "
            f"{name}."
        )
    if narrow.ndim in (2, 3):
        vanished = (wide != 0) & (narrow == 0)
        if narrow.ndim == 3:
            vanished = (wide != 0).any(axis=2) & (narrow == 0).all(axis=2)
        if vanished.any():
            i, t = np.argwhere(vanished)[0]
            raise ValueError(
                f"{name}[{i}, {t}] is a point so small that it rounds to zero in "
                f"{info.dtype}, in which it is read (a zero point marks an unknown "
                f"token); rescale {name}."
            )


def valid_steps(X: np.ndarray) -> np.ndarray:
    """Boolean mask ``(n, T)`` of the non-padding steps of ``(n, T, d)`` X,
    read a block of sequences at a time."""
    valid = np.empty(X.shape[:2], dtype=bool)
    for block in row_blocks(X.shape[0]):
        valid[block] = ~np.isnan(X[block]).all(axis=2)
    return valid


def sequence_lengths(X: np.ndarray) -> np.ndarray:
    """Number of valid (non-NaN) steps of each sequence of ``(n, T, d)`` X."""
    return valid_steps(X).sum(axis=1)


def cut_windows(X: np.ndarray, seq_len: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Cut each sequence into consecutive windows of ``seq_len`` steps.

    The last window of a sequence may be shorter; it is NaN-padded.
    Sequences with no valid step give no window. A window never reaches
    past the longest sequence: a ``seq_len`` at least that long gives one
    window per sequence, the sequences themselves trimmed to the longest
    valid length (as ``None`` does), so the windows take no more memory than
    ``X`` however large ``seq_len`` is.

    Parameters
    ----------
    X : ndarray of shape (n, T, d)
        NaN-padded sequences, as returned by :func:`check_sequences`.
    seq_len : int or None
        Window length. ``None`` keeps whole sequences (trimmed to the longest
        valid length).

    Returns
    -------
    windows : ndarray of shape (n_windows, min(seq_len, L), d)
        The windows, in sequence order then time order; ``L`` is the longest
        valid length.
    origin : ndarray of shape (n_windows, 2)
        For each window, the index of its sequence and its first step.
    """
    lengths = sequence_lengths(X)
    longest = int(lengths.max()) if lengths.size else 0
    if seq_len is None or seq_len >= longest:
        keep = lengths > 0
        width = max(longest, 1)
        origin = np.stack([np.flatnonzero(keep), np.zeros(keep.sum(), int)], 1)
        if keep.all():
            # The sequences themselves: a view, or X itself, never a copy.
            return (X if width == X.shape[1] else X[:, :width]), origin
        return X[keep, :width], origin
    n_per_seq = -(-lengths // seq_len)
    seq_index = np.repeat(np.arange(X.shape[0]), n_per_seq)
    # Position of each window within its sequence: 0, 1, ... per sequence.
    first = np.arange(n_per_seq.sum()) - np.repeat(
        np.cumsum(n_per_seq) - n_per_seq, n_per_seq
    )
    start = first * seq_len
    # seq_len < longest <= T here, so the padding is shorter than one window.
    pad = int(start.max() + seq_len - X.shape[1]) if start.size else 0
    if pad > 0:
        X = np.concatenate(
            [X, np.full((X.shape[0], pad, X.shape[2]), np.nan, X.dtype)], axis=1
        )
    steps = start[:, None] + np.arange(seq_len)[None, :]
    windows = X[seq_index[:, None], steps]
    return windows, np.stack([seq_index, start], axis=1)


def merge_windows(
    values: np.ndarray, origin: np.ndarray, n_sequences: int, n_steps: int
) -> np.ndarray:
    """Put per-window values back in place: the inverse of :func:`cut_windows`.

    Parameters
    ----------
    values : ndarray of shape (n_windows, seq_len, k)
        One row of values per window, NaN at the window's padding.
    origin : ndarray of shape (n_windows, 2)
        Sequence index and first step of each window, from :func:`cut_windows`.
    n_sequences : int
        Number of sequences ``n`` of the output.
    n_steps : int
        Number of steps ``T`` of the output.

    Returns
    -------
    merged : ndarray of shape (n, T, k)
        NaN wherever no window has a value.
    """
    merged = np.full(
        (n_sequences, n_steps, values.shape[2]), np.nan, dtype=values.dtype
    )
    steps = origin[:, 1:2] + np.arange(values.shape[1])[None, :]
    inside = steps < n_steps
    sequence = np.broadcast_to(origin[:, :1], steps.shape)
    merged[sequence[inside], steps[inside]] = values[inside]
    return merged
