"""Composition of windows (_composition.py)."""

import numpy as np
import pytest
from conftest import token_points

from sklearn_rnnmemory._composition import compose


@pytest.mark.parametrize("composition", ["sum", "mean"])
def test_compose_without_padding_matches_and_keeps_float32(composition):
    X = token_points(5, 6, vocab_size=4)
    np.testing.assert_allclose(
        compose(X, composition, padded=False), compose(X, composition), rtol=1e-6
    )
    assert compose(X, composition, padded=False).dtype == np.float32
    assert compose(X, composition).dtype == np.float32
