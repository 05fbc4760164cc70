"""Stacked seeds (_torch/stacked_seeds.py): each seed trained as its own fit, the
fixed stacking rule, the refusals."""

import numpy as np
import pytest
import torch
from conftest import token_points
from skorch.callbacks import EarlyStopping

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory._torch.stacked_seeds import (
    StackedSeeds,
    _clip_per_model,
    seed_groups,
    seeds_per_stack,
)
from sklearn_rnnmemory._torch.window_units import WindowGRU


def test_clipping_per_model_is_torchs_clipping_of_each_model():
    torch.manual_seed(0)
    grads = [torch.randn(3, 4, 5), torch.randn(3, 4) * 0.01]
    stacked = [torch.zeros_like(g).requires_grad_() for g in grads]
    for p, g in zip(stacked, grads, strict=True):
        p.grad = g.clone()
    _clip_per_model(stacked, 1.5)
    for s in range(3):
        own = [torch.zeros_like(g[s]).requires_grad_() for g in grads]
        for p, g in zip(own, grads, strict=True):
            p.grad = g[s].clone()
        torch.nn.utils.clip_grad_norm_(own, 1.5)
        for p, q in zip(stacked, own, strict=True):
            torch.testing.assert_close(p.grad[s], q.grad)


@pytest.fixture(scope="module")
def sequences():
    X = token_points(40, 12, vocab_size=5, seed=1)
    X[::4, 9:] = np.nan
    return X


def _assert_same_fit(got, ref):
    assert got.n_updates_ == ref.n_updates_
    assert got.history_[:, "train_batch_count"] == ref.history_[:, "train_batch_count"]
    np.testing.assert_allclose(
        got.history_[:, "train_loss"], ref.history_[:, "train_loss"], rtol=1e-5
    )
    for name, value in ref.net_.module_.state_dict().items():
        torch.testing.assert_close(
            got.net_.module_.state_dict()[name], value, rtol=1e-4, atol=1e-5
        )
    assert got.input_scale_ == ref.input_scale_
    assert got.n_features_in_ == ref.n_features_in_ and got.device_ == ref.device_


@pytest.mark.parametrize(
    "unit, options",
    [
        ("rnn", {}),
        ("lstm", {"max_grad_norm": 0.3}),
        ("gru", {"num_layers": 2, "max_grad_norm": 0.3, "composition": "mean"}),
    ],
)
def test_stacked_seeds_train_each_seed_as_its_own_fit(sequences, unit, options):
    # 40 sequences of 12 in windows of 4: 120 windows, 8 batches of 16 a pass;
    # rounds of 5 and 6 updates end inside passes.
    options = dict(hidden_size=5, seq_len=4, batch_size=16, device="cpu", **options)
    stack = StackedSeeds(unit, [3, 8], sequences, **options)
    stack.advance(5)
    stack.stop(8)
    stack.advance(6)
    assert stack.seeds == (3, 8) and stack.active == (3,)
    assert (stack.n_updates(3), stack.n_updates(8)) == (11, 5)
    stopped = RecurrentMemoryRegressor(unit, random_state=8, max_steps=5, **options)
    _assert_same_fit(stack.fitted(8), stopped.fit(sequences))
    going = RecurrentMemoryRegressor(unit, random_state=3, max_steps=5, **options)
    going.fit(sequences)._advance(sequences, 6)
    taken_out = stack.fitted(3)
    _assert_same_fit(taken_out, going)
    # a seed taken out continues as the stack would
    stack.advance(4)
    _assert_same_fit(taken_out._advance(sequences, 4), stack.fitted(3))
    assert taken_out.n_updates_ == 15 and going.n_updates_ == 11
    assert taken_out.predict(sequences).shape == sequences.shape


@pytest.mark.parametrize(
    "options, message",
    [
        ({"random_state": 0}, "random_state is given by the seeds"),
        ({"validation_fraction": 0.2}, "hold no validation share"),
        ({"callbacks": [EarlyStopping(monitor="train_loss")]}, "run no callbacks"),
        ({"optimizer": torch.optim.Adagrad}, "take the built-in optimizers"),
        ({"lr": -1.0}, "lr"),
    ],
)
def test_stacked_seeds_refuse_what_they_cannot_train(sequences, options, message):
    with pytest.raises(ValueError, match=message):
        StackedSeeds("gru", [0, 1], sequences, device="cpu", **options)


def test_stacked_seeds_refuse_bad_units_seeds_and_early_questions(sequences):
    with pytest.raises(ValueError, match="Only the units"):
        StackedSeeds("mgu", [0, 1], sequences, device="cpu")
    with pytest.raises(ValueError, match="distinct integers"):
        StackedSeeds("gru", [0, 0], sequences, device="cpu")
    stack = StackedSeeds("gru", [0, 1], sequences, hidden_size=3, device="cpu")
    with pytest.raises(ValueError, match="has not been trained yet"):
        stack.fitted(0)
    with pytest.raises(ValueError, match="seed 5 is not one of"):
        stack.n_updates(5)
    with pytest.raises(ValueError, match="n_updates must be a positive integer"):
        stack.advance(0)


def test_stacking_rule_is_fixed_by_unit_device_and_size():
    # the default study: H = 32, 32 windows per update, k = 5 ... 80, 3 seeds
    for unit in ("rnn", "gru"):
        assert all(seeds_per_stack(unit, "cpu", k, 32, 32) >= 3 for k in (5, 80))
    lstm = [seeds_per_stack("lstm", "cpu", k, 32, 32) for k in (5, 20, 40, 80)]
    assert lstm == [12, 3, 1, 1]
    assert seeds_per_stack("gru", "cpu", 40, 128, 32) == 1
    assert seeds_per_stack("gru", "cuda", 5, 32, 32) == 1
    assert seeds_per_stack("mgu", "cpu", 5, 32, 32) == 1
    assert seeds_per_stack(WindowGRU, "cpu", 5, 32, 32) == 1
    assert seed_groups([4, 5, 6], 12) == [(4, 5, 6)]
    assert seed_groups(range(7), 3) == [(0, 1, 2), (3, 4), (5, 6)]
