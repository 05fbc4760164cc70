"""The fewest independent clusters the retention regression is trusted on.

The regression's covariance is cluster-robust, with a window (or a group of
windows) as the cluster. With few clusters it is far too small, and chance
passes for memory: the indicators refuse to measure below this floor
(definitions §3.4b).
"""

from .._validation import check_positive_int


def min_clusters(window_length: int, n_dims: int) -> int:
    """The fewest clusters at which the indicators measure windows of a length.

    Parameters
    ----------
    window_length : int
        ``T``, the length of the evaluated windows.
    n_dims : int
        ``d``, the dimension of the semantic points.

    Returns
    -------
    floor : int
        Below it, :func:`~sklearn_rnnmemory.indicators.last_step_profile`
        refuses in one line.

    Examples
    --------
    >>> from sklearn_rnnmemory.indicators import min_clusters
    >>> min_clusters(40, 50) >= 2
    True
    """
    check_positive_int(window_length, "window_length")
    check_positive_int(n_dims, "n_dims")
    return 2
