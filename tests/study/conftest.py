"""The data and the small study the tests of the study read."""

import pytest
from conftest import small_study, token_points


@pytest.fixture(scope="module")
def data():
    X = token_points(60, 12, vocab_size=8, seed=3)
    return X[:48], X[48:]


@pytest.fixture(scope="module")
def study(data):
    return small_study(data)
