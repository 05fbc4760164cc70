"""Several :class:`.networks.SemanticReader` of one shape as one network.

Each parameter of the readers is stacked along a first *model* axis: one
matrix product per step serves every model (:mod:`.recurrences`), and one
optimizer over the stacked tensors updates each model as its own optimizer
would (Adam, SGD, RMSprop and AdamW work element by element). The models never
mix: model ``s``'s outputs depend on its own weights and inputs only, and the
gradient of the sum of the models' losses is, for each model, the gradient of
its own loss.
"""

from collections.abc import Sequence
from typing import cast

import torch
from torch import Tensor, nn

from .networks import SemanticReader
from .recurrences import GATES, recurrent_layer

_LAYER_WEIGHTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class StackedReaders(nn.Module):
    """The parameters of several ``SemanticReader`` of one shape, stacked.

    Parameters
    ----------
    readers : sequence of SemanticReader
        Readers of one built-in unit (``"rnn"``, ``"lstm"`` or ``"gru"``) and
        one shape; their current weights are copied.
    """

    def __init__(self, readers: Sequence[SemanticReader]) -> None:
        super().__init__()
        first = readers[0]
        unit = first.encoder.unit
        if not isinstance(unit, str) or unit not in GATES:
            raise ValueError(
                f"Only the units {sorted(GATES)} can be stacked; got {unit!r}."
            )
        self.unit: str = unit
        self.num_layers = cast(int, first.encoder.recurrent.num_layers)
        #: The readers' parameter names, in their order.
        self.names = [name for name, _ in first.named_parameters()]
        per_reader = [dict(reader.named_parameters()) for reader in readers]
        self.stacked = nn.ParameterList(
            nn.Parameter(torch.stack([p[name].detach() for p in per_reader]))
            for name in self.names
        )

    def __len__(self) -> int:
        return len(self.stacked[0])

    def forward(self, X: Tensor) -> Tensor:
        """Each model's points ``(S, T, B, d)`` (time before batch) from its
        windows ``X`` ``(S, B, T, I)``."""
        weights = dict(zip(self.names, self.stacked, strict=True))
        x = X.transpose(1, 2).contiguous()
        for layer in range(self.num_layers):
            x = recurrent_layer(
                self.unit,
                x,
                tuple(
                    weights[f"encoder.recurrent.{name}_l{layer}"]
                    for name in _LAYER_WEIGHTS
                ),
            )[0]
        S, T, B, H = x.shape
        points = torch.baddbmm(
            weights["readout.bias"].unsqueeze(1),
            x.reshape(S, T * B, H),
            weights["readout.weight"].transpose(1, 2),
        )
        return points.view(S, T, B, -1)

    def reader_state(self, index: int) -> dict[str, Tensor]:
        """Model ``index``'s weights, as its reader's ``state_dict``."""
        return {
            name: p[index].detach().clone()
            for name, p in zip(self.names, self.stacked, strict=True)
        }

    def keep(self, indices: Sequence[int]) -> None:
        """Keep only the models at ``indices``, in that order (new parameters:
        an optimizer must be built over them again)."""
        index = torch.as_tensor(list(indices), device=self.stacked[0].device)
        self.stacked = nn.ParameterList(
            nn.Parameter(p.detach().index_select(0, index)) for p in self.stacked
        )
