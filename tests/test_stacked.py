"""Recurrences over whole windows, the window-trained units, stacked seeds."""

import numpy as np
import pytest
import torch
from conftest import token_points
from skorch.callbacks import EarlyStopping
from torch import nn

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory._torch.recurrences import GATES, recurrent_layer
from sklearn_rnnmemory._torch.stacked_seeds import (
    StackedSeeds,
    _clip_per_model,
    seed_groups,
    seeds_per_stack,
)
from sklearn_rnnmemory._torch.window_units import WindowGRU, WindowRNN

TORCH_UNITS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
WEIGHTS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def _stacked_weights(modules, dtype=torch.float32):
    return [
        torch.stack([getattr(m, name).detach() for m in modules])
        .to(dtype)
        .requires_grad_()
        for name in WEIGHTS
    ]


@pytest.mark.parametrize("unit", sorted(GATES))
def test_recurrences_equal_torch_units_with_their_gradients(unit):
    torch.manual_seed(0)
    S, B, T, n_in, H = 2, 3, 7, 4, 5
    modules = [TORCH_UNITS[unit](n_in, H) for _ in range(S)]
    x = torch.randn(S, T, B, n_in)
    h0, c0 = torch.randn(S, B, H), torch.randn(S, B, H)
    weights = _stacked_weights(modules)
    h0_, c0_ = h0.clone().requires_grad_(), c0.clone().requires_grad_()
    outputs, h_n, c_n = recurrent_layer(
        unit, x, weights, h0_, c0_ if unit == "lstm" else None
    )
    # a loss that reaches every output: the states, the last state, the cell
    w_out, w_last = torch.randn(S, T, B, H), torch.randn(S, B, H)
    loss = (outputs * w_out).sum() + (h_n * w_last).sum()
    if unit == "lstm":
        loss = loss + (c_n * w_last).sum()
    loss.backward()
    for s, module in enumerate(modules):
        h, c = h0[s : s + 1].requires_grad_(), c0[s : s + 1].requires_grad_()
        out, state = module(x[s], (h, c) if unit == "lstm" else h)
        last = state[0] if unit == "lstm" else state
        reference = (out * w_out[s]).sum() + (last[0] * w_last[s]).sum()
        if unit == "lstm":
            reference = reference + (state[1][0] * w_last[s]).sum()
        reference.backward()
        torch.testing.assert_close(outputs[s], out, rtol=1e-5, atol=1e-6)
        for name, stacked in zip(WEIGHTS, weights, strict=True):
            torch.testing.assert_close(
                stacked.grad[s], getattr(module, name).grad, rtol=1e-4, atol=1e-5
            )
        torch.testing.assert_close(h0_.grad[s], h.grad[0], rtol=1e-4, atol=1e-5)
        if unit == "lstm":
            torch.testing.assert_close(c0_.grad[s], c.grad[0], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("unit", sorted(GATES))
def test_recurrences_pass_gradcheck(unit):
    torch.manual_seed(0)
    S, B, T, n_in, H = 2, 2, 3, 2, 2
    G = GATES[unit] * H
    inputs = [
        torch.randn(S, T, B, n_in),
        torch.randn(S, G, n_in),
        torch.randn(S, G, H),
        torch.randn(S, G),
        torch.randn(S, G),
        torch.randn(S, B, H),
        torch.randn(S, B, H),
    ]
    inputs = [t.double().requires_grad_() for t in inputs]

    def layer(x, w_ih, w_hh, b_ih, b_hh, h0, c0):
        outputs, h_n, c_n = recurrent_layer(
            unit, x, (w_ih, w_hh, b_ih, b_hh), h0, c0 if unit == "lstm" else None
        )
        return (outputs, c_n) if unit == "lstm" else outputs

    assert torch.autograd.gradcheck(layer, inputs)


def _graph(tensor):
    """Names of the autograd nodes ``tensor`` was computed through."""
    names, nodes = set(), [tensor.grad_fn]
    while nodes:
        node = nodes.pop()
        if node is not None and type(node).__name__ not in names:
            names.add(type(node).__name__)
            nodes += [next_node for next_node, _ in node.next_functions]
    return names


@pytest.mark.parametrize(
    "window_unit, torch_unit", [(WindowGRU, nn.GRU), (WindowRNN, nn.RNN)]
)
@pytest.mark.parametrize("batch_first", [True, False])
def test_window_units_are_torch_units(window_unit, torch_unit, batch_first):
    torch.manual_seed(0)
    ours = window_unit(4, 6, num_layers=2, batch_first=batch_first)
    theirs = torch_unit(4, 6, num_layers=2, batch_first=batch_first)
    theirs.load_state_dict(ours.state_dict())  # one layout: interchangeable
    x = torch.randn(3, 9, 4) if batch_first else torch.randn(9, 3, 4)  # 9 >= 8 steps
    h0 = torch.randn(2, 3, 6)
    (out, h_n), (ref, ref_n) = ours(x, h0), theirs(x, h0)
    # training on the CPU runs the window path; reading runs torch's kernel
    assert "_GRUSequenceBackward" in _graph(out) or "_RNNSequenceBackward" in _graph(
        out
    )
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(h_n, ref_n, rtol=1e-5, atol=1e-6)
    (out.square().sum() + h_n.sum()).backward()
    (ref.square().sum() + ref_n.sum()).backward()
    for mine, torchs in zip(ours.parameters(), theirs.parameters(), strict=True):
        torch.testing.assert_close(mine.grad, torchs.grad, rtol=1e-4, atol=1e-5)
    with torch.no_grad():
        assert torch.equal(ours(x, h0)[0], theirs(x, h0)[0])


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
