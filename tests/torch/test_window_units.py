"""The window-trained units (_torch/window_units.py) are torch's units."""

import pytest
import torch
from torch import nn

from sklearn_rnnmemory._torch.window_units import WindowGRU, WindowRNN


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
