"""The built-in recurrent units, one record each, and what names a unit.

``rnn``, ``lstm`` and ``gru`` are ``torch.nn.RNN/LSTM/GRU`` over whole windows
(cuDNN on GPU, oneDNN's fused LSTM on CPU); on the CPU the GRU and the RNN train
through :mod:`.window_units`, one autograd node per window with a hand-written
backward, where torch's step-by-step kernels are slower. ``mgu``, ``indrnn``,
``mingru``, ``minlstm``, ``peephole_lstm``, ``orthogonal``, ``lru`` and ``esn``
are custom cells (see :mod:`.cells`).

A unit of the user's own is a ``torch.nn.Module`` subclass or a factory
``f(input_size, hidden_size, num_layers) -> module`` with the same interface
(see :mod:`.unit_checks`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, overload

from torch import nn

from .._unit_names import UNIT_NAMES
from .cells import (
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
from .window_units import WindowGRU, WindowRNN

#: What the estimators take as ``unit``: a registered name, a module class or
#: a factory ``f(input_size, hidden_size, num_layers) -> torch.nn.Module``.
UnitLike = str | type[nn.Module] | Callable[..., nn.Module]


@dataclass(frozen=True)
class RegisteredUnit:
    """One built-in recurrent unit.

    Attributes
    ----------
    name : str
        The name the estimators, the study and the command line take.
    build : callable
        ``build(input_size, hidden_size, num_layers) -> torch.nn.Module``, a
        module whose forward maps ``(B, T, I)`` to ``(outputs, state)`` with
        ``outputs`` of shape ``(B, T, H)``, as ``torch.nn.RNN`` does.
    layer_macs : callable
        ``layer_macs(i, h) -> int``: multiply-adds per step and sequence of one
        layer of input size ``i`` and hidden size ``h``, without the readout.
    description : str
        What the unit is, with its reference.
    """

    name: str
    build: Callable[[int, int, int], nn.Module]
    layer_macs: Callable[[int, int], int]
    description: str


def _rnn(input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
    return WindowRNN(
        input_size, hidden_size, num_layers, nonlinearity="tanh", batch_first=True
    )


def _lstm(input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
    return nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)


def _gru(input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
    return WindowGRU(input_size, hidden_size, num_layers, batch_first=True)


def _stacked(layer: type[nn.Module]) -> Callable[[int, int, int], nn.Module]:
    return partial(StackedCells, layer)


_RECORDS = (
    RegisteredUnit(
        "rnn",
        _rnn,
        lambda i, h: h * (h + i),
        "Vanilla (Elman) unit: h_t = tanh(W x_t + U h_{t-1} + b).",
    ),
    RegisteredUnit(
        "lstm",
        _lstm,
        lambda i, h: 4 * h * (h + i),
        "LSTM with forget gate (Hochreiter & Schmidhuber 1997; Gers et al. 2000).",
    ),
    RegisteredUnit(
        "gru",
        _gru,
        lambda i, h: 3 * h * (h + i),
        "GRU (Cho et al. 2014), in PyTorch's reset-after form.",
    ),
    RegisteredUnit(
        "mgu",
        _stacked(MGULayer),
        lambda i, h: 2 * h * (h + i),
        "Minimal gated unit (Zhou, Wu, Zhang & Zhou, 2016).",
    ),
    RegisteredUnit(
        "indrnn",
        _stacked(IndRNNLayer),
        lambda i, h: h * i + h,
        "Independently recurrent unit (Li, Li, Cook, Zhu & Gao, CVPR 2018).",
    ),
    RegisteredUnit(
        "mingru",
        _stacked(MinGRULayer),
        lambda i, h: 2 * h * i,
        "minGRU (Feng, Tung, Ahmed, Bengio & Hajimirsadeghi, 2024).",
    ),
    RegisteredUnit(
        "minlstm",
        _stacked(MinLSTMLayer),
        lambda i, h: 3 * h * i,
        "minLSTM (Feng, Tung, Ahmed, Bengio & Hajimirsadeghi, 2024).",
    ),
    RegisteredUnit(
        "peephole_lstm",
        _stacked(PeepholeLSTMLayer),
        lambda i, h: 4 * h * (h + i) + 3 * h,
        "LSTM with peephole connections (Gers & Schmidhuber, 2000).",
    ),
    RegisteredUnit(
        "orthogonal",
        _stacked(OrthogonalRNNLayer),
        lambda i, h: h * (h + i),
        "Vanilla tanh cell whose recurrent matrix stays orthogonal.",
    ),
    RegisteredUnit(
        "lru",
        _stacked(LRULayer),
        # a complex product counts as 4 real ones
        lambda i, h: 3 * h * i + 2 * h * h + 4 * h,
        "Linear recurrent unit (Orvieto et al., ICML 2023).",
    ),
    RegisteredUnit(
        "esn",
        _stacked(EchoStateLayer),
        lambda i, h: h * (h + i),
        "Leaky echo-state reservoir with fixed random weights (Jaeger, 2001).",
    ),
)

#: The built-in units by name, in the order tables and figures list them.
UNITS: dict[str, RegisteredUnit] = {record.name: record for record in _RECORDS}
if tuple(UNITS) != UNIT_NAMES:  # pragma: no cover  (a unit added in one place)
    raise ImportError(
        f"the registered units {tuple(UNITS)} are not _unit_names.UNIT_NAMES "
        f"{UNIT_NAMES}: add the name there too."
    )


def check_unit(unit: Any) -> UnitLike:
    """Check the kind of ``unit``; return it unchanged.

    A unit is a key of :data:`UNITS`, a ``torch.nn.Module`` subclass, or a
    factory ``f(input_size, hidden_size, num_layers) -> torch.nn.Module``.
    Nothing is built here: :func:`.unit_checks.check_unit_interface` runs the
    module.
    """
    if isinstance(unit, str):
        if unit not in UNITS:
            hint = ""
            if ":" in unit:
                hint = (
                    " A 'module:attribute' spec is read by the command line; in "
                    "Python, import the class or factory and pass it."
                )
            raise ValueError(
                f"unit must be one of {sorted(UNITS)}, a torch.nn.Module subclass "
                f"or a factory f(input_size, hidden_size, num_layers); got "
                f"{unit!r}.{hint}"
            )
        return unit
    if isinstance(unit, nn.Module):
        raise TypeError(
            f"unit must be a torch.nn.Module subclass or a factory, not a module "
            f"instance; got an instance of {type(unit).__name__}. Pass the class "
            f"({type(unit).__name__}): each fit builds its own module."
        )
    if not callable(unit):
        raise TypeError(
            f"unit must be one of {sorted(UNITS)}, a torch.nn.Module subclass or a "
            f"factory f(input_size, hidden_size, num_layers); got {unit!r}."
        )
    return unit


def unit_label(unit: UnitLike) -> str:
    """The name a unit goes by in tables and figures.

    A built-in unit's name; a class's name; a factory's function name (that of
    the function a ``functools.partial`` wraps).
    """
    if isinstance(unit, str):
        return unit
    if isinstance(unit, partial):
        return unit_label(unit.func)
    name = getattr(unit, "__name__", None)
    return name if isinstance(name, str) else type(unit).__name__


def unit_reference(unit: UnitLike) -> str:
    """What a unit is, as text that another process finds the same: a built-in
    unit's name; ``module:qualname`` of a user's class or factory (with the
    arguments a ``functools.partial`` binds).

    Unlike :func:`unit_label`, two different units never share a reference:
    a user's function named ``rnn`` is ``mypkg.units:rnn``, not ``rnn``.
    """
    if isinstance(unit, str):
        return unit
    if isinstance(unit, partial):
        bound = [repr(a) for a in unit.args]
        bound += [f"{k}={v!r}" for k, v in sorted(unit.keywords.items())]
        return f"{unit_reference(unit.func)}({', '.join(bound)})"
    target = unit if hasattr(unit, "__qualname__") else type(unit)
    module = getattr(target, "__module__", None) or "?"
    return f"{module}:{getattr(target, '__qualname__', type(unit).__name__)}"


def unit_labels(units: Iterable[UnitLike]) -> list[str]:
    """Labels of ``units``, refusing two different units under one label
    (their rows would mix in a study's tables and files)."""
    labels: list[str] = []
    seen: dict[str, UnitLike] = {}
    for unit in units:
        label = unit_label(check_unit(unit))
        if unit_reference(seen.setdefault(label, unit)) != unit_reference(unit):
            raise ValueError(
                f"units holds two different units labelled {label!r}; give them "
                "distinct names."
            )
        labels.append(label)
    return labels


@overload
def macs_per_step(
    unit: str, input_size: int, hidden_size: int, num_layers: int = ...
) -> int: ...
@overload
def macs_per_step(
    unit: UnitLike, input_size: int, hidden_size: int, num_layers: int = ...
) -> int | None: ...
def macs_per_step(
    unit: UnitLike, input_size: int, hidden_size: int, num_layers: int = 1
) -> int | None:
    """Multiply-adds per step and sequence of a stack of ``unit`` layers.

    Parameters
    ----------
    unit : str, torch.nn.Module subclass or callable
        A key of :data:`UNITS`, or a user's unit. A user's unit is counted
        only if it declares its count: an attribute ``macs_per_step`` (on a
        class, a ``staticmethod``) called as ``macs_per_step(input_size,
        hidden_size, num_layers)``.
    input_size : int
        Dimension of the inputs of the first layer.
    hidden_size : int
        Size of each layer's state.
    num_layers : int, default=1
        Number of stacked layers (the others read ``hidden_size`` inputs).

    Returns
    -------
    macs : int or None
        ``None`` for a user's unit that does not declare its count.
    """
    unit = check_unit(unit)
    if not isinstance(unit, str):
        declared = getattr(unit, "macs_per_step", None)
        if not callable(declared):
            return None
        return int(declared(input_size, hidden_size, num_layers))
    layer = UNITS[unit].layer_macs
    return layer(input_size, hidden_size) + (num_layers - 1) * layer(
        hidden_size, hidden_size
    )
