"""Recurrent units, by short name, and the networks built on them.

``rnn``, ``lstm`` and ``gru`` run on ``torch.nn.RNN/LSTM/GRU`` over whole windows
(cuDNN on GPU, oneDNN on CPU): no per-step Python loop. ``mgu``, ``indrnn``,
``mingru``, ``minlstm``, ``peephole_lstm``, ``orthogonal``, ``lru`` and ``esn``
are custom cells (see ``_cells``).
"""

import torch
from torch import nn

from ._cells import (
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


def _custom(layer):
    def build(input_size, hidden_size, num_layers):
        return StackedCells(layer, input_size, hidden_size, num_layers)

    build.__doc__ = layer.__doc__
    return build


#: Recurrent units by name: each builds a module ``(input_size, hidden_size,
#: num_layers) -> nn.Module`` whose forward maps ``(B, T, I)`` to ``(outputs,
#: state)`` with ``outputs`` of shape ``(B, T, H)``, as ``torch.nn.RNN`` does.
UNITS = {
    "rnn": _rnn,
    "lstm": _lstm,
    "gru": _gru,
    "mgu": _custom(MGULayer),
    "indrnn": _custom(IndRNNLayer),
    "mingru": _custom(MinGRULayer),
    "minlstm": _custom(MinLSTMLayer),
    "peephole_lstm": _custom(PeepholeLSTMLayer),
    "orthogonal": _custom(OrthogonalRNNLayer),
    "lru": _custom(LRULayer),
    "esn": _custom(EchoStateLayer),
}


#: Multiply-adds per step and sequence of one layer, ``(i, h) -> int`` for input
#: size i and hidden size h, without the readout: h (h + i) for a vanilla cell,
#: 4 h (h + i) for the LSTM, ...; the LRU counts a complex product as 4 real ones.
LAYER_MACS = {
    "rnn": lambda i, h: h * (h + i),
    "lstm": lambda i, h: 4 * h * (h + i),
    "gru": lambda i, h: 3 * h * (h + i),
    "mgu": lambda i, h: 2 * h * (h + i),
    "indrnn": lambda i, h: h * i + h,
    "mingru": lambda i, h: 2 * h * i,
    "minlstm": lambda i, h: 3 * h * i,
    "peephole_lstm": lambda i, h: 4 * h * (h + i) + 3 * h,
    "orthogonal": lambda i, h: h * (h + i),
    "lru": lambda i, h: 3 * h * i + 2 * h * h + 4 * h,
    "esn": lambda i, h: h * (h + i),
}


def macs_per_step(unit, input_size, hidden_size, num_layers=1):
    """Multiply-adds per step and sequence of a stack of ``unit`` layers.

    Parameters
    ----------
    unit : str
        A key of :data:`UNITS`.
    input_size : int
        Dimension of the inputs of the first layer.
    hidden_size : int
        Size of each layer's state.
    num_layers : int, default=1
        Number of stacked layers (the others read ``hidden_size`` inputs).

    Returns
    -------
    macs : int
    """
    layer = LAYER_MACS[check_unit(unit)]
    return layer(input_size, hidden_size) + (num_layers - 1) * layer(
        hidden_size, hidden_size
    )


def check_unit(unit):
    """Raise a ValueError unless ``unit`` names a known recurrent unit."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {sorted(UNITS)}; got {unit!r}.")
    return unit


class RecurrentEncoder(nn.Module):
    """A stack of one recurrent unit; the shared core of every network.

    Inputs must be finite: the estimators zero-fill the padding at the end of
    each window before reading it. Being causal, the states at valid steps do
    not depend on what padding holds.

    Parameters
    ----------
    unit : str
        Name of the recurrent unit, a key of :data:`UNITS`.
    input_size : int
        Dimension of the inputs.
    hidden_size : int
        Size ``H`` of the hidden state.
    num_layers : int
        Number of stacked recurrent layers.
    """

    def __init__(self, unit, input_size, hidden_size, num_layers):
        super().__init__()
        self.unit = check_unit(unit)
        self.recurrent = UNITS[unit](input_size, hidden_size, num_layers)

    def forward(self, X):
        """Hidden states of the last layer at every step, ``(B, T, H)``."""
        return self.recurrent(X)[0]

    def states(self, X, with_cell=False):
        """Hidden states ``(B, T, H)``; with ``with_cell=True`` (LSTM only) the
        cell states are appended, ``(B, T, 2H)``. Cell states are read one step
        at a time, since ``torch.nn.LSTM`` returns only the last one."""
        if not with_cell:
            return self(X)
        state, outputs = None, []
        for x_t in X.unbind(1):
            out, state = self.recurrent(x_t.unsqueeze(1), state)
            outputs.append(torch.cat([out[:, 0], state[1][-1]], dim=-1))
        return torch.stack(outputs, dim=1)


class SemanticReader(nn.Module):
    """A recurrent encoder read out linearly into the semantic space.

    ``S^_t = M h_t + b``, where ``h_t`` is the hidden state after reading
    ``x_1..x_t`` from a zero state.

    Parameters
    ----------
    unit, input_size, hidden_size, num_layers
        As for :class:`RecurrentEncoder`.
    output_size : int
        Dimension of the semantic space the readout maps into.
    """

    def __init__(self, unit, input_size, hidden_size, num_layers, output_size):
        super().__init__()
        self.encoder = RecurrentEncoder(unit, input_size, hidden_size, num_layers)
        self.readout = nn.Linear(hidden_size, output_size)

    def forward(self, X):
        return self.readout(self.encoder(X))

    def states(self, X, with_cell=False):
        return self.encoder.states(X, with_cell)


class SequenceClassifierModule(nn.Module):
    """Class logits from the state at each sequence's last valid step.

    Parameters
    ----------
    unit, input_size, hidden_size, num_layers
        As for :class:`RecurrentEncoder`.
    n_classes : int
        Number of classes.
    """

    def __init__(self, unit, input_size, hidden_size, num_layers, n_classes):
        super().__init__()
        self.encoder = RecurrentEncoder(unit, input_size, hidden_size, num_layers)
        self.head = nn.Linear(hidden_size, n_classes)

    def forward(self, X):
        lengths = (~torch.isnan(X).all(dim=-1)).sum(dim=1).clamp(min=1)
        states = self.encoder(torch.nan_to_num(X, nan=0.0))
        last = states[torch.arange(states.shape[0], device=X.device), lengths - 1]
        return self.head(last)

    def states(self, X, with_cell=False):
        return self.encoder.states(X, with_cell)


class LanguageModelModule(nn.Module):
    """Next-token logits from token ids: embedding, recurrent encoder, head.

    Inputs are ``(B, T, 1)`` float token ids, NaN at padding.

    Parameters
    ----------
    unit, hidden_size, num_layers
        As for :class:`RecurrentEncoder`.
    vocab_size : int
        Number of token ids.
    embedding_dim : int
        Dimension of the token embeddings the encoder reads.
    """

    def __init__(self, unit, vocab_size, embedding_dim, hidden_size, num_layers):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.encoder = RecurrentEncoder(unit, embedding_dim, hidden_size, num_layers)
        self.head = nn.Linear(hidden_size, vocab_size)

    def embed(self, X):
        """Token embeddings ``(B, T, E)``; zero at padding (NaN ids)."""
        ids = X[..., 0]
        vectors = self.embedding(torch.nan_to_num(ids, nan=0.0).long())
        return vectors.masked_fill(torch.isnan(ids).unsqueeze(-1), 0.0)

    def forward(self, X):
        return self.head(self.encoder(self.embed(X)))

    def states(self, X, with_cell=False):
        return self.encoder.states(self.embed(X), with_cell)


class MaskedSemanticLoss(nn.Module):
    """Mean over valid steps of ``||S^_t - S_t||^2``.

    Parameters
    ----------
    masked : bool, default=True
        ``True``: ``y_true`` is ``(B, T, d + 1)``, the targets ``S_t`` (zero
        at padding) and, last, the validity mask (1 at valid steps, 0 at
        padding). ``False``: ``y_true`` is ``(B, T, d)``, every step valid.
    """

    def __init__(self, masked=True):
        super().__init__()
        self.masked = masked

    def forward(self, y_pred, y_true):
        if not self.masked:
            return (y_pred - y_true).pow(2).sum(-1).mean()
        mask = y_true[..., -1:]
        diff = y_pred - y_true[..., :-1]
        if bool(mask.all()):  # no padding in this batch: skip the mask
            return diff.pow(2).sum(-1).mean()
        return (diff * mask).pow(2).sum() / mask.sum().clamp(min=1)


class TokenCrossEntropy(nn.Module):
    """Mean cross-entropy of next-token logits ``(B, T, V)`` against ids
    ``(B, T)``; ids below 0 (padding) are ignored."""

    def forward(self, y_pred, y_true):
        return nn.functional.cross_entropy(
            y_pred.reshape(-1, y_pred.shape[-1]),
            y_true.reshape(-1).long(),
            ignore_index=-1,
        )
