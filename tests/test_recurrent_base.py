"""What every recurrent estimator shares (_recurrent_base.py): training continued by
advance, a fixed number of updates."""

import numpy as np
import pytest
import torch
from conftest import token_points

from sklearn_rnnmemory import (
    RecurrentClassifier,
    RecurrentLanguageModel,
    RecurrentMemoryRegressor,
)


def test_advance_continues_training_as_if_it_had_not_stopped(points):
    # 64 sequences of 12 in windows of 4: 192 windows, 153 once 20 % are held
    # out, 10 batches a pass; the rounds end inside passes.
    options = dict(
        hidden_size=5,
        seq_len=4,
        batch_size=16,
        validation_fraction=0.2,
        max_grad_norm=0.5,
        device="cpu",
        random_state=3,
    )
    whole = RecurrentMemoryRegressor("gru", max_steps=23, **options).fit(points)
    rounds = RecurrentMemoryRegressor("gru", max_steps=5, **options).fit(points)
    assert rounds._advance(points, 11) is rounds
    rounds._advance(points, 7)
    assert rounds.n_updates_ == whole.n_updates_ == 23
    for name, value in whole.net_.module_.state_dict().items():
        assert torch.equal(rounds.net_.module_.state_dict()[name], value), name
    losses = [
        [b["train_loss"] for e in m.history_ for b in e["batches"] if "train_loss" in b]
        for m in (whole, rounds)
    ]
    assert losses[0] == losses[1]
    # the history's epochs end where each call ended
    assert rounds.history_[:, "train_batch_count"] == [5, 5, 6, 4, 3]
    assert whole.history_[:, "train_batch_count"] == [10, 10, 3]
    with pytest.raises(ValueError, match="continue training on the data it was"):
        rounds._advance(points[:40], 3)


def test_language_model_advance_continues_training_as_if_it_had_not_stopped():
    # 20 sequences of 31 ids in windows of 6 next-token pairs: 100 windows,
    # 13 batches of 8 a pass; the rounds end inside passes.
    ids = np.random.default_rng(0).integers(0, 7, size=(20, 31))
    options = dict(
        hidden_size=5,
        embedding_dim=4,
        seq_len=6,
        batch_size=8,
        device="cpu",
        random_state=3,
    )
    whole = RecurrentLanguageModel("gru", max_steps=23, **options).fit(ids)
    rounds = RecurrentLanguageModel("gru", max_steps=5, **options).fit(ids)
    assert rounds._advance(ids, 11) is rounds
    rounds._advance(ids, 7)
    assert rounds.n_updates_ == whole.n_updates_ == 23
    for name, value in whole.net_.module_.state_dict().items():
        assert torch.equal(rounds.net_.module_.state_dict()[name], value), name
    assert rounds.perplexity(ids) == whole.perplexity(ids)
    with pytest.raises(ValueError, match="continue training on the data it was"):
        rounds._advance(ids[:10], 3)


@pytest.mark.parametrize(
    "seq_len, validation_fraction, epochs, batches",
    [
        (5, None, 1, [7]),  # 8 windows a sequence: 13 batches a pass
        (20, None, 2, [4, 3]),  # 2 windows a sequence: 4 batches a pass
        (40, None, 4, [2, 2, 2, 1]),
        (20, 0.2, 3, [3, 3, 1]),  # 40 of 200 windows held out: 3 batches a pass
    ],
)
def test_max_steps_gives_every_length_the_same_number_of_updates(
    seq_len, validation_fraction, epochs, batches
):
    X = token_points(100, 40, vocab_size=5)
    model = RecurrentMemoryRegressor(
        "gru",
        hidden_size=4,
        seq_len=seq_len,
        max_steps=7,
        max_epochs=100,
        validation_fraction=validation_fraction,
        device="cpu",
        random_state=0,
    ).fit(X)
    assert model.net_.max_epochs == epochs
    assert model.history_[:, "train_batch_count"] == batches


def test_max_steps_in_the_classifier_and_the_language_model():
    rng = np.random.default_rng(0)
    X = token_points(70, 6, vocab_size=4)
    y = rng.integers(0, 2, 70)
    clf = RecurrentClassifier(
        "gru", hidden_size=4, max_steps=5, batch_size=32, device="cpu"
    ).fit(X, y)
    assert clf.history_[:, "train_batch_count"] == [3, 2]
    ids = rng.integers(0, 6, size=(20, 11)).astype(float)
    lm = RecurrentLanguageModel(
        "gru", hidden_size=4, seq_len=5, max_steps=4, batch_size=8, device="cpu"
    ).fit(ids)
    assert lm.history_[:, "train_batch_count"] == [4]


@pytest.mark.parametrize("bad", [0, -2, 1.5, "10"])
def test_bad_max_steps_raise_a_named_value_error(points, bad):
    with pytest.raises(
        ValueError,
        match=r"The 'max_steps' parameter of RecurrentMemoryRegressor must be an "
        r"int in the range \[1, inf\) or None",
    ):
        RecurrentMemoryRegressor(max_steps=bad, device="cpu").fit(points)
