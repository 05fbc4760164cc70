"""Torch's GRU and vanilla RNN, trained a whole window at a time on the CPU.

:class:`WindowGRU` and :class:`WindowRNN` are ``torch.nn.GRU`` and
``torch.nn.RNN`` (same parameters, ``state_dict``, equations and results within
float rounding) except in one case: a forward pass on the CPU that autograd
records, over windows of at least :data:`SHORTEST_WINDOW` steps, runs through
:func:`.recurrences.recurrent_layer`, one autograd node per window and layer
with a hand-written backward, instead of torch's step-by-step kernel, whose
backward records a dozen small operations per step. Measured on the study's
sizes (``benchmarks/bench_stacked.py``, docs/performance.md), that makes a
training update of a GRU up to 1.8x faster and of a vanilla RNN up to 1.6x;
torch's own kernels stay for everything else: on accelerators (cuDNN), without
gradients (reading a trained model, where torch's kernel is the faster), for
shorter windows (where the two were even or torch's the faster), and for
options this path does not take.

``torch.nn.LSTM`` needs no such class: on the CPU torch runs it through
oneDNN's fused kernel, which a per-step loop does not beat for one model.
"""

import torch
from torch import Tensor, nn

from .recurrences import recurrent_layer

_WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")

#: Windows shorter than this train on torch's own kernel: at 5 steps torch's
#: was as fast or faster, from 10 steps on the window path was.
SHORTEST_WINDOW = 8


class _TrainedByWindow:
    """The forward pass of a ``WindowGRU`` or ``WindowRNN``."""

    unit: str

    def _by_window(self, input):
        return (
            isinstance(input, Tensor)
            and input.device.type == "cpu"
            and input.dim() == 3
            and input.shape[1 if self.batch_first else 0] >= SHORTEST_WINDOW
            and input.dtype in (torch.float32, torch.float64)
            and torch.is_grad_enabled()
            and any(p.requires_grad for p in self.parameters())
            and not self.bidirectional
            and self.bias
            and getattr(self, "proj_size", 0) == 0
            and (self.dropout == 0 or not self.training or self.num_layers == 1)
            and getattr(self, "nonlinearity", "tanh") == "tanh"
        )

    def forward(self, input, hx=None):
        if not self._by_window(input):
            return super().forward(input, hx)
        steps = input.transpose(0, 1) if self.batch_first else input
        x = steps.unsqueeze(0).contiguous()  # (1, T, B, I): one model
        last_states = []
        for layer in range(self.num_layers):
            weights = tuple(
                getattr(self, f"{name}_l{layer}").unsqueeze(0) for name in _WEIGHT_NAMES
            )
            h0 = None if hx is None else hx[layer].unsqueeze(0)
            x, h_n, _ = recurrent_layer(self.unit, x, weights, h0)
            last_states.append(h_n[0])
        outputs = x[0]
        if self.batch_first:
            outputs = outputs.transpose(0, 1)
        return outputs, torch.stack(last_states)


class WindowGRU(_TrainedByWindow, nn.GRU):
    """``torch.nn.GRU``, trained a window at a time on the CPU (see the module)."""

    unit = "gru"


class WindowRNN(_TrainedByWindow, nn.RNN):
    """``torch.nn.RNN`` (tanh), trained a window at a time on the CPU (see the
    module)."""

    unit = "rnn"
