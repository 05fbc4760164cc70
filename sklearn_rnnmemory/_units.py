"""Recurrent units, by short name, and the network that reads into the SES.

``rnn``, ``lstm`` and ``gru`` run on ``torch.nn.RNN/LSTM/GRU`` over whole windows
(cuDNN on GPU, oneDNN on CPU): no per-step Python loop.
"""

import torch
from torch import nn


def _rnn(input_size, hidden_size, num_layers):
    """Vanilla (Elman) unit: ``h_t = tanh(W x_t + U h_{t-1} + b)``."""
    return nn.RNN(
        input_size, hidden_size, num_layers, nonlinearity="tanh", batch_first=True
    )


def _lstm(input_size, hidden_size, num_layers):
    """LSTM with forget gate (Hochreiter & Schmidhuber 1997; Gers et al. 2000)."""
    return nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)


def _gru(input_size, hidden_size, num_layers):
    """GRU (Cho et al. 2014), in PyTorch's reset-after form."""
    return nn.GRU(input_size, hidden_size, num_layers, batch_first=True)


#: Recurrent units by name: each builds a module ``(input_size, hidden_size,
#: num_layers) -> nn.Module`` whose forward maps ``(B, T, I)`` to ``(outputs,
#: state)`` with ``outputs`` of shape ``(B, T, H)``, as ``torch.nn.RNN`` does.
UNITS = {"rnn": _rnn, "lstm": _lstm, "gru": _gru}


def check_unit(unit):
    """Raise a ValueError unless ``unit`` names a known recurrent unit."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {sorted(UNITS)}; got {unit!r}.")
    return unit


class SemanticReader(nn.Module):
    """A recurrent layer read out linearly into the semantic space.

    ``S^_t = M h_t + b``, where ``h_t`` is the hidden state after reading
    ``x_1..x_t`` from a zero state. NaN inputs (padding at the end of a window)
    are read as zeros; being causal, the network's outputs at valid steps do not
    depend on them.

    Parameters
    ----------
    unit : str
        Name of the recurrent unit, a key of :data:`UNITS`.
    input_size : int
        Dimension ``d`` of the input points.
    hidden_size : int
        Size ``H`` of the hidden state.
    num_layers : int
        Number of stacked recurrent layers.
    output_size : int
        Dimension of the semantic space the readout maps into.
    """

    def __init__(self, unit, input_size, hidden_size, num_layers, output_size):
        super().__init__()
        self.unit = check_unit(unit)
        self.recurrent = UNITS[unit](input_size, hidden_size, num_layers)
        self.readout = nn.Linear(hidden_size, output_size)

    def forward(self, X):
        hidden, _ = self.recurrent(torch.nan_to_num(X, nan=0.0))
        return self.readout(hidden)

    def states(self, X, with_cell=False):
        """Hidden states of the last layer at every step, ``(B, T, H)``.

        With ``with_cell=True`` (LSTM only) the cell states are appended,
        giving ``(B, T, 2H)``; they are read one step at a time, since
        ``torch.nn.LSTM`` returns only the last step's cell state.
        """
        X = torch.nan_to_num(X, nan=0.0)
        if not with_cell:
            return self.recurrent(X)[0]
        state, outputs = None, []
        for x_t in X.unbind(1):
            out, state = self.recurrent(x_t.unsqueeze(1), state)
            outputs.append(torch.cat([out[:, 0], state[1][-1]], dim=-1))
        return torch.stack(outputs, dim=1)


class MaskedSemanticLoss(nn.Module):
    """Mean over valid steps of ``||S^_t - S_t||^2``; NaN targets are padding."""

    def forward(self, y_pred, y_true):
        valid = ~torch.isnan(y_true).all(dim=-1, keepdim=True)
        diff = torch.where(valid, y_pred - torch.nan_to_num(y_true, nan=0.0), 0.0)
        return diff.pow(2).sum() / valid.sum().clamp(min=1)
