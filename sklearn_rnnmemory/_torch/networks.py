"""The networks of the three tasks, on one recurrent encoder.

- :class:`SemanticReader`: the memory task (definitions §3.3), the encoder's
  states read out linearly into the semantic space;
- :class:`SequenceClassifierModule`: class logits from the state at each
  sequence's last valid step;
- :class:`LanguageModelModule`: next-token logits from embedded token ids.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .registry import UnitLike, check_unit
from .unit_checks import build_unit


class RecurrentEncoder(nn.Module):
    """A stack of one recurrent unit; the shared core of every network.

    Inputs must be finite: the estimators zero-fill the padding at the end of
    each window before reading it. Being causal, the states at valid steps do
    not depend on what padding holds.

    Parameters
    ----------
    unit : str, torch.nn.Module subclass or callable
        A key of :data:`.registry.UNITS` or a unit of the user's own.
    input_size : int
        Dimension of the inputs.
    hidden_size : int
        Size ``H`` of the hidden state.
    num_layers : int
        Number of stacked recurrent layers.
    """

    def __init__(
        self, unit: UnitLike, input_size: int, hidden_size: int, num_layers: int
    ) -> None:
        super().__init__()
        self.unit = check_unit(unit)
        self.recurrent = build_unit(unit, input_size, hidden_size, num_layers)

    def forward(self, X: Tensor) -> Tensor:
        """Hidden states of the last layer at every step, ``(B, T, H)``."""
        return self.recurrent(X)[0]

    def states(self, X: Tensor, with_cell: bool = False) -> Tensor:
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
    n_outputs : int
        Outputs of the linear readout: the dimension of the semantic space, or
        (in :class:`SequenceClassifierModule`) the number of classes.
    """

    def __init__(
        self,
        unit: UnitLike,
        input_size: int,
        hidden_size: int,
        num_layers: int,
        n_outputs: int,
    ) -> None:
        super().__init__()
        self.encoder = RecurrentEncoder(unit, input_size, hidden_size, num_layers)
        self.readout = nn.Linear(hidden_size, n_outputs)

    def forward(self, X: Tensor) -> Tensor:
        return self.readout(self.encoder(X))

    def states(self, X: Tensor, with_cell: bool = False) -> Tensor:
        return self.encoder.states(X, with_cell)


class SequenceClassifierModule(SemanticReader):
    """Class logits read out from the state at each sequence's last valid step.

    Takes the parameters of :class:`SemanticReader`, ``n_outputs`` being the
    number of classes.
    """

    def forward(self, X: Tensor) -> Tensor:
        lengths = (~torch.isnan(X).all(dim=-1)).sum(dim=1).clamp(min=1)
        states = self.encoder(torch.nan_to_num(X, nan=0.0))
        last = states[torch.arange(states.shape[0], device=X.device), lengths - 1]
        return self.readout(last)


class LanguageModelModule(nn.Module):
    """Next-token logits from token ids: embedding, recurrent encoder, readout.

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

    def __init__(
        self,
        unit: UnitLike,
        vocab_size: int,
        embedding_dim: int,
        hidden_size: int,
        num_layers: int,
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.encoder = RecurrentEncoder(unit, embedding_dim, hidden_size, num_layers)
        self.readout = nn.Linear(hidden_size, vocab_size)

    def embed(self, X: Tensor) -> Tensor:
        """Token embeddings ``(B, T, E)``; zero at padding (NaN ids)."""
        ids = X[..., 0]
        vectors = self.embedding(torch.nan_to_num(ids, nan=0.0).long())
        return vectors.masked_fill(torch.isnan(ids).unsqueeze(-1), 0.0)

    def forward(self, X: Tensor) -> Tensor:
        return self.readout(self.encoder(self.embed(X)))

    def states(self, X: Tensor, with_cell: bool = False) -> Tensor:
        return self.encoder.states(self.embed(X), with_cell)
