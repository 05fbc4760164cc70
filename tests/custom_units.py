"""Recurrent units of a user's own, importable, for the tests.

``MIRNNCell`` follows every rule; each other unit breaks one rule, named in
``BROKEN``. Worker processes (loky, Dask) import this module by name.
"""

import os
import random
import signal

import numpy as np
import torch
from torch import nn


class MIRNNCell(nn.Module):
    """Multiplicative-integration RNN (Wu et al., 2016), stacked.

    ``h_t = tanh(alpha * (W x_t) * (U h_{t-1}) + beta_1 * (U h_{t-1}) +
    beta_2 * (W x_t) + b)``.
    """

    def __init__(self, input_size, hidden_size, num_layers=1):
        super().__init__()
        self.hidden_size = hidden_size
        self.W = nn.ModuleList(
            nn.Linear(input_size if i == 0 else hidden_size, hidden_size)
            for i in range(num_layers)
        )
        self.U = nn.ModuleList(
            nn.Linear(hidden_size, hidden_size, bias=False) for _ in range(num_layers)
        )
        self.gates = nn.Parameter(torch.ones(num_layers, 3, hidden_size))

    @staticmethod
    def macs_per_step(input_size, hidden_size, num_layers):
        first = hidden_size * (input_size + hidden_size)
        return first + (num_layers - 1) * 2 * hidden_size * hidden_size

    def forward(self, X, state=None):
        last = []
        for W, U, (alpha, beta_1, beta_2) in zip(
            self.W, self.U, self.gates, strict=True
        ):
            h = X.new_zeros(X.shape[0], self.hidden_size)
            outputs = []
            for wx in W(X).unbind(1):
                uh = U(h)
                h = torch.tanh(alpha * wx * uh + beta_1 * uh + beta_2 * wx)
                outputs.append(h)
            X = torch.stack(outputs, dim=1)
            last.append(h)
        return X, torch.stack(last)


def mirnn(input_size, hidden_size, num_layers):
    """A factory of :class:`MIRNNCell` (declares no multiply-adds)."""
    return MIRNNCell(input_size, hidden_size, num_layers)


def batch_first_gru(input_size, hidden_size, num_layers):
    """A factory of ``torch.nn.GRU``, batch first."""
    return nn.GRU(input_size, hidden_size, num_layers, batch_first=True)


class CtrlCGRU(nn.Module):
    """A batch-first GRU that presses Ctrl-C on its own process mid-training.

    The key press lands inside skorch's training loop, which on its own would
    swallow it; the estimators, the study and the command line must stop all
    the same.
    """

    def __init__(self, input_size, hidden_size, num_layers=1):
        super().__init__()
        self.gru = nn.GRU(input_size, hidden_size, num_layers, batch_first=True)
        self.training_calls = 0

    def forward(self, X, state=None):
        if self.training and torch.is_grad_enabled():
            self.training_calls += 1
            if self.training_calls == 5:
                os.kill(os.getpid(), signal.SIGINT)
        return self.gru(X, state)


# -- units that break one rule each ----------------------------------------------


class NotBuilt(nn.Module):
    """Takes no sizes: breaks 'build'."""

    def __init__(self):
        super().__init__()


def not_a_module(input_size, hidden_size, num_layers):
    """Builds a tensor: breaks 'build' (a TypeError)."""
    return torch.zeros(hidden_size)


class OutputsOnly(nn.GRU):
    """Returns the outputs alone: breaks 'interface'."""

    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__(input_size, hidden_size, num_layers, batch_first=True)

    def forward(self, X, state=None):
        return super().forward(X, state)[0]


class WrongSize(nn.GRU):
    """One feature too many per step: breaks 'shape'."""

    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__(input_size, hidden_size + 1, num_layers, batch_first=True)


class TimeFirstGRU(nn.GRU):
    """Reads ``(time, batch, features)``: breaks 'batch-first'."""

    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__(input_size, hidden_size, num_layers)


class BidirectionalGRU(nn.Module):
    """Reads both ways, so padding reaches valid steps: breaks 'padding'."""

    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__()
        self.gru = nn.GRU(
            input_size, hidden_size // 2, num_layers, batch_first=True,
            bidirectional=True,
        )  # fmt: skip

    def forward(self, X, state=None):
        return self.gru(X, state)


class DetachedState(MIRNNCell):
    """Cuts the gradient between steps (truncation to one step): breaks
    'gradients'."""

    def forward(self, X, state=None):
        h = X.new_zeros(X.shape[0], self.hidden_size)
        outputs = []
        for wx in self.W[0](X).unbind(1):
            h = torch.tanh(wx + self.U[0](h.detach()))
            outputs.append(h)
        return torch.stack(outputs, dim=1), h[None]


class NumpyInit(MIRNNCell):
    """Draws initial weights from an unseeded numpy generator, which torch's
    seed does not reach: breaks 'determinism'."""

    def __init__(self, input_size, hidden_size, num_layers=1):
        super().__init__(input_size, hidden_size, num_layers)
        noise = np.random.default_rng().random(self.gates.shape)
        with torch.no_grad():
            self.gates.copy_(torch.from_numpy(noise))


class NoisyForward(MIRNNCell):
    """Adds noise from Python's generator at every forward pass: breaks
    'determinism'."""

    def forward(self, X, state=None):
        outputs, last = super().forward(X, state)
        return outputs + 1e-3 * random.random(), last


class StatefulInTraining(nn.GRU):
    """Carries its last state into the next call, in training mode only (as a
    truncated-BPTT unit of a language model would): breaks 'determinism' in
    training mode, and would train each window from another's state."""

    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__(input_size, hidden_size, num_layers, batch_first=True)
        self.carried = None

    def forward(self, X, state=None):
        if self.training and self.carried is not None:
            if self.carried.shape[1] == X.shape[0]:
                state = self.carried
        outputs, last = super().forward(X, state)
        if self.training:
            self.carried = last.detach()
        return outputs, last


class Float64Outputs(nn.GRU):
    """Returns float64 outputs for float32 inputs: breaks 'shape'."""

    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__(input_size, hidden_size, num_layers, batch_first=True)

    def forward(self, X, state=None):
        outputs, last = super().forward(X, state)
        return outputs.double(), last


class NaNInTraining(nn.GRU):
    """Finite in eval mode, NaN in training mode: breaks 'shape' there."""

    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__(input_size, hidden_size, num_layers, batch_first=True)

    def forward(self, X, state=None):
        outputs, last = super().forward(X, state)
        if self.training:
            outputs = outputs * float("nan")
        return outputs, last


class NaNOnLargeBatches(NaNInTraining):
    """NaN in training mode only on batches larger than the checks' tiny one,
    so that it reaches training: the loss is NaN before any update."""

    def forward(self, X, state=None):
        if X.shape[0] > 3:
            return super().forward(X, state)
        return nn.GRU.forward(self, X, state)


def rnn(input_size, hidden_size, num_layers):
    """A factory of the user's own that shares the built-in unit's name."""
    return nn.RNN(input_size, hidden_size, num_layers, batch_first=True)


#: Broken unit -> the rule it breaks.
BROKEN = {
    NotBuilt: "build",
    OutputsOnly: "interface",
    WrongSize: "shape",
    TimeFirstGRU: "batch-first",
    BidirectionalGRU: "padding",
    DetachedState: "gradients",
    NumpyInit: "determinism",
    NoisyForward: "determinism",
    StatefulInTraining: "determinism",
    Float64Outputs: "shape",
    NaNInTraining: "shape",
}
