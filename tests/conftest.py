"""Small data shared by the tests; hypothesis derandomised under CI."""

import dis
import os

import numpy as np
import pytest
from hypothesis import settings
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnnmemory import SemanticEuclideanSpace

# CI runs the same examples every time; local runs keep exploring.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def token_points(n_sequences, length, vocab_size=12, seed=0):
    """Onehot points of uniform random tokens, float32 ``(n, length, vocab_size)``."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, vocab_size, size=(n_sequences, length))
    space = SemanticEuclideanSpace(vocabulary=list(range(vocab_size)))
    return space.fit(tokens).transform(tokens)


@pytest.fixture(scope="session")
def points():
    """64 sequences of 12 tokens from a vocabulary of 12, with some padding."""
    X = token_points(64, 12)
    X[::3, 9:] = np.nan
    return X


def raised_by_own_check(exc):
    """Where ``exc`` was raised, and whether there a ``raise`` statement of the
    library did it: an error that numpy, torch or skorch raise, even from a
    call made in the library, is not one of its checks. scikit-learn's
    ``InvalidParameterError`` is: it checks a parameter against the constraints
    the library declares.

    Read from the bytecode of the innermost frame, not from the source, so
    that it holds whatever the file on disk says now.
    """
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    where = f"{code.co_filename}:{tb.tb_lineno}"
    own = "sklearn_rnnmemory" in code.co_filename and (
        dis.opname[code.co_code[tb.tb_lasti]] == "RAISE_VARARGS"
    )
    return where, own or type(exc) is InvalidParameterError
