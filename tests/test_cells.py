"""Custom recurrent cells against plain step-by-step versions of their equations."""

import numpy as np
import pytest
import torch

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory._cells import (
    IndRNNLayer,
    MGULayer,
    MinGRULayer,
    MinLSTMLayer,
    StackedCells,
)

CUSTOM = ["mgu", "indrnn", "mingru", "minlstm"]


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
    torch.testing.assert_close(fast, slow)
    torch.testing.assert_close(last, slow[:, -1])
    weights = torch.randn_like(fast)
    fast_grads = torch.autograd.grad((fast * weights).sum(), [X, *layer.parameters()])
    slow_grads = torch.autograd.grad((slow * weights).sum(), [X, *layer.parameters()])
    for a, b in zip(fast_grads, slow_grads, strict=True):
        torch.testing.assert_close(a, b)


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
