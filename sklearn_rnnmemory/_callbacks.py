"""The skorch callbacks a user passes to an estimator, checked before training."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, TypeAlias

from skorch.callbacks import Callback
from skorch.callbacks.scoring import ScoringBase

_CallbackLike: TypeAlias = Callback | type[Callback]
#: What ``callbacks`` takes: skorch callbacks, or (name, callback) pairs.
CallbacksLike = Sequence[_CallbackLike | tuple[str, _CallbackLike]] | None

#: Callback names the estimators' nets use themselves: skorch's defaults, the
#: gradient clipping of ``max_grad_norm`` and the rule of ``plateau``.
RESERVED_CALLBACK_NAMES = (
    "epoch_timer",
    "train_loss",
    "valid_loss",
    "valid_acc",
    "print_log",
    "gradient_clipping",
    "plateau",
)


def _setting(callback: Any, name: str) -> Any:
    """A callback's setting ``name``: the attribute of an instance, the
    default of a class; None if it has none."""
    if isinstance(callback, type):
        try:
            parameter = inspect.signature(callback).parameters.get(name)
        except (TypeError, ValueError):
            return None
        return None if parameter is None else parameter.default
    return getattr(callback, name, None)


def _builds_bare(callback_class: type) -> bool:
    """Whether a callback class can be built without arguments, as skorch
    builds the classes it is given."""
    try:
        inspect.signature(callback_class).bind()
    except TypeError:
        return False
    except ValueError:  # no signature to read: let skorch try
        return True
    return True


def _needs_validation(callback: Any) -> tuple[str, str] | None:
    """What a callback reads that only held-out data records, and what the
    user may set instead; None if it reads no held-out data."""
    monitor = _setting(callback, "monitor")
    if isinstance(monitor, str) and monitor.startswith("valid"):
        return (
            f"monitors {monitor!r}, which is recorded only on held-out data",
            "monitor 'train_loss'",
        )
    # skorch's scoring callbacks score the held-out data unless on_train.
    if _setting(callback, "on_train") is False:
        return "scores held-out data (on_train=False)", "on_train=True"
    return None


def _is_a(callback: Any, kind: type) -> bool:
    """Whether ``callback`` is an instance or a subclass of ``kind``."""
    return isinstance(callback, kind) or (
        isinstance(callback, type) and issubclass(callback, kind)
    )


def check_callbacks(
    callbacks: Any, *, validated: bool, scorer_names: bool, owner: str
) -> list:
    """The callbacks as a list skorch takes, every item checked.

    Parameters
    ----------
    callbacks : object
        The ``callbacks`` parameter.
    validated : bool
        Whether the estimator holds out validation data
        (``validation_fraction`` is set).
    scorer_names : bool
        Whether skorch's scoring callbacks may name a scikit-learn scorer:
        only where the network outputs one row per sample.
    owner : str
        The estimator's class name, for the message.
    """
    if callbacks is None:
        return []
    if not isinstance(callbacks, list | tuple):
        hint = ""
        if isinstance(callbacks, Callback):
            hint = f" Wrap a single callback in a list: callbacks=[{callbacks!r}]."
        raise TypeError(
            "callbacks must be a list of skorch callbacks or (name, callback) "
            f"pairs, or None; got {callbacks!r}.{hint}"
        )
    names = set()
    for i, item in enumerate(callbacks):
        callback = item
        if isinstance(item, tuple | list):
            if len(item) != 2 or not isinstance(item[0], str):
                raise TypeError(
                    f"callbacks[{i}] must be a skorch callback or a (name, "
                    f"callback) pair; got {item!r}."
                )
            name, callback = item
            if name in names:
                raise ValueError(
                    f"callbacks[{i}] is named {name!r}, as another callback is; "
                    "give each a name of its own."
                )
            if name in RESERVED_CALLBACK_NAMES:
                raise ValueError(
                    f"callbacks[{i}] is named {name!r}, a name the estimator "
                    f"gives a callback of its own {RESERVED_CALLBACK_NAMES}; "
                    "give it another name."
                )
            names.add(name)
        if not _is_a(callback, Callback):
            raise TypeError(
                f"callbacks[{i}] must be a skorch callback (an instance or "
                f"subclass of skorch.callbacks.Callback); got {callback!r}."
            )
        needs = _needs_validation(callback)
        if not validated and needs is not None:
            raise ValueError(
                f"callbacks[{i}] {needs[0]}; set validation_fraction (e.g. 0.2) "
                f"or {needs[1]}."
            )
        if isinstance(callback, type) and not _builds_bare(callback):
            raise TypeError(
                f"callbacks[{i}] is the class {callback.__name__}, which needs "
                "arguments; pass an instance built with them."
            )
        scoring = _setting(callback, "scoring")
        if (
            _is_a(callback, ScoringBase)
            and not scorer_names
            and (scoring is None or isinstance(scoring, str))
        ):
            raise ValueError(
                f"callbacks[{i}] scores with scikit-learn's scorer "
                f"{scoring!r}, which needs one output row per sample; the "
                f"network of {owner} outputs one per step. Pass "
                "a callable scoring(net, X, y) instead."
            )
    return list(callbacks)
