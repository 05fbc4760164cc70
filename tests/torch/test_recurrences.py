"""Recurrences over whole windows (_torch/recurrences.py): torch's units and their
gradients."""

import pytest
import torch
from torch import nn

from sklearn_rnnmemory._torch.recurrences import GATES, recurrent_layer

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
