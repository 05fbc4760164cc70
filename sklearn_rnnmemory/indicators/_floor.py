"""The fewest independent clusters the retention regression is trusted on.

The regression's covariance is cluster-robust, with a window (or a group of
windows) as the cluster. With too few clusters chance passes for memory: the
indicators refuse to measure below this floor (definitions §3.4b).

Chosen by simulation: a memoryless model with Gaussian noise, on Zipf tokens
over 50 types (onehot points, d = 50, or random points of d = 1, 4, 16) and on
text-like tokens that repeat the one before with probability 0.6, at T = 5
to 160, 100 repeats per number of windows. It scores a mean capacity below
0.1, and its interval holds 0 in at least 90 % of repeats, from the first
number of windows ``N`` whose ``N d`` observations clearly exceed the
regression's ``T + d`` unknowns: ``ceil((T + d) / d) + 1`` windows sufficed
everywhere but on scalar points at T = 80 (84 needed) and on the text-like
tokens at T = 80 (6 needed, 4 by that count). The floor takes 10 % more than
the unknowns and at least 10 clusters, so that the t tests keep 9 degrees of
freedom.
"""

import math

from .._validation import check_positive_int

#: The fewest clusters at any window length.
FEWEST = 10


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
    >>> min_clusters(40, 50), min_clusters(80, 1)
    (10, 91)
    """
    window_length = check_positive_int(window_length, "window_length")
    n_dims = check_positive_int(n_dims, "n_dims")
    unknowns = (window_length + n_dims) / n_dims
    return max(FEWEST, math.ceil(1.1 * unknowns) + 1)
