"""Torch's RNN, LSTM and GRU over whole windows, for a stack of models at once.

On the CPU torch runs ``nn.LSTM`` through oneDNN's fused kernel, but
``nn.RNN`` and ``nn.GRU`` step by step, with autograd recording a dozen small
operations per step. For the small models of this library that per-step
bookkeeping, not arithmetic, is most of a training step. Here each layer is one
``torch.autograd.Function`` over the whole window: the forward loop runs without
autograd and keeps the gates, and the backward loop is written by hand, two to
four operations per step (the factors that do not depend on the incoming
gradient are computed for every step at once before it). The weights of the
recurrent matrix, the input projection and the readout get their gradients from
a few large matrix products over all steps.

Every tensor carries a leading *model* axis ``S``: ``S`` models of the same
shape (the seeds of one configuration) run in one loop, one batched matrix
product per step, so they share the per-step cost. ``S = 1`` is a single
model.

The equations and weight layout are torch's (``weight_ih_l{k}``,
``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``; gates ``i, f, g, o``
for the LSTM, ``r, z, n`` in the reset-after form for the GRU; ``tanh`` for the
RNN), so a model's ``state_dict`` is interchangeable with ``nn.RNN``'s,
``nn.LSTM``'s or ``nn.GRU``'s.

Layout: inputs and outputs are ``(S, T, B, features)``, time before batch, so
that one step is ``x[:, t]`` and all steps of one model are one matrix for the
large products.
"""

from collections.abc import Sequence

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

#: The units this module runs, with their number of gates.
GATES = {"rnn": 1, "lstm": 4, "gru": 3}

#: One layer's weights, each with the model axis first: ``weight_ih (S, G H,
#: I)``, ``weight_hh (S, G H, H)``, ``bias_ih (S, G H)``, ``bias_hh (S, G H)``.
LayerWeights = tuple[Tensor, Tensor, Tensor, Tensor]


def _one_minus_square(x: Tensor) -> Tensor:
    """``1 - x**2``, the derivative of ``tanh`` at its output ``x``."""
    return torch.addcmul(x.new_ones(()), x, x, value=-1)


def _sigmoid_slope(x: Tensor) -> Tensor:
    """``x (1 - x)``, the derivative of the sigmoid at its output ``x``."""
    return torch.addcmul(x, x, x, value=-1)


def _weight_gradient(d_gates: Tensor, inputs: Tensor) -> Tensor:
    """``sum over steps and windows of d_gates^T inputs``: ``(S, G, I)``."""
    S, T, B = inputs.shape[:3]
    return torch.bmm(
        d_gates.reshape(S, T * B, -1).transpose(1, 2), inputs.reshape(S, T * B, -1)
    )


class _RNNSequence(torch.autograd.Function):
    """``h_t = tanh(gi_t + h_{t-1} W^T)``; ``gi`` holds both biases."""

    @staticmethod
    def forward(ctx, gi, w_hh, h0):
        S, T, B, H = gi.shape
        states = gi.new_empty(S, T + 1, B, H)
        states[:, 0] = h0
        h = states.unbind(1)
        gi_ = gi.unbind(1)
        w_t = w_hh.transpose(1, 2)
        for t in range(T):
            torch.baddbmm(gi_[t], h[t], w_t, out=h[t + 1]).tanh_()
        ctx.save_for_backward(w_hh, states)
        return states[:, 1:]

    @staticmethod
    @once_differentiable
    def backward(ctx, d_out):
        w_hh, states = ctx.saved_tensors
        outputs = states[:, 1:]
        slope = _one_minus_square(outputs)
        d_pre = torch.empty_like(slope)
        slope_, d_pre_, d_out_ = slope.unbind(1), d_pre.unbind(1), d_out.unbind(1)
        T = slope.shape[1]
        dh = d_out_[T - 1]
        for t in range(T - 1, 0, -1):
            torch.mul(dh, slope_[t], out=d_pre_[t])
            dh = torch.baddbmm(d_out_[t - 1], d_pre_[t], w_hh)
        torch.mul(dh, slope_[0], out=d_pre_[0])
        d_h0 = torch.bmm(d_pre_[0], w_hh) if ctx.needs_input_grad[2] else None
        return d_pre, _weight_gradient(d_pre, states[:, :-1]), d_h0


class _LSTMSequence(torch.autograd.Function):
    """The LSTM; ``gi`` holds both biases, gates in the order ``o, i, f, g``
    (the sigmoid gates side by side), and so do the rows of ``w_hh``."""

    @staticmethod
    def forward(ctx, gi, w_hh, h0, c0):
        S, T, B, G = gi.shape
        H = G // 4
        states = gi.new_empty(S, T + 1, B, H)
        cells = gi.new_empty(S, T + 1, B, H)
        states[:, 0] = h0
        cells[:, 0] = c0
        gates = gi.new_empty(S, T, B, G)
        tanh_cells = gi.new_empty(S, T, B, H)
        h, c, gi_, gates_ = (x.unbind(1) for x in (states, cells, gi, gates))
        sig_ = gates[..., : 3 * H].unbind(1)
        o_, i_ = gates[..., :H].unbind(1), gates[..., H : 2 * H].unbind(1)
        f_, g_ = gates[..., 2 * H : 3 * H].unbind(1), gates[..., 3 * H :].unbind(1)
        tc_ = tanh_cells.unbind(1)
        w_t = w_hh.transpose(1, 2)
        for t in range(T):
            torch.baddbmm(gi_[t], h[t], w_t, out=gates_[t])
            sig_[t].sigmoid_()
            g_[t].tanh_()
            torch.mul(f_[t], c[t], out=c[t + 1]).addcmul_(i_[t], g_[t])
            torch.tanh(c[t + 1], out=tc_[t])
            torch.mul(o_[t], tc_[t], out=h[t + 1])
        ctx.save_for_backward(w_hh, states, cells, gates, tanh_cells)
        return states[:, 1:], cells[:, -1]

    @staticmethod
    @once_differentiable
    def backward(ctx, d_out, d_last_cell):
        w_hh, states, cells, gates, tanh_cells = ctx.saved_tensors
        S, T, B, H = tanh_cells.shape
        o, i = gates[..., :H], gates[..., H : 2 * H]
        f, g = gates[..., 2 * H : 3 * H], gates[..., 3 * H :]
        # d(pre-activation) = gradient x factor: slot 0 takes dh, slots 1-4
        # take dc (slot 4, f, carries dc to the step before).
        factors = gates.new_empty(S, T, B, 5, H)
        torch.mul(tanh_cells, _sigmoid_slope(o), out=factors[..., 0, :])
        torch.mul(g, _sigmoid_slope(i), out=factors[..., 1, :])
        torch.mul(cells[:, :-1], _sigmoid_slope(f), out=factors[..., 2, :])
        torch.mul(i, _one_minus_square(g), out=factors[..., 3, :])
        factors[..., 4, :] = f
        to_cell = o * _one_minus_square(tanh_cells)
        d = torch.empty_like(factors)
        d_flat = d.view(S, T, B, 5 * H)
        f_h_, f_c_ = factors[..., :1, :].unbind(1), factors[..., 1:, :].unbind(1)
        d_h_, d_c_ = d[..., :1, :].unbind(1), d[..., 1:, :].unbind(1)
        d_gates_ = d_flat[..., : 4 * H].unbind(1)
        d_carry_ = d_flat[..., 4 * H :].unbind(1)
        to_cell_, d_out_ = to_cell.unbind(1), d_out.unbind(1)
        dh, dc_next = d_out_[T - 1], d_last_cell
        for t in range(T - 1, -1, -1):
            dc = torch.addcmul(dc_next, dh, to_cell_[t])
            torch.mul(dh.unsqueeze(2), f_h_[t], out=d_h_[t])
            torch.mul(dc.unsqueeze(2), f_c_[t], out=d_c_[t])
            dc_next = d_carry_[t]
            if t:
                dh = torch.baddbmm(d_out_[t - 1], d_gates_[t], w_hh)
        d_gates = d_flat[..., : 4 * H]
        need_h0, need_c0 = ctx.needs_input_grad[2:4]
        return (
            d_gates,
            _weight_gradient(d_gates, states[:, :-1]),
            torch.bmm(d_gates_[0], w_hh) if need_h0 else None,
            dc_next if need_c0 else None,
        )


class _GRUSequence(torch.autograd.Function):
    """The GRU in torch's reset-after form; ``gi`` holds ``bias_ih``, gates in
    the order ``n, r, z``; ``w_hh`` and ``b_hh`` in torch's order ``r, z, n``."""

    @staticmethod
    def forward(ctx, gi, w_hh, b_hh, h0):
        S, T, B, G = gi.shape
        H = G // 3
        states = gi.new_empty(S, T + 1, B, H)
        states[:, 0] = h0
        gh = gi.new_empty(S, T, B, G)
        rz = gi.new_empty(S, T, B, 2 * H)
        n = gi.new_empty(S, T, B, H)
        h, gh_, rz_, n_ = (x.unbind(1) for x in (states, gh, rz, n))
        gi_n, gi_rz = gi[..., :H].unbind(1), gi[..., H:].unbind(1)
        gh_rz, gh_n = gh[..., : 2 * H].unbind(1), gh[..., 2 * H :].unbind(1)
        r_, z_ = rz[..., :H].unbind(1), rz[..., H:].unbind(1)
        w_t, bias = w_hh.transpose(1, 2), b_hh.unsqueeze(1)
        for t in range(T):
            torch.baddbmm(bias, h[t], w_t, out=gh_[t])
            torch.add(gi_rz[t], gh_rz[t], out=rz_[t]).sigmoid_()
            torch.addcmul(gi_n[t], r_[t], gh_n[t], out=n_[t]).tanh_()
            torch.lerp(n_[t], h[t], z_[t], out=h[t + 1])
        ctx.save_for_backward(w_hh, states, gh, rz, n)
        return states[:, 1:]

    @staticmethod
    @once_differentiable
    def backward(ctx, d_out):
        w_hh, states, gh, rz, n = ctx.saved_tensors
        S, T, B, H = n.shape
        r, z = rz[..., :H], rz[..., H:]
        # d = dh x factors, slots [n, r, z | n's recurrent part, carry]: slots
        # 0-2 are the input gates' gradients (gi's order), slots 1-4 times
        # [w_hh; I] give dh_{t-1}.
        factors = n.new_empty(S, T, B, 5, H)
        to_n = factors[..., 0, :]
        tanh_slope = _one_minus_square(n)
        torch.addcmul(tanh_slope, tanh_slope, z, value=-1, out=to_n)
        torch.mul(to_n, gh[..., 2 * H :], out=factors[..., 1, :]).mul_(
            _sigmoid_slope(r)
        )
        torch.mul(states[:, :-1] - n, _sigmoid_slope(z), out=factors[..., 2, :])
        torch.mul(to_n, r, out=factors[..., 3, :])
        factors[..., 4, :] = z
        d = torch.empty_like(factors)
        d_flat = d.view(S, T, B, 5 * H)
        carry = torch.eye(H, dtype=w_hh.dtype, device=w_hh.device).expand(S, H, H)
        w_ext = torch.cat([w_hh, carry], dim=1)
        factors_, d_, d_out_ = factors.unbind(1), d.unbind(1), d_out.unbind(1)
        d_back_ = d_flat[..., H:].unbind(1)
        dh = d_out_[T - 1]
        for t in range(T - 1, 0, -1):
            torch.mul(dh.unsqueeze(2), factors_[t], out=d_[t])
            dh = torch.baddbmm(d_out_[t - 1], d_back_[t], w_ext)
        torch.mul(dh.unsqueeze(2), factors_[0], out=d_[0])
        d_gh = d_flat[..., H : 4 * H]
        return (
            d_flat[..., : 3 * H],
            _weight_gradient(d_gh, states[:, :-1]),
            d_gh.sum(dim=(1, 2)),
            torch.bmm(d_back_[0], w_ext) if ctx.needs_input_grad[3] else None,
        )


class _BiasSum(torch.autograd.Function):
    """``b_ih + b_hh``, whose backward hands each bias a gradient of its own.

    ``b_ih + b_hh`` hands both the same gradient tensor; where the biases are
    views (one model's weights with a model axis added), autograd then stores
    that one tensor as both ``.grad``, and gradient clipping, which scales
    gradients in place, would scale it twice.
    """

    @staticmethod
    def forward(ctx, b_ih, b_hh):
        return b_ih + b_hh

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        return grad, grad.clone()


def _blocks(x: Tensor, order: Sequence[int], n_gates: int) -> Tensor:
    """The gate blocks of ``x`` (gates along dimension 1) in ``order``."""
    blocks = x.chunk(n_gates, dim=1)
    return torch.cat([blocks[k] for k in order], dim=1)


#: Gate order inside the loops, as positions in torch's order.
_LSTM_ORDER = (3, 0, 1, 2)  # o, i, f, g: the three sigmoid gates side by side
_GRU_ORDER = (2, 0, 1)  # n, r, z: input gradients next to the recurrent ones


def _project(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """``x W^T + b`` for every step, ``(S, T, B, G)``, as one product per model."""
    S, T, B, n_inputs = x.shape
    projected = torch.baddbmm(
        bias.unsqueeze(1), x.reshape(S, T * B, n_inputs), weight.transpose(1, 2)
    )
    return projected.view(S, T, B, -1)


def recurrent_layer(
    unit: str,
    x: Tensor,
    weights: LayerWeights,
    h0: Tensor | None = None,
    c0: Tensor | None = None,
) -> tuple[Tensor, Tensor, Tensor | None]:
    """One layer of ``unit`` over every step of ``S`` models at once.

    Parameters
    ----------
    unit : {"rnn", "lstm", "gru"}
        The unit, with torch's equations and weight layout.
    x : Tensor of shape (S, T, B, I)
        Inputs of each model, time before batch.
    weights : tuple of Tensor
        ``weight_ih, weight_hh, bias_ih, bias_hh`` of each model, stacked
        along a first axis of ``S``, each in torch's layout.
    h0, c0 : Tensor of shape (S, B, H), default=None
        Initial hidden (and, for the LSTM, cell) state; ``None``: zeros.

    Returns
    -------
    outputs : Tensor of shape (S, T, B, H)
        Hidden states at every step.
    h_n : Tensor of shape (S, B, H)
        Last hidden state.
    c_n : Tensor of shape (S, B, H) or None
        Last cell state of the LSTM; ``None`` for the others.
    """
    w_ih, w_hh, b_ih, b_hh = weights
    S, _, B, _ = x.shape
    H = w_hh.shape[-1]
    if h0 is None:
        h0 = x.new_zeros(S, B, H)
    if unit == "rnn":
        bias = _BiasSum.apply(b_ih, b_hh)
        outputs = _RNNSequence.apply(_project(x, w_ih, bias), w_hh, h0)
        return outputs, outputs[:, -1], None
    if unit == "lstm":
        if c0 is None:
            c0 = x.new_zeros(S, B, H)
        bias = _BiasSum.apply(b_ih, b_hh)
        gi = _project(x, _blocks(w_ih, _LSTM_ORDER, 4), _blocks(bias, _LSTM_ORDER, 4))
        outputs, c_n = _LSTMSequence.apply(gi, _blocks(w_hh, _LSTM_ORDER, 4), h0, c0)
        return outputs, outputs[:, -1], c_n
    if unit == "gru":
        gi = _project(x, _blocks(w_ih, _GRU_ORDER, 3), _blocks(b_ih, _GRU_ORDER, 3))
        outputs = _GRUSequence.apply(gi, w_hh, b_hh, h0)
        return outputs, outputs[:, -1], None
    raise ValueError(f"unit must be one of {sorted(GATES)}; got {unit!r}.")
