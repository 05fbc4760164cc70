"""Checks for memory indicators and for recurrent units.

:func:`check_recurrent_unit` runs a user's recurrent unit through the rules
every unit of this library follows, so that what breaks shows up in a unit
test rather than in a study.

Models whose memory is known, for checking memory indicators:

A *linear memory model* outputs, after reading ``e_1..e_t``,

    S^_t = w_t * sum_{delta=0}^{t-1} rho(delta) * e_{t-delta}  (+ the forgotten part)

so its retention of the token ``delta`` steps back is ``rho(delta)`` by
construction: keeping the last ``m`` tokens is ``rho = 1`` for ``delta < m``
and 0 beyond; exponential forgetting is ``rho = lam ** delta``; a model that
remembers nothing is ``rho = 0``; ``rho = 3`` over-responds. What it outputs in
place of what it forgot is a choice (zero, or the expected semantics of the
forgotten tokens), which an indicator must not mistake for memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import numpy as np
import torch
from sklearn.utils import check_random_state

from ._composition import check_composition, composition_weights
from ._docstring import Substitution
from ._sequences import check_sequences, valid_steps
from ._torch.registry import UnitLike, check_unit, unit_label
from ._torch.unit_checks import (
    build_unit,
    check_module_interface,
    rule_error,
    run_module,
    tiny_input,
)
from ._typing import ArrayLike, RandomStateLike
from ._validation import check_positive_int

FORGOTTEN = ("zero", "expected")


#: The linear memory model's parameters, as the known answers take them.
_model_docs = Substitution(
    model="retention : array-like of float\n"
    "    ``rho(delta)`` for ``delta = 0, 1, ...``, as in\n"
    "    :func:`linear_memory_model`.\n"
    "window_length : int\n"
    "    ``T``."
)


def _lag_weights(retention, width):
    rho = np.zeros(width)
    given = np.asarray(retention, dtype=float).ravel()[:width]
    rho[: given.size] = given
    return rho


def linear_memory_model(
    points: ArrayLike,
    retention: ArrayLike,
    *,
    composition: str = "sum",
    forgotten: str = "zero",
    noise: float = 0.0,
    random_state: RandomStateLike = None,
) -> np.ndarray:
    """Output of a model that retains each token by a known share.

    The token ``delta`` steps back is retained by ``retention[delta]``.

    Parameters
    ----------
    points : array-like of shape (n, T, d) or (n, T)
        Token points of the windows, NaN-padded at the end.
    retention : array-like of float
        ``rho(delta)`` for ``delta = 0, 1, ...``; lags beyond its length are
        forgotten (``rho = 0``).
    composition : {"sum", "mean"}, default="sum"
        The weights ``w_t`` (1, or ``1 / t``).
    forgotten : {"zero", "expected"}, default="zero"
        What the model outputs for the share ``1 - rho(delta)`` of each token it
        does not keep: nothing, or the mean point of all tokens (so that a
        model with ``rho = 0`` outputs the expected semantics ``w_t t mu``).
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to every coordinate of the
        output at every valid step.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise.

    Returns
    -------
    predicted : ndarray of shape (n, T, d)
        ``S^_t``, NaN at padding.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory.testing import linear_memory_model
    >>> points = np.eye(3)[[[0, 1, 2]]]
    >>> linear_memory_model(points, [1.0, 0.5])[0, -1].tolist()
    [0.0, 0.5, 1.0]
    """
    check_composition(composition)
    if forgotten not in FORGOTTEN:
        raise ValueError(f"forgotten must be one of {FORGOTTEN}; got {forgotten!r}.")
    points = check_sequences(points, name="points")
    valid = valid_steps(points)
    filled = np.where(valid[..., None], points, 0.0)
    n, width, d = points.shape
    rho = _lag_weights(retention, width)
    predicted = np.zeros_like(filled)
    for delta in np.flatnonzero(rho):
        predicted[:, delta:] += rho[delta] * filled[:, : width - delta]
    if forgotten == "expected":
        mu = filled[valid].mean(axis=0)
        lost = np.cumsum(1.0 - rho)  # sum of 1 - rho(delta) over delta < t
        predicted += lost[None, :, None] * mu
    weights = composition_weights(np.arange(1, width + 1), composition)
    predicted *= weights[None, :, None]
    if noise:
        predicted += check_random_state(random_state).normal(
            scale=noise, size=predicted.shape
        )
    predicted[~valid] = np.nan
    return predicted


@_model_docs
def true_capacity(retention: ArrayLike, window_length: int) -> float:
    """Memory capacity of a linear memory model over windows of ``T`` steps.

    That is ``sum_{delta < T} credit(rho(delta))``.

    Parameters
    ----------
    %(model)s

    Returns
    -------
    capacity : float
        The capacity the indicators should measure on that model.
    """
    from .indicators import credit

    return float(credit(_lag_weights(retention, window_length)).sum())


@_model_docs
def true_span(
    retention: ArrayLike, window_length: int, threshold: float = 0.5
) -> float:
    """Memory span of a linear memory model over windows of ``T`` steps.

    That is :func:`~sklearn_rnnmemory.indicators.memory_span` of ``rho(delta)``,
    ``delta < T``.

    Parameters
    ----------
    %(model)s
    threshold : float, default=0.5
        The span's threshold, as in
        :func:`~sklearn_rnnmemory.indicators.memory_span`.

    Returns
    -------
    span : float
        The span the indicators should measure on that model.
    """
    from .indicators import memory_span

    span, _ = memory_span(_lag_weights(retention, window_length), threshold=threshold)
    return span


def check_recurrent_unit(
    unit: UnitLike,
    *,
    input_size: int = 3,
    hidden_size: int = 4,
    num_layers: int | Sequence[int] = (1, 2),
    seed: int = 0,
) -> None:
    """Check that a recurrent unit follows the rules the library relies on.

    Point it at your own unit in a unit test: it raises at the first rule the
    unit breaks, naming the rule. The rules, checked at every stack depth of
    ``num_layers``:

    - ``build``: ``unit(input_size, hidden_size, num_layers)`` returns a
      ``torch.nn.Module``;
    - ``interface``: ``module(X)`` returns ``(outputs, last_state)``, as
      ``torch.nn.RNN`` does;
    - ``shape``: ``outputs`` is a finite tensor of the inputs' floating-point
      type, of shape ``(batch, time, hidden_size)``, in eval and in training
      mode;
    - ``batch-first``: ``X`` is ``(batch, time, input_size)`` and each
      sequence's outputs depend on that sequence only;
    - ``padding``: the states at a sequence's valid steps, its last valid state
      included, do not change when zero padding follows (the estimators pad
      sequences at the end and read the states at valid steps);
    - ``gradients``: the outputs give finite gradients to the input, from the
      last step back to the first (through time), and to every trainable
      parameter;
    - ``determinism``: two builds under one ``torch.manual_seed`` have equal
      parameters and buffers and give equal outputs, in training mode under
      one seed and in eval mode; two calls of one module on one input agree
      in training mode too (no state is kept from one call to the next).

    The estimators (in ``fit``), the study and the command line check the
    first five rules, and that two calls on one input agree, on a tiny input
    before any training, in eval mode and again in training mode, as the unit
    will train.

    Parameters
    ----------
    unit : str, torch.nn.Module subclass or callable
        A built-in unit's name, a module class, or a factory
        ``f(input_size, hidden_size, num_layers) -> torch.nn.Module``.
    input_size : int, default=3
        Dimension of the inputs.
    hidden_size : int, default=4
        Size of the state.
    num_layers : int or sequence of int, default=(1, 2)
        The stack depths to build the unit at.
    seed : int, default=0
        Torch seed of the builds; torch's random state is restored afterwards.

    Raises
    ------
    ValueError
        Naming the unit and the rule it breaks.
    TypeError
        When ``unit`` is not a unit, or does not build a ``torch.nn.Module``.

    Examples
    --------
    >>> from torch import nn
    >>> from sklearn_rnnmemory.testing import check_recurrent_unit
    >>> check_recurrent_unit("gru")
    >>> class TimeFirstGRU(nn.GRU):
    ...     def __init__(self, input_size, hidden_size, num_layers):
    ...         super().__init__(input_size, hidden_size, num_layers)
    >>> check_recurrent_unit(TimeFirstGRU)
    Traceback (most recent call last):
    ...
    ValueError: unit TimeFirstGRU breaks the 'batch-first' rule: ...
    """
    check_unit(unit)
    check_positive_int(input_size, "input_size")
    check_positive_int(hidden_size, "hidden_size")
    if isinstance(num_layers, int | Integral):
        depths = [num_layers]
    else:
        depths = list(num_layers)
    for depth in depths:
        check_positive_int(depth, "num_layers")
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        raise ValueError(f"seed must be an integer; got {seed!r}.")
    label = unit_label(unit)
    with torch.random.fork_rng(devices=[]):
        for depth in depths:
            sizes = (input_size, hidden_size, depth)
            module = _seeded_build(unit, sizes, seed)
            check_module_interface(module, input_size, hidden_size, label)
            _check_gradients(module, input_size, label)
            _check_determinism(unit, sizes, seed, label)


def _seeded_build(unit, sizes, seed):
    torch.manual_seed(seed)
    return build_unit(unit, *sizes)


def _check_gradients(module, input_size, label):
    module.train()
    X = tiny_input(input_size, seed=1).requires_grad_(True)
    outputs = run_module(module, X, label)
    # Random weights, so that no normalisation of the outputs cancels the sum.
    weights = torch.randn(
        outputs.shape, generator=torch.Generator().manual_seed(2), dtype=outputs.dtype
    )
    named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
    if not outputs.requires_grad:
        raise rule_error(
            label,
            "gradients",
            "the outputs carry no gradient (computed under torch.no_grad(), or "
            "detached?).",
        )
    grads = torch.autograd.grad(
        (outputs * weights).sum(),
        [X, *(p for _, p in named)],
        retain_graph=True,
        allow_unused=True,
    )
    if grads[0] is None or not bool(torch.isfinite(grads[0]).all()):
        raise rule_error(
            label, "gradients", "the input gets no finite gradient from the outputs."
        )
    for (name, _), grad in zip(named, grads[1:], strict=True):
        if grad is None:
            raise rule_error(
                label,
                "gradients",
                f"trainable parameter {name!r} gets no gradient from the outputs "
                "(unused, or detached?).",
            )
        if not bool(torch.isfinite(grad).all()):
            raise rule_error(
                label,
                "gradients",
                f"trainable parameter {name!r} gets a NaN or infinite gradient.",
            )
    (through_time,) = torch.autograd.grad(
        (outputs[:, -1] * weights[:, -1]).sum(), X, allow_unused=True
    )
    if through_time is None or not bool(through_time[:, 0].abs().sum() > 0):
        raise rule_error(
            label,
            "gradients",
            "the last step's outputs give no gradient to the first step's input: "
            "the state does not carry gradients through time (detached between "
            "steps?).",
        )


def _check_determinism(unit, sizes, seed, label):
    module, again = (_seeded_build(unit, sizes, seed) for _ in range(2))
    first, second = module.state_dict(), again.state_dict()
    for name in first.keys() | second.keys():
        if (
            name not in first
            or name not in second
            or not torch.equal(first[name], second[name])
        ):
            raise rule_error(
                label,
                "determinism",
                f"two builds under torch.manual_seed({seed}) differ in {name!r}; "
                "draw initial values from torch's generator, not numpy's or "
                "Python's.",
            )
    X = tiny_input(sizes[0], seed=3)
    with torch.no_grad():
        for mode in ("training", "eval"):
            for m in (module, again):
                m.train(mode == "training")
            torch.manual_seed(seed)
            out_first = run_module(module, X, label)
            torch.manual_seed(seed)
            out_second = run_module(again, X, label)
            if not torch.equal(out_first, out_second):
                raise rule_error(
                    label,
                    "determinism",
                    f"two equal modules give different outputs in {mode} mode under "
                    f"torch.manual_seed({seed}); draw random numbers from torch's "
                    "generator, not numpy's or Python's.",
                )


__all__ = [
    "check_recurrent_unit",
    "linear_memory_model",
    "true_capacity",
    "true_span",
]
