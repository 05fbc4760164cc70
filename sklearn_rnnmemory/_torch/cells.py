"""Recurrent units without a fused torch kernel, as custom cells.

Each layer computes the input projections of every step in one matrix product,
then iterates over time with ``unbind(1)`` (never ``x[:, t]`` inside autograd,
whose backward grows quadratically with the length). A stack of layers behaves
like ``torch.nn.RNN``: ``forward(X, state=None) -> (outputs, state)`` with
``outputs`` ``(B, T, H)`` of the last layer and ``state`` ``(num_layers, B, H)``.
"""

from collections.abc import Callable
from typing import cast

import torch
from torch import Tensor, nn


class _Layer(nn.Module):
    """One layer: ``project`` all steps at once, then ``step`` through time."""

    n_projections = 1
    #: The recurrence of one step, ``step(projected, h) -> h``, per unit.
    step: Callable[[Tensor, Tensor], Tensor]

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.input = nn.Linear(input_size, self.n_projections * hidden_size)

    def forward(self, X: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
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

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__(input_size, hidden_size)
        self.forget = nn.Linear(hidden_size, hidden_size, bias=False)
        self.candidate = nn.Linear(hidden_size, hidden_size, bias=False)

    def step(self, projected: Tensor, h: Tensor) -> Tensor:
        x_f, x_h = projected.chunk(2, dim=-1)
        f = torch.sigmoid(x_f + self.forget(h))
        candidate = torch.tanh(x_h + self.candidate(f * h))
        return (1 - f) * h + f * candidate


class IndRNNLayer(_Layer):
    """Independently recurrent unit (Li, Li, Cook, Zhu & Gao, CVPR 2018).

    ``h_t = relu(W x_t + u * h_{t-1} + b)`` with a recurrent *vector* ``u``:
    each unit recurs only on itself. ``u`` starts uniform in [0, 1).
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__(input_size, hidden_size)
        self.recurrent_weight = nn.Parameter(torch.rand(hidden_size))

    def step(self, projected: Tensor, h: Tensor) -> Tensor:
        return torch.relu(projected + self.recurrent_weight * h)


class MinGRULayer(_Layer):
    """minGRU (Feng, Tung, Ahmed, Bengio & Hajimirsadeghi, 2024).

    ``z_t = sigmoid(W_z x_t + b_z)``, ``h~_t = W_h x_t + b_h``,
    ``h_t = (1 - z_t) * h_{t-1} + z_t * h~_t``: the gates do not read ``h``.
    """

    n_projections = 2

    def step(self, projected: Tensor, h: Tensor) -> Tensor:
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

    def step(self, projected: Tensor, h: Tensor) -> Tensor:
        x_f, x_i, candidate = projected.chunk(3, dim=-1)
        f, i = torch.sigmoid(x_f), torch.sigmoid(x_i)
        total = f + i
        return (f / total) * h + (i / total) * candidate


class PeepholeLSTMLayer(_Layer):
    """LSTM with peephole connections (Gers & Schmidhuber, 2000).

    ``i_t = sigmoid(W_i x_t + U_i h_{t-1} + p_i * c_{t-1} + b_i)``,
    ``f_t = sigmoid(W_f x_t + U_f h_{t-1} + p_f * c_{t-1} + b_f)``,
    ``c_t = f_t * c_{t-1} + i_t * tanh(W_g x_t + U_g h_{t-1} + b_g)``,
    ``o_t = sigmoid(W_o x_t + U_o h_{t-1} + p_o * c_t + b_o)``,
    ``h_t = o_t * tanh(c_t)``. The cell state starts at zero with ``h``; the
    layer's output is ``h``.
    """

    n_projections = 4

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__(input_size, hidden_size)
        self.hidden = nn.Linear(hidden_size, 4 * hidden_size, bias=False)
        self.peephole = nn.Parameter(torch.zeros(3, hidden_size))

    def forward(self, X: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        c = torch.zeros_like(h)
        outputs = []
        for projected in self.input(X).unbind(1):
            x_i, x_f, x_g, x_o = (projected + self.hidden(h)).chunk(4, dim=-1)
            i = torch.sigmoid(x_i + self.peephole[0] * c)
            f = torch.sigmoid(x_f + self.peephole[1] * c)
            c = f * c + i * torch.tanh(x_g)
            o = torch.sigmoid(x_o + self.peephole[2] * c)
            h = o * torch.tanh(c)
            outputs.append(h)
        return torch.stack(outputs, dim=1), h


class OrthogonalRNNLayer(_Layer):
    """Vanilla tanh cell whose recurrent matrix stays orthogonal.

    ``h_t = tanh(W x_t + U h_{t-1} + b)`` with ``U`` orthogonal through
    ``torch.nn.utils.parametrizations.orthogonal`` (the matrix exponential of
    a skew-symmetric matrix, as in expRNN, Lezcano-Casado & Martinez-Rubio 2019).
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__(input_size, hidden_size)
        self.recurrent = nn.utils.parametrizations.orthogonal(
            nn.Linear(hidden_size, hidden_size, bias=False),
            orthogonal_map="matrix_exp",
        )

    def forward(self, X: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        # one evaluation of the parametrisation
        U = cast(Tensor, self.recurrent.weight)
        outputs = []
        for projected in self.input(X).unbind(1):
            h = torch.tanh(projected + h @ U.T)
            outputs.append(h)
        return torch.stack(outputs, dim=1), h


class LRULayer(nn.Module):
    """Linear recurrent unit (Orvieto et al., ICML 2023).

    A complex diagonal recurrence ``x_t = lambda * x_{t-1} + gamma * (B u_t)``
    with ``lambda = exp(-exp(nu) + i exp(theta))`` and
    ``gamma = sqrt(1 - |lambda|^2)``, read out as ``y_t = Re(C x_t) + D u_t``.
    ``|lambda|`` starts uniform on the ring [0.9, 0.999], the phase in
    [0, pi / 10]. The state has ``hidden_size`` complex entries and starts at
    zero; the output ``y_t`` (``hidden_size`` reals) is the layer's hidden state.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        r_min: float = 0.9,
        r_max: float = 0.999,
    ) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        u1, u2 = torch.rand(hidden_size), torch.rand(hidden_size)
        modulus = torch.sqrt(u1 * (r_max**2 - r_min**2) + r_min**2)
        self.nu_log = nn.Parameter(torch.log(-torch.log(modulus)))
        self.theta_log = nn.Parameter(torch.log(u2 * torch.pi / 10))
        scale = 1 / (2 * input_size) ** 0.5
        self.B_re = nn.Parameter(torch.randn(hidden_size, input_size) * scale)
        self.B_im = nn.Parameter(torch.randn(hidden_size, input_size) * scale)
        self.C_re = nn.Parameter(
            torch.randn(hidden_size, hidden_size) / hidden_size**0.5
        )
        self.C_im = nn.Parameter(
            torch.randn(hidden_size, hidden_size) / hidden_size**0.5
        )
        self.D = nn.Parameter(torch.randn(hidden_size, input_size) / input_size**0.5)

    def coefficients(self) -> tuple[Tensor, Tensor, Tensor]:
        """``lambda`` (real and imaginary parts) and ``gamma``."""
        modulus = torch.exp(-torch.exp(self.nu_log))
        phase = torch.exp(self.theta_log)
        gamma = torch.sqrt(1 - modulus**2)
        return modulus * torch.cos(phase), modulus * torch.sin(phase), gamma

    def forward(self, X: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        lam_re, lam_im, gamma = self.coefficients()
        Bu_re = (X @ self.B_re.T).unbind(1)
        Bu_im = (X @ self.B_im.T).unbind(1)
        x_re = torch.zeros_like(h)
        x_im = torch.zeros_like(h)
        states = []
        for b_re, b_im in zip(Bu_re, Bu_im, strict=True):
            x_re, x_im = (
                lam_re * x_re - lam_im * x_im + gamma * b_re,
                lam_re * x_im + lam_im * x_re + gamma * b_im,
            )
            states.append((x_re, x_im))
        x_re = torch.stack([s[0] for s in states], dim=1)
        x_im = torch.stack([s[1] for s in states], dim=1)
        y = x_re @ self.C_re.T - x_im @ self.C_im.T + X @ self.D.T
        return y, y[:, -1]


class EchoStateLayer(nn.Module):
    """Leaky echo-state reservoir with fixed random weights (Jaeger, 2001).

    ``x_t = (1 - a) x_{t-1} + a tanh(W_in u_t + W x_{t-1} + b)`` with ``W``
    random, scaled to spectral radius 0.9, ``W_in`` and ``b`` uniform in
    [-1, 1], leak ``a = 0.5``. Nothing here is trained: the weights are buffers,
    so only the readout of the network learns. The untrained baseline.
    """

    W: Tensor
    W_in: Tensor
    bias: Tensor  # buffers, not parameters

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        spectral_radius: float = 0.9,
        leak: float = 0.5,
    ) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.leak = leak
        W = torch.randn(hidden_size, hidden_size)
        W *= spectral_radius / torch.linalg.eigvals(W).abs().max()
        self.register_buffer("W", W)
        self.register_buffer("W_in", torch.rand(hidden_size, input_size) * 2 - 1)
        self.register_buffer("bias", torch.rand(hidden_size) * 2 - 1)

    def forward(self, X: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        outputs = []
        for projected in (X @ self.W_in.T + self.bias).unbind(1):
            h = (1 - self.leak) * h + self.leak * torch.tanh(projected + h @ self.W.T)
            outputs.append(h)
        return torch.stack(outputs, dim=1), h


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

    def __init__(
        self,
        layer: type[nn.Module],
        input_size: int,
        hidden_size: int,
        num_layers: int,
    ) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.layers = nn.ModuleList(
            layer(input_size if i == 0 else hidden_size, hidden_size)
            for i in range(num_layers)
        )

    def forward(self, X: Tensor, state: Tensor | None = None) -> tuple[Tensor, Tensor]:
        if state is None:
            state = X.new_zeros(len(self.layers), X.shape[0], self.hidden_size)
        last_states = []
        for layer, h in zip(self.layers, state.unbind(0), strict=True):
            X, h = layer(X, h)
            last_states.append(h)
        return X, torch.stack(last_states)
