"""The Zipf data the indicators' tests read."""

import pytest
from conftest import T, _onehot

from sklearn_rnnmemory.datasets import make_zipf_sequences


@pytest.fixture(scope="module")
def zipf_onehot():
    """The main job's data: Zipf tokens, onehot points, V = 50, 400 windows."""
    return _onehot(make_zipf_sequences(400, T, vocab_size=50, random_state=0), 50)
