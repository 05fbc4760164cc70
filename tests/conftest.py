"""Small data shared by the tests; hypothesis derandomised under CI."""

import os

import numpy as np
import pytest
from hypothesis import settings

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
