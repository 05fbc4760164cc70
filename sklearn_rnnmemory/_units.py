"""Recurrent units, by short name, and the networks built on them.

``rnn``, ``lstm`` and ``gru`` run on ``torch.nn.RNN/LSTM/GRU`` over whole windows
(cuDNN on GPU, oneDNN on CPU): no per-step Python loop. ``mgu``, ``indrnn``,
``mingru``, ``minlstm``, ``peephole_lstm``, ``orthogonal``, ``lru`` and ``esn``
are custom cells (see ``_cells``).

A user's own unit is a ``torch.nn.Module`` subclass or a factory
``f(input_size, hidden_size, num_layers) -> module`` with the same interface;
it is checked on a tiny input before any training (:func:`check_unit_interface`).
"""

import importlib
import inspect
import os
import pickle
import sys
from functools import partial

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
    if not isinstance(check_unit(unit), str):
        declared = getattr(unit, "macs_per_step", None)
        if not callable(declared):
            return None
        return int(declared(input_size, hidden_size, num_layers))
    layer = LAYER_MACS[unit]
    return layer(input_size, hidden_size) + (num_layers - 1) * layer(
        hidden_size, hidden_size
    )


def check_unit(unit):
    """Check the kind of ``unit``; return it unchanged.

    A unit is a key of :data:`UNITS`, a ``torch.nn.Module`` subclass, or a
    factory ``f(input_size, hidden_size, num_layers) -> torch.nn.Module``.
    Nothing is built here: :func:`check_unit_interface` runs the module.
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


def unit_label(unit):
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


def unit_labels(units):
    """Labels of ``units``, refusing two different units under one label
    (their rows would mix in a study's tables and files)."""
    labels, seen = [], {}
    for unit in units:
        label = unit_label(check_unit(unit))
        if seen.setdefault(label, unit) is not unit:
            raise ValueError(
                f"units holds two different units labelled {label!r}; give them "
                "distinct names."
            )
        labels.append(label)
    return labels


def one_line(exc):
    """An exception as ``Type: message``, on one line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def build_unit(unit, input_size, hidden_size, num_layers):
    """Build the recurrent module of ``unit``; a user's unit is checked first.

    Returns
    -------
    module : torch.nn.Module
        ``module(X) -> (outputs, last_state)``, ``X`` of shape ``(B, T,
        input_size)`` and ``outputs`` of shape ``(B, T, hidden_size)``.
    """
    if isinstance(check_unit(unit), str):
        return UNITS[unit](input_size, hidden_size, num_layers)
    label = unit_label(unit)
    sizes = f"input_size={input_size}, hidden_size={hidden_size}"
    call = f"{label}({sizes}, num_layers={num_layers})"
    try:
        module = unit(input_size, hidden_size, num_layers)
    except Exception as exc:
        raise _rule_error(label, "build", f"{call} failed: {one_line(exc)}") from exc
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"unit {label} breaks the 'build' rule: it must build a torch.nn.Module; "
            f"{call} returned {type(module).__name__}."
        )
    check_module_interface(module, input_size, hidden_size, label)
    return module


# -- the interface a unit follows ---------------------------------------------
#
# Each rule raises a ValueError that names the unit and the rule, in one line.
# The estimators (in fit), the study, the command line and
# sklearn_rnnmemory.testing.check_recurrent_unit all run these same checks.

#: A tiny batch: 3 sequences of 5 steps (batch and time differ, so that a
#: module that swaps them shows it in its outputs' shape), and the lengths the
#: padding rule cuts them to, zero-padding the rest.
_BATCH, _STEPS, _LENGTHS = 3, 5, (5, 3, 1)


def _rule_error(label, rule, detail):
    return ValueError(f"unit {label} breaks the {rule!r} rule: {detail}")


def _tiny_input(input_size, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(_BATCH, _STEPS, input_size, generator=generator)


def _close(a, b):
    return torch.allclose(a, b, rtol=1e-4, atol=1e-5)


def run_module(module, X, label):
    """``module(X)``'s outputs, checked: the ``interface`` and ``shape`` rules."""
    try:
        result = module(X)
    except Exception as exc:
        raise _rule_error(
            label,
            "interface",
            f"module(X) failed on X of shape {tuple(X.shape)} (batch, time, "
            f"input_size): {one_line(exc)}",
        ) from exc
    if not (isinstance(result, tuple | list) and len(result) == 2):
        got = type(result).__name__
        if isinstance(result, tuple | list):
            got = f"a {got} of {len(result)}"
        raise _rule_error(
            label,
            "interface",
            f"module(X) must return (outputs, last_state), as torch.nn.RNN does; "
            f"got {got}.",
        )
    outputs = result[0]
    expected = (X.shape[0], X.shape[1], None)
    if not isinstance(outputs, torch.Tensor) or outputs.ndim != 3:
        shape = getattr(outputs, "shape", type(outputs).__name__)
        raise _rule_error(
            label,
            "shape",
            f"outputs must be a tensor of shape (batch, time, hidden_size); got "
            f"{tuple(shape) if isinstance(shape, torch.Size) else shape}.",
        )
    if tuple(outputs.shape[:2]) != expected[:2]:
        detail = (
            f"outputs have shape {tuple(outputs.shape)} for X of shape "
            f"{tuple(X.shape)}; expected (batch, time, hidden_size)."
        )
        if tuple(outputs.shape[:2]) == expected[1::-1]:
            detail += " Time comes first: the module must be batch first."
        raise _rule_error(label, "shape", detail)
    if not outputs.is_floating_point():
        raise _rule_error(
            label, "shape", f"outputs must be floating point; got {outputs.dtype}."
        )
    if not bool(torch.isfinite(outputs).all()):
        raise _rule_error(
            label, "shape", "outputs hold NaN or infinite values on a random input."
        )
    return outputs


def check_module_interface(module, input_size, hidden_size, label):
    """Run a built module on a tiny input and check the rules the library needs.

    ``interface``: ``module(X)`` returns ``(outputs, last_state)``. ``shape``:
    ``outputs`` is finite, ``(batch, time, hidden_size)``. ``determinism``:
    two passes over one input under one torch seed agree. ``batch-first``:
    each sequence's outputs depend on that sequence only. ``padding``: the
    states at valid steps, the last valid one included, do not change with the
    zero padding that follows (the estimators pad sequences at the end). Read
    in eval mode; the module's mode and torch's random state are restored.
    """
    training = module.training
    module.eval()
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            _check_outputs(module, _tiny_input(input_size), hidden_size, label)
    finally:
        module.train(training)


def _check_outputs(module, X, hidden_size, label):
    def read(X):
        torch.manual_seed(0)
        return run_module(module, X, label)

    outputs = read(X)
    if outputs.shape[2] != hidden_size:
        raise _rule_error(
            label,
            "shape",
            f"outputs have {outputs.shape[2]} features per step; expected "
            f"hidden_size={hidden_size}.",
        )
    if not torch.equal(read(X), outputs):
        raise _rule_error(
            label,
            "determinism",
            "two passes over one input under one torch seed differ; draw random "
            "numbers from torch's generator, not numpy's or Python's.",
        )
    changed = X.clone()
    changed[0] = -3 * X[0] + 1
    others = read(changed)[1:]
    if not _close(others, outputs[1:]):
        raise _rule_error(
            label,
            "batch-first",
            "changing sequence 0 changed the outputs of the other sequences; X is "
            "(batch, time, input_size), batch first, and each sequence must be "
            "read independently.",
        )
    padded = X.clone()
    for i, length in enumerate(_LENGTHS):
        padded[i, length:] = 0.0
    padded_outputs = read(padded)
    for i, length in enumerate(_LENGTHS):
        alone = read(X[i : i + 1, :length])[0]
        if not _close(padded_outputs[i, :length], alone):
            raise _rule_error(
                label,
                "padding",
                f"the states of a {length}-step sequence, its last valid state "
                "included, change when zero padding follows it; a state must "
                "depend only on the steps read so far (no bidirectional reading, "
                "no normalising over time).",
            )


def check_unit_interface(unit, *, input_size=3, hidden_size=4, num_layers=1):
    """Build ``unit`` at a tiny size and check that it follows the interface.

    Built-in units are known to follow it and are not built. Torch's random
    state is left as it was.

    Parameters
    ----------
    unit : str, torch.nn.Module subclass or callable
        The unit.
    input_size, hidden_size, num_layers : int
        The sizes to build it at.

    Returns
    -------
    unit
        ``unit``, unchanged.

    Raises
    ------
    TypeError, ValueError
        In one line, naming the unit and the rule it breaks.
    """
    if isinstance(check_unit(unit), str):
        return unit
    with torch.random.fork_rng(devices=[]):
        build_unit(unit, input_size, hidden_size, num_layers)
    return unit


# -- user units by reference ----------------------------------------------------


def _unnamed(obj):
    """Whether pickle cannot store ``obj`` by module and name here because it
    was made in ``__main__`` (of another process, when it came by value),
    inside a function, or as a lambda. Other failures are pickle's to report."""
    module_name = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not (isinstance(module_name, str) and isinstance(qualname, str)):
        return False
    if module_name != "__main__" and "<" not in qualname:  # <locals>, <lambda>
        return False
    target = sys.modules.get(module_name)
    for part in qualname.split("."):
        target = getattr(target, part, None)
    return target is not obj


def unit_reference_problem(unit, module=None):
    """Why a fitted model of ``unit`` cannot be pickled here, or None.

    A fitted network is saved with ``torch.save``, which stores the unit and
    the classes of its modules by reference (``module.qualname``). A unit
    defined in ``__main__`` has no such reference in another process (a
    worker that received it by value from joblib or Dask, where ``__main__``
    is the worker's own), nor has one defined inside a function or a lambda.
    """
    if isinstance(unit, str):
        return None
    objects = [unit.func if isinstance(unit, partial) else unit]
    if module is not None:
        objects += [type(m) for m in module.modules()]
    for obj in objects:
        if inspect.ismethod(obj):
            obj = obj.__self__  # stored as getattr(owner, name)
        if not isinstance(obj, type) and not hasattr(obj, "__qualname__"):
            obj = type(obj)  # a callable object is stored by its class
        if _unnamed(obj):
            name = f"{obj.__module__}.{obj.__qualname__}"
            return (
                f"Cannot pickle a fitted model of unit {unit_label(unit)}: pickle "
                f"stores {name} by reference, and that name does not lead to it "
                "in this process (a unit defined in __main__ has no such "
                "reference in a worker process, nor has one defined inside a "
                "function or as a lambda). Move it into an importable module (a "
                ".py file on the Python path of every process) and import it "
                "from there."
            )
    return None


def check_unit_picklable(unit, module=None):
    """Raise a PicklingError naming the unit when
    :func:`unit_reference_problem` finds one."""
    problem = unit_reference_problem(unit, module)
    if problem is not None:
        raise pickle.PicklingError(problem)


def import_unit(spec):
    """The unit a command-line spec names: a built-in name or
    ``"package.module:attribute"``, checked on a tiny input.

    The module is imported as ``python -m`` would, the current folder first.

    Raises
    ------
    ValueError
        In one line, when the spec cannot be imported or the unit breaks the
        interface.
    """
    if ":" not in spec:
        return check_unit(spec)
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(
            f"unit {spec!r}: expected a built-in name or 'package.module:attribute'."
        )
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        unit = importlib.import_module(module_name)
    except Exception as exc:
        raise ValueError(
            f"unit {spec!r}: cannot import module {module_name!r}: {one_line(exc)}"
        ) from None
    for part in attribute.split("."):
        if not hasattr(unit, part):
            raise ValueError(
                f"unit {spec!r}: module {module_name!r} has no attribute {attribute!r}."
            )
        unit = getattr(unit, part)
    try:
        return check_unit_interface(unit)
    except TypeError as exc:
        raise ValueError(str(exc)) from None


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
        self.recurrent = build_unit(unit, input_size, hidden_size, num_layers)

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
