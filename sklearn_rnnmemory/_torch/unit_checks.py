"""A unit of the user's own: built, checked against the interface, found again.

Each rule raises a ValueError that names the unit and the rule, in one line.
The estimators (in ``fit``), the study, the command line and
:func:`sklearn_rnnmemory.testing.check_recurrent_unit` all run these same
checks. A fitted model stores its unit by reference, so a unit must also be
importable where the model is loaded (:func:`unit_reference_problem`).
"""

from __future__ import annotations

import importlib
import inspect
import os
import pickle
import sys
from functools import partial
from typing import Any

import torch
from torch import nn

from .._validation import one_line
from .registry import UNITS, UnitLike, check_unit, unit_label


def build_unit(
    unit: UnitLike, input_size: int, hidden_size: int, num_layers: int
) -> nn.Module:
    """Build the recurrent module of ``unit``; a user's unit is checked first.

    Returns
    -------
    module : torch.nn.Module
        ``module(X) -> (outputs, last_state)``, ``X`` of shape ``(B, T,
        input_size)`` and ``outputs`` of shape ``(B, T, hidden_size)``.
    """
    unit = check_unit(unit)
    if isinstance(unit, str):
        return UNITS[unit].build(input_size, hidden_size, num_layers)
    label = unit_label(unit)
    sizes = f"input_size={input_size}, hidden_size={hidden_size}"
    call = f"{label}({sizes}, num_layers={num_layers})"
    try:
        module = unit(input_size, hidden_size, num_layers)
    except Exception as exc:
        raise rule_error(label, "build", f"{call} failed: {one_line(exc)}") from exc
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"unit {label} breaks the 'build' rule: it must build a torch.nn.Module; "
            f"{call} returned {type(module).__name__}."
        )
    check_module_interface(module, input_size, hidden_size, label)
    return module


# -- the interface a unit follows ---------------------------------------------

#: A tiny batch: 3 sequences of 5 steps (batch and time differ, so that a
#: module that swaps them shows it in its outputs' shape), and the lengths the
#: padding rule cuts them to, zero-padding the rest.
_BATCH, _STEPS, _LENGTHS = 3, 5, (5, 3, 1)


def rule_error(label: str, rule: str, detail: str) -> ValueError:
    return ValueError(f"unit {label} breaks the {rule!r} rule: {detail}")


def tiny_input(input_size: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(_BATCH, _STEPS, input_size, generator=generator)


def _close(a, b):
    return torch.allclose(a, b, rtol=1e-4, atol=1e-5)


def _mode(module: nn.Module) -> str:
    return "training" if module.training else "eval"


def run_module(module: nn.Module, X: torch.Tensor, label: str) -> torch.Tensor:
    """``module(X)``'s outputs, checked: the ``interface`` and ``shape`` rules
    (outputs of ``X``'s floating-point type, finite), in the module's mode."""
    try:
        result = module(X)
    except Exception as exc:
        raise rule_error(
            label,
            "interface",
            f"module(X) failed in {_mode(module)} mode on X of shape "
            f"{tuple(X.shape)} (batch, time, input_size): {one_line(exc)}",
        ) from exc
    if not (isinstance(result, tuple | list) and len(result) == 2):
        got = type(result).__name__
        if isinstance(result, tuple | list):
            got = f"a {got} of {len(result)}"
        raise rule_error(
            label,
            "interface",
            f"module(X) must return (outputs, last_state), as torch.nn.RNN does; "
            f"got {got}.",
        )
    outputs = result[0]
    expected = (X.shape[0], X.shape[1], None)
    if not isinstance(outputs, torch.Tensor) or outputs.ndim != 3:
        shape = getattr(outputs, "shape", type(outputs).__name__)
        raise rule_error(
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
        raise rule_error(label, "shape", detail)
    if outputs.dtype != X.dtype:
        raise rule_error(
            label,
            "shape",
            f"outputs are {outputs.dtype} for inputs of {X.dtype}; the readout "
            f"and the loss run in {X.dtype}, so the outputs must be too (build "
            "the parameters and states in the inputs' dtype).",
        )
    if not bool(torch.isfinite(outputs).all()):
        raise rule_error(
            label,
            "shape",
            f"outputs hold NaN or infinite values on a random input in "
            f"{_mode(module)} mode.",
        )
    return outputs


def check_module_interface(
    module: nn.Module, input_size: int, hidden_size: int, label: str
) -> None:
    """Run a built module on a tiny input and check the rules the library needs.

    ``interface``: ``module(X)`` returns ``(outputs, last_state)``. ``shape``:
    ``outputs`` is finite, ``(batch, time, hidden_size)``. ``determinism``:
    two passes over one input under one torch seed agree. ``batch-first``:
    each sequence's outputs depend on that sequence only. ``padding``: the
    states at valid steps, the last valid one included, do not change with the
    zero padding that follows (the estimators pad sequences at the end). Read
    in eval mode, and again in training mode, as the unit trains: there the
    outputs follow the ``interface`` and ``shape`` rules too, and a call does
    not depend on the calls before it (no state kept between calls). The
    module's mode and torch's random state are restored.
    """
    training = module.training
    X = tiny_input(input_size)
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            module.eval()
            _check_outputs(module, X, hidden_size, label)
            module.train()
            _check_training_outputs(module, X, label)
    finally:
        module.train(training)


def _check_training_outputs(module, X, label):
    """The rules that training mode can break on its own: its outputs, and
    calls that depend on the calls before (a state kept between calls)."""
    first = _seeded_read(module, X, label)
    if not torch.equal(_seeded_read(module, X, label), first):
        raise rule_error(
            label,
            "determinism",
            "two calls on one input under one torch seed differ in training mode: "
            "the module keeps state between calls (each call must start from a "
            "zero state) or draws random numbers outside torch's generator.",
        )


def _seeded_read(module, X, label):
    torch.manual_seed(0)
    return run_module(module, X, label)


def _check_outputs(module, X, hidden_size, label):
    def read(X):
        return _seeded_read(module, X, label)

    outputs = read(X)
    if outputs.shape[2] != hidden_size:
        raise rule_error(
            label,
            "shape",
            f"outputs have {outputs.shape[2]} features per step; expected "
            f"hidden_size={hidden_size}.",
        )
    if not torch.equal(read(X), outputs):
        raise rule_error(
            label,
            "determinism",
            "two passes over one input under one torch seed differ; draw random "
            "numbers from torch's generator, not numpy's or Python's.",
        )
    changed = X.clone()
    changed[0] = -3 * X[0] + 1
    others = read(changed)[1:]
    if not _close(others, outputs[1:]):
        raise rule_error(
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
            raise rule_error(
                label,
                "padding",
                f"the states of a {length}-step sequence, its last valid state "
                "included, change when zero padding follows it; a state must "
                "depend only on the steps read so far (no bidirectional reading, "
                "no normalising over time).",
            )


def check_unit_interface(
    unit: UnitLike, *, input_size: int = 3, hidden_size: int = 4, num_layers: int = 1
) -> UnitLike:
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


def unit_reference_problem(
    unit: UnitLike, module: nn.Module | None = None
) -> str | None:
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


def check_unit_picklable(unit: UnitLike, module: nn.Module | None = None) -> None:
    """Raise a PicklingError naming the unit when
    :func:`unit_reference_problem` finds one."""
    problem = unit_reference_problem(unit, module)
    if problem is not None:
        raise pickle.PicklingError(problem)


def import_unit(spec: str) -> UnitLike:
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
        unit: Any = importlib.import_module(module_name)
    except SystemExit as exc:  # the module ends the program as it is imported
        raise ValueError(
            f"unit {spec!r}: importing module {module_name!r} called "
            f"sys.exit({exc.code!r}); a module that holds a unit must not end the "
            "program on import (guard its script part with "
            "if __name__ == '__main__':)."
        ) from None
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
