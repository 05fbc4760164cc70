"""Parameter checks shared by the estimators, indicators and scorers.

Each check names the parameter as the user typed it and accepts NumPy scalars
wherever a Python number is accepted; the checked value comes back as a
Python ``int`` or ``float``, which torch's constructors require.
"""

import math
import os
import sys
from numbers import Integral, Real
from typing import Any, Literal, overload

import numpy as np

# Where the machine's memory cannot be read: a ceiling no real workload of
# this library reaches, so that absurd sizes are still refused up front.
_FALLBACK_MEMORY = 2**40


def is_positive_int(value: Any) -> bool:
    """True for an integer >= 1 (bools excluded)."""
    return (
        isinstance(value, Integral) and not isinstance(value, bool) and int(value) >= 1
    )


@overload
def check_positive_int(
    value: Any, name: str, *, allow_none: Literal[False] = ...
) -> int: ...
@overload
def check_positive_int(value: Any, name: str, *, allow_none: bool) -> int | None: ...
def check_positive_int(
    value: Any, name: str, *, allow_none: bool = False
) -> int | None:
    """Return ``value`` as an int if it is an integer >= 1 (or None if allowed),
    else raise."""
    if allow_none and value is None:
        return None
    if is_positive_int(value):
        return int(value)
    expected = "a positive integer or None" if allow_none else "a positive integer"
    raise ValueError(f"{name} must be {expected}; got {value!r}.")


def check_nonnegative_int(value: Any, name: str) -> int:
    """Return ``value`` as an int if it is an integer >= 0, else raise."""
    if isinstance(value, Integral) and not isinstance(value, bool) and int(value) >= 0:
        return int(value)
    raise ValueError(f"{name} must be an integer >= 0; got {value!r}.")


def check_real(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    closed: str = "neither",
) -> float:
    """Return ``value`` as a finite float within bounds, else raise.

    Parameters
    ----------
    value : object
        The value to check; Python and NumPy numbers pass, bools do not.
    name : str
        Parameter name for the message.
    low, high : float, default=None
        Bounds; None leaves that side open.
    closed : {"neither", "left", "right", "both"}, default="neither"
        Which bounds the value may equal.
    """
    number = (
        isinstance(value, Real)
        and not isinstance(value, bool | np.bool_)
        and math.isfinite(value)
    )
    inside = number
    if number and low is not None:
        inside = value >= low if closed in ("left", "both") else value > low
    if inside and high is not None:
        inside = value <= high if closed in ("right", "both") else value < high
    if inside:
        return float(value)
    if low is not None and high is not None:
        left = "[" if closed in ("left", "both") else "("
        right = "]" if closed in ("right", "both") else ")"
        expected = f"a number in {left}{low}, {high}{right}"
    elif low == 0 and closed not in ("left", "both"):
        expected = "a positive number"
    elif low is not None:
        expected = f"a number {'>=' if closed in ('left', 'both') else '>'} {low}"
    elif high is not None:
        expected = f"a number {'<=' if closed in ('right', 'both') else '<'} {high}"
    else:
        expected = "a finite number"
    raise ValueError(f"{name} must be {expected}; got {value!r}.")


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a bool if it is one (NumPy's included), else raise."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValueError(f"{name} must be True or False; got {value!r}.")


def check_groups(
    groups: Any, n: int, *, name: str = "groups", of: str = "sequence"
) -> np.ndarray | None:
    """One label per sample, as an array; None stays None.

    Parameters
    ----------
    groups : array-like of shape (n,) or None
        The labels.
    n : int
        How many samples need a label.
    name : str, default="groups"
        The parameter's name, for messages.
    of : str, default="sequence"
        What a label belongs to, for messages.

    Returns
    -------
    groups : ndarray of shape (n,) or None
        The labels as an array.
    """
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n:
        raise ValueError(
            f"{name} must hold one label per {of}, shape ({n},); got shape "
            f"{groups.shape}."
        )
    if groups.dtype.kind == "f" and np.isnan(groups).any():
        raise ValueError(f"{name} must not hold NaN: every {of} needs a label.")
    return groups


def check_random_state(
    random_state: Any, name: str = "random_state"
) -> np.random.RandomState:
    """A ``RandomState`` from a seed, as scikit-learn's ``check_random_state``,
    with an error that names the parameter.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        An integer seed in ``[0, 2**32 - 1]``, a ``RandomState`` (used as is)
        or None (NumPy's global ``RandomState``).
    name : str, default="random_state"
        Parameter name for the message.

    Returns
    -------
    rng : numpy.random.RandomState
    """
    if random_state is None:
        return np.random.mtrand._rand
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if (
        isinstance(random_state, Integral)
        and not isinstance(random_state, bool)
        and 0 <= int(random_state) < 2**32
    ):
        return np.random.RandomState(int(random_state))
    hint = ""
    if isinstance(random_state, np.random.Generator):
        hint = " A numpy Generator is not accepted, as in scikit-learn; pass a seed."
    raise ValueError(
        f"{name} must be an integer in [0, 2**32 - 1], a numpy RandomState or "
        f"None; got {random_state!r}.{hint}"
    )


def check_threshold(threshold: Any) -> float:
    """Return ``threshold`` as a float if it lies in (0, 1], else raise."""
    return check_real(threshold, "threshold", low=0, high=1, closed="right")


def one_line(exc: BaseException) -> str:
    """An exception as ``Type: message``, on one line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def untensor(X: Any) -> Any:
    """A torch tensor as the NumPy array it holds (detached, copied to the
    CPU), where NumPy alone would refuse one that requires grad or lives on
    a GPU; anything else unchanged."""
    if type(X).__module__.split(".")[0] == "torch" and hasattr(X, "detach"):
        return X.detach().cpu().numpy()
    return X


def check_not_sparse(X: Any) -> None:
    """Raise a TypeError for a scipy sparse matrix or array."""
    # Only a program that imported scipy.sparse holds a sparse input: the
    # check does not load it (the command line's help stays light).
    sparse = sys.modules.get("scipy.sparse")
    if sparse is not None and sparse.issparse(X):
        raise TypeError(
            "Sparse input is not supported: sequences are dense (a list of "
            "sequences or a dense array)."
        )


def memory_limit() -> int:
    """Bytes of memory a new allocation may take: what the system reports as
    available (Linux), else the physical memory, else a fixed ceiling."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return _FALLBACK_MEMORY


def _format_bytes(n_bytes):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n_bytes < 1024 or unit == "PiB":
            return f"{n_bytes:.3g} {unit}" if unit != "bytes" else f"{n_bytes} bytes"
        n_bytes /= 1024
    return None  # unreachable


def check_memory(n_bytes: int, what: str, hint: str) -> None:
    """Refuse, before allocating it, an array larger than the memory available.

    Beyond it, the allocation would fail, or (where the system overcommits)
    succeed and then have the process killed as it fills the array.

    Parameters
    ----------
    n_bytes : int
        Size of the allocation; Python ints, so that it cannot overflow.
    what : str
        What would be allocated, with the parameters that size it.
    hint : str
        What the user can change.
    """
    limit = memory_limit()
    if n_bytes > limit:
        raise ValueError(
            f"{what} would need {_format_bytes(n_bytes)}, more than this machine's "
            f"available memory ({_format_bytes(limit)}); {hint}"
        )
