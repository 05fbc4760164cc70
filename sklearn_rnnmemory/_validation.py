"""Parameter checks shared by the estimators, indicators and scorers."""

from numbers import Integral, Real

import scipy.sparse as sp


def is_positive_int(value):
    """True for an integer >= 1 (bools excluded)."""
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= 1


def check_positive_int(value, name, *, allow_none=False):
    """Return ``value`` if it is an integer >= 1 (or None if allowed), else raise."""
    if (allow_none and value is None) or is_positive_int(value):
        return value
    expected = "a positive integer or None" if allow_none else "a positive integer"
    raise ValueError(f"{name} must be {expected}; got {value!r}.")


def check_threshold(threshold):
    """Return ``threshold`` as a float if it lies in (0, 1], else raise."""
    if isinstance(threshold, bool) or not (
        isinstance(threshold, Real) and 0 < threshold <= 1
    ):
        raise ValueError(f"threshold must be a number in (0, 1]; got {threshold!r}.")
    return float(threshold)


def check_not_sparse(X):
    """Raise a TypeError for a scipy sparse matrix or array."""
    if sp.issparse(X):
        raise TypeError(
            "Sparse input is not supported: sequences are dense (a list of "
            "sequences or a dense array)."
        )
