"""Recurrent units without a fused torch kernel, as custom cells.

Each layer computes the input projections of every step in one matrix product,
then iterates over time with ``unbind(1)`` (never ``x[:, t]`` inside autograd,
whose backward grows quadratically with the length). A stack of layers behaves
like ``torch.nn.RNN``: ``forward(X, state=None) -> (outputs, state)`` with
``outputs`` ``(B, T, H)`` of the last layer and ``state`` ``(num_layers, B, H)``.
"""

import torch
from torch import nn


class _Layer(nn.Module):
    """One layer: ``project`` all steps at once, then ``step`` through time."""

    n_projections = 1

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.input = nn.Linear(input_size, self.n_projections * hidden_size)

    def forward(self, X, h):
        projections = self.input(X).unbind(1)
        outputs = []
        for projected in projections:
            h = self.step(projected, h)
            outputs.append(h)
        return torch.stack(outputs, dim=1), h


class MGULayer(_Layer):
    """Minimal gated unit (Zhou, Wu, Zhang & Zhou, 2016).

    ``f_t = sigmoid(W_f x_t + U_f h_{t-1} + b_f)``,
    ``h~_t = tanh(W_h x_t + U_h (f_t * h_{t-1}) + b_h)``,
    ``h_t = (1 - f_t) * h_{t-1} + f_t * h~_t``.
    """

    n_projections = 2

    def __init__(self, input_size, hidden_size):
        super().__init__(input_size, hidden_size)
        self.forget = nn.Linear(hidden_size, hidden_size, bias=False)
        self.candidate = nn.Linear(hidden_size, hidden_size, bias=False)

    def step(self, projected, h):
        x_f, x_h = projected.chunk(2, dim=-1)
        f = torch.sigmoid(x_f + self.forget(h))
        candidate = torch.tanh(x_h + self.candidate(f * h))
        return (1 - f) * h + f * candidate


class IndRNNLayer(_Layer):
    """Independently recurrent unit (Li, Li, Cook, Zhu & Gao, CVPR 2018).

    ``h_t = relu(W x_t + u * h_{t-1} + b)`` with a recurrent *vector* ``u``:
    each unit recurs only on itself. ``u`` starts uniform in [0, 1).
    """

    def __init__(self, input_size, hidden_size):
        super().__init__(input_size, hidden_size)
        self.recurrent_weight = nn.Parameter(torch.rand(hidden_size))

    def step(self, projected, h):
        return torch.relu(projected + self.recurrent_weight * h)


class MinGRULayer(_Layer):
    """minGRU (Feng, Tung, Ahmed, Bengio & Hajimirsadeghi, 2024).

    ``z_t = sigmoid(W_z x_t + b_z)``, ``h~_t = W_h x_t + b_h``,
    ``h_t = (1 - z_t) * h_{t-1} + z_t * h~_t``: the gates do not read ``h``.
    """

    n_projections = 2

    def step(self, projected, h):
        x_z, candidate = projected.chunk(2, dim=-1)
        z = torch.sigmoid(x_z)
        return (1 - z) * h + z * candidate


class MinLSTMLayer(_Layer):
    """minLSTM (Feng, Tung, Ahmed, Bengio & Hajimirsadeghi, 2024).

    ``f_t = sigmoid(W_f x_t + b_f)``, ``i_t = sigmoid(W_i x_t + b_i)``,
    ``h~_t = W_h x_t + b_h``, normalised gates ``f' = f / (f + i)``,
    ``i' = i / (f + i)``, and ``h_t = f' * h_{t-1} + i' * h~_t``.
    """

    n_projections = 3

    def step(self, projected, h):
        x_f, x_i, candidate = projected.chunk(3, dim=-1)
        f, i = torch.sigmoid(x_f), torch.sigmoid(x_i)
        total = f + i
        return (f / total) * h + (i / total) * candidate


class StackedCells(nn.Module):
    """Layers of one custom cell, stacked; the interface of ``torch.nn.RNN``.

    Parameters
    ----------
    layer : type
        The layer class, e.g. :class:`MGULayer`.
    input_size : int
        Dimension of the inputs.
    hidden_size : int
        Size of each layer's state.
    num_layers : int
        Number of layers.
    """

    def __init__(self, layer, input_size, hidden_size, num_layers):
        super().__init__()
        self.hidden_size = hidden_size
        self.layers = nn.ModuleList(
            layer(input_size if i == 0 else hidden_size, hidden_size)
            for i in range(num_layers)
        )

    def forward(self, X, state=None):
        if state is None:
            state = X.new_zeros(len(self.layers), X.shape[0], self.hidden_size)
        last_states = []
        for layer, h in zip(self.layers, state.unbind(0), strict=True):
            X, h = layer(X, h)
            last_states.append(h)
        return X, torch.stack(last_states)
