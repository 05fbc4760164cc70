"""Fitting leaves torch's global random state alone and stays reproducible."""

import numpy as np
import pytest
import torch
from conftest import token_points

from sklearn_rnnmemory import (
    RecurrentClassifier,
    RecurrentLanguageModel,
    RecurrentMemoryRegressor,
)

FAST = {"hidden_size": 4, "max_epochs": 2, "device": "cpu"}


def _fit(kind, random_state, **params):
    X = token_points(24, 6, vocab_size=5)
    if kind == "regressor":
        model = RecurrentMemoryRegressor("gru", random_state=random_state, **FAST)
        return model.fit(X, **params), X
    if kind == "classifier":
        y = np.arange(len(X)) % 2
        model = RecurrentClassifier("gru", random_state=random_state, **FAST)
        return model.fit(X, y), X
    ids = np.argmax(X, axis=2)
    model = RecurrentLanguageModel(
        "gru", embedding_dim=3, seq_len=4, random_state=random_state, **FAST
    )
    return model.fit(ids), ids


def _weights(model):
    return [p.detach().clone() for p in model.net_.module_.parameters()]


@pytest.mark.parametrize("kind", ["regressor", "classifier", "language_model"])
@pytest.mark.parametrize("random_state", [3, None])
def test_fit_leaves_torch_global_generator_untouched(kind, random_state):
    torch.manual_seed(123)
    before = torch.get_rng_state()
    _fit(kind, random_state)
    assert torch.equal(torch.get_rng_state(), before)
    # What the user draws next is what it would have been without the fit.
    drawn = torch.rand(3)
    torch.manual_seed(123)
    assert torch.equal(torch.rand(3), drawn)


@pytest.mark.parametrize("kind", ["regressor", "classifier", "language_model"])
def test_one_seed_gives_one_model_whatever_the_global_state(kind):
    torch.manual_seed(1)
    first, _ = _fit(kind, 7)
    torch.manual_seed(2)
    torch.rand(5)  # a different global state, and a generator moved on
    second, _ = _fit(kind, 7)
    for a, b in zip(_weights(first), _weights(second), strict=True):
        assert torch.equal(a, b)
    other, _ = _fit(kind, 8)
    assert not all(
        torch.equal(a, b) for a, b in zip(_weights(first), _weights(other), strict=True)
    )


def test_validation_split_and_shuffling_follow_the_seed_only():
    X = token_points(40, 6, vocab_size=5)

    def fit():
        return RecurrentMemoryRegressor(
            "rnn", validation_fraction=0.25, random_state=5, **FAST
        ).fit(X)

    torch.manual_seed(0)
    a = fit()
    torch.manual_seed(99)
    b = fit()
    assert a.history_[:, "valid_loss"] == b.history_[:, "valid_loss"]
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
