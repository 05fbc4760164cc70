"""Custom recurrent cells against plain step-by-step versions of their equations."""

import numpy as np
import pytest
import torch
from torch import nn

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory._torch.cells import (
    EchoStateLayer,
    IndRNNLayer,
    LRULayer,
    MGULayer,
    MinGRULayer,
    MinLSTMLayer,
    OrthogonalRNNLayer,
    PeepholeLSTMLayer,
    StackedCells,
)
from sklearn_rnnmemory._torch.registry import UNITS

CUSTOM = [unit for unit in UNITS if unit not in ("rnn", "lstm", "gru")]


def assert_same_outputs_and_gradients(fast, slow, inputs):
    """Equal outputs, and equal gradients of one random projection of them."""
    torch.testing.assert_close(fast, slow)
    weights = torch.randn_like(fast)
    for a, b in zip(
        torch.autograd.grad((fast * weights).sum(), inputs),
        torch.autograd.grad((slow * weights).sum(), inputs),
        strict=True,
    ):
        torch.testing.assert_close(a, b)


def reference(layer, X, h):
    """The published equations, one step at a time, with x[:, t] indexing."""
    H = layer.hidden_size
    W, b = layer.input.weight, layer.input.bias
    outputs = []
    for t in range(X.shape[1]):
        x = X[:, t]
        if isinstance(layer, MGULayer):
            W_f, W_h = W[:H], W[H:]
            b_f, b_h = b[:H], b[H:]
            f = torch.sigmoid(x @ W_f.T + b_f + h @ layer.forget.weight.T)
            c = torch.tanh(x @ W_h.T + b_h + (f * h) @ layer.candidate.weight.T)
            h = (1 - f) * h + f * c
        elif isinstance(layer, IndRNNLayer):
            h = torch.relu(x @ W.T + b + layer.recurrent_weight * h)
        elif isinstance(layer, MinGRULayer):
            z = torch.sigmoid(x @ W[:H].T + b[:H])
            h = (1 - z) * h + z * (x @ W[H:].T + b[H:])
        else:
            f = torch.sigmoid(x @ W[:H].T + b[:H])
            i = torch.sigmoid(x @ W[H : 2 * H].T + b[H : 2 * H])
            candidate = x @ W[2 * H :].T + b[2 * H :]
            h = f / (f + i) * h + i / (f + i) * candidate
        outputs.append(h)
    return torch.stack(outputs, 1)


@pytest.mark.parametrize(
    "layer_class", [MGULayer, IndRNNLayer, MinGRULayer, MinLSTMLayer]
)
def test_fast_path_matches_the_equations_forward_and_backward(layer_class):
    torch.manual_seed(0)
    layer = layer_class(3, 5).double()
    X = torch.randn(4, 9, 3, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(4, 5, dtype=torch.float64)
    fast, last = layer(X, h0)
    slow = reference(layer, X, h0)
    torch.testing.assert_close(last, slow[:, -1])
    assert_same_outputs_and_gradients(fast, slow, [X, *layer.parameters()])


def test_stacked_cells_follow_the_torch_rnn_interface():
    stack = StackedCells(MGULayer, 3, 6, 2)
    outputs, state = stack(torch.randn(2, 7, 3))
    assert outputs.shape == (2, 7, 6) and state.shape == (2, 2, 6)
    torch.testing.assert_close(state[-1], outputs[:, -1])


@pytest.mark.parametrize("unit", CUSTOM)
def test_every_custom_unit_fits_predicts_and_scores(points, unit):
    model = RecurrentMemoryRegressor(
        unit, hidden_size=8, seq_len=4, max_epochs=2, random_state=0, device="cpu"
    ).fit(points)
    predicted = model.predict(points)
    assert predicted.shape == points.shape
    assert np.isfinite(model.score(points))
    assert model.hidden_states(points).shape == (64, 12, 8)
    same = RecurrentMemoryRegressor(
        unit, hidden_size=8, seq_len=4, max_epochs=2, random_state=0, device="cpu"
    ).fit(points)
    np.testing.assert_array_equal(same.predict(points), predicted)


def reference_more(layer, X, h):
    """Step-by-step equations of the peephole LSTM, orthogonal RNN, LRU and ESN."""
    outputs = []
    if isinstance(layer, PeepholeLSTMLayer):
        H, c = layer.hidden_size, torch.zeros_like(h)
        W, b, U, p = (
            layer.input.weight,
            layer.input.bias,
            layer.hidden.weight,
            layer.peephole,
        )
        for t in range(X.shape[1]):
            z = X[:, t] @ W.T + b + h @ U.T
            i = torch.sigmoid(z[:, :H] + p[0] * c)
            f = torch.sigmoid(z[:, H : 2 * H] + p[1] * c)
            c = f * c + i * torch.tanh(z[:, 2 * H : 3 * H])
            o = torch.sigmoid(z[:, 3 * H :] + p[2] * c)
            h = o * torch.tanh(c)
            outputs.append(h)
    elif isinstance(layer, OrthogonalRNNLayer):
        U = layer.recurrent.weight
        for t in range(X.shape[1]):
            h = torch.tanh(X[:, t] @ layer.input.weight.T + layer.input.bias + h @ U.T)
            outputs.append(h)
    elif isinstance(layer, LRULayer):
        modulus = torch.exp(-torch.exp(layer.nu_log))
        lam = torch.polar(modulus, torch.exp(layer.theta_log))
        gamma = torch.sqrt(1 - modulus**2)
        B = torch.complex(layer.B_re, layer.B_im)
        C = torch.complex(layer.C_re, layer.C_im)
        x = torch.zeros(X.shape[0], layer.hidden_size, dtype=B.dtype)
        for t in range(X.shape[1]):
            x = lam * x + gamma * (X[:, t].to(B.dtype) @ B.T)
            outputs.append((x @ C.T).real + X[:, t] @ layer.D.T)
    else:
        for t in range(X.shape[1]):
            pre = X[:, t] @ layer.W_in.T + layer.bias + h @ layer.W.T
            h = (1 - layer.leak) * h + layer.leak * torch.tanh(pre)
            outputs.append(h)
    return torch.stack(outputs, 1)


@pytest.mark.parametrize(
    "layer_class", [PeepholeLSTMLayer, OrthogonalRNNLayer, LRULayer, EchoStateLayer]
)
def test_more_cells_match_their_equations_forward_and_backward(layer_class):
    torch.manual_seed(0)
    layer = layer_class(3, 5).double()
    if isinstance(layer, PeepholeLSTMLayer):
        nn.init.normal_(layer.peephole)  # zero at start: make the peepholes count
    X = torch.randn(4, 9, 3, dtype=torch.float64, requires_grad=True)
    h0 = torch.zeros(4, 5, dtype=torch.float64)
    fast, _ = layer(X, h0)
    slow = reference_more(layer, X, h0)
    assert_same_outputs_and_gradients(fast, slow, [X, *layer.parameters()])


def test_orthogonal_stays_orthogonal_and_the_reservoir_stays_fixed(points):
    layer = OrthogonalRNNLayer(3, 6)
    U = layer.recurrent.weight.detach()
    torch.testing.assert_close(U @ U.T, torch.eye(6), atol=1e-5, rtol=0)
    reservoir = EchoStateLayer(3, 50)
    assert list(reservoir.parameters()) == []
    radius = torch.linalg.eigvals(reservoir.W).abs().max()
    assert radius == pytest.approx(0.9, rel=1e-4)
    model = RecurrentMemoryRegressor(
        "esn", hidden_size=16, seq_len=4, max_epochs=3, random_state=0, device="cpu"
    ).fit(points)
    trained = {n for n, p in model.net_.module_.named_parameters() if p.requires_grad}
    assert trained == {"readout.weight", "readout.bias"}


def test_multiply_adds_per_step():
    from sklearn_rnnmemory._torch.registry import macs_per_step

    assert macs_per_step("lstm", 10, 20) == 4 * 20 * 30
    assert macs_per_step("mingru", 10, 20) == 2 * 20 * 10
    assert macs_per_step("indrnn", 10, 20, num_layers=2) == (200 + 20) + (400 + 20)
    assert all(macs_per_step(unit, 3, 5) > 0 for unit in UNITS)
    with pytest.raises(ValueError, match="unit must be one of"):
        macs_per_step("tcn", 3, 5)


def fused_reference(module, X):
    """nn.RNN / nn.LSTM / nn.GRU (one layer) by their equations, step by step."""
    W, U = module.weight_ih_l0, module.weight_hh_l0
    b, c_b = module.bias_ih_l0, module.bias_hh_l0
    H = module.hidden_size
    h = X.new_zeros(X.shape[0], H)
    c = X.new_zeros(X.shape[0], H)
    outputs = []
    for t in range(X.shape[1]):
        x = X[:, t]
        if isinstance(module, nn.LSTM):
            z = x @ W.T + b + h @ U.T + c_b
            i, f = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H : 2 * H])
            g, o = torch.tanh(z[:, 2 * H : 3 * H]), torch.sigmoid(z[:, 3 * H :])
            c = f * c + i * g
            h = o * torch.tanh(c)
        elif isinstance(module, nn.GRU):
            a, r_h = x @ W.T + b, h @ U.T + c_b
            r = torch.sigmoid(a[:, :H] + r_h[:, :H])
            z = torch.sigmoid(a[:, H : 2 * H] + r_h[:, H : 2 * H])
            n = torch.tanh(a[:, 2 * H :] + r * r_h[:, 2 * H :])  # reset after U_n
            h = (1 - z) * n + z * h
        else:
            h = torch.tanh(x @ W.T + b + h @ U.T + c_b)
        outputs.append(h)
    return torch.stack(outputs, 1)


@pytest.mark.parametrize("unit", ["rnn", "lstm", "gru"])
def test_fused_units_are_the_published_equations(unit):
    torch.manual_seed(0)
    module = UNITS[unit].build(3, 5, 1).double()
    X = torch.randn(4, 9, 3, dtype=torch.float64, requires_grad=True)
    assert_same_outputs_and_gradients(
        module(X)[0], fused_reference(module, X), [X, *module.parameters()]
    )
