"""How many evaluation windows sequences give at a length, and the refusal of a
length that gives fewer clusters than the indicators' floor (definitions
§3.4b, §3.7b).

A study checks its test sequences, and the plateau rule its validation
sequences, before anything trains: a length whose windows the indicators would
refuse is refused up front, in one line that names the windows it would have.
"""

import numpy as np

from ._sequences import sequence_lengths
from .indicators import min_clusters


def count_windows(
    X: np.ndarray, window_length: int, groups: np.ndarray | None = None
) -> tuple[int, int]:
    """The windows of ``window_length`` steps that ``X`` holds, and their clusters.

    Parameters
    ----------
    X : ndarray of shape (n, T, d)
        NaN-padded sequences; each is cut into consecutive windows.
    window_length : int
        ``L``.
    groups : ndarray of shape (n,), default=None
        One label per sequence; None: every window is its own cluster.

    Returns
    -------
    n_windows : int
        Windows that reach ``L`` (a sequence's shorter last window does not).
    n_clusters : int
        The windows, or the distinct groups among the sequences that hold one.
    """
    per_sequence = sequence_lengths(X) // window_length
    n_windows = int(per_sequence.sum())
    if groups is None:
        return n_windows, n_windows
    return n_windows, int(np.unique(np.asarray(groups)[per_sequence > 0]).size)


def check_window_floor(
    X: np.ndarray,
    window_length: int,
    *,
    groups: np.ndarray | None = None,
    what: str = "X",
    remedy: str = "give a shorter eval_len or more sequences",
) -> tuple[int, int]:
    """Refuse a length at which ``X`` gives fewer clusters than the floor.

    The floor is :func:`sklearn_rnnmemory.indicators.min_clusters` of the
    length and the points' dimension.

    Parameters
    ----------
    X : ndarray of shape (n, T, d)
        NaN-padded sequences.
    window_length : int
        ``L``.
    groups : ndarray of shape (n,), default=None
        One label per sequence (its document); None: windows are clusters.
    what : str, default="X"
        The sequences' name, for the message.
    remedy : str, default="give a shorter eval_len or more sequences"
        What the user may do, for the message.

    Returns
    -------
    n_windows, n_clusters : int
        As :func:`count_windows` gives them.
    """
    n_windows, n_clusters = count_windows(X, window_length, groups)
    floor = min_clusters(window_length, X.shape[2])
    if n_clusters < floor:
        kind = "" if groups is None else f" from {n_clusters} group(s)"
        raise ValueError(
            f"{what} holds {n_windows} window(s) of {window_length} steps{kind}; "
            f"the indicators need at least {floor} "
            f"{'windows' if groups is None else 'groups'} at L = {window_length} "
            f"and d = {X.shape[2]}: {remedy}."
        )
    return n_windows, n_clusters
