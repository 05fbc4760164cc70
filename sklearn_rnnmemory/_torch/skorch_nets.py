"""The skorch nets the estimators train, with a lean per-batch path.

skorch runs its whole bookkeeping at every mini-batch: it puts each module in
training mode again and calls every callback's ``on_batch_begin``,
``on_grad_computed`` and ``on_batch_end``, most of which do nothing. For the
small recurrent models this library trains, a step takes a few milliseconds
and that bookkeeping is a measurable share of it. These nets skip only the
calls that cannot change anything: a mode switch to the mode the modules are
already in, and callback hooks the callback does not override. Every hook a
callback does implement is still called, in order.

skorch also ends training quietly on ``KeyboardInterrupt`` and keeps the model
as if it had finished: that is how its ``EarlyStopping`` stops, and how Ctrl-C
would. While :func:`ctrl_c_stops_training` holds, Ctrl-C raises
:class:`TrainingInterrupted` instead, which skorch lets through, so that an
estimator stops as scikit-learn's do and no search or study keeps a
half-trained model; early stopping is unchanged.
"""

import pickle
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback

from .._validation import one_line

_BATCH_EVENTS = ("on_batch_begin", "on_grad_computed", "on_batch_end")


def _overrides(callback, event):
    """Whether ``callback`` does something at ``event`` (is not the no-op)."""
    method = getattr(callback, event, None)
    if method is None:
        return False
    return getattr(method, "__func__", method) is not getattr(Callback, event)


class TrainingInterrupted(BaseException):
    """Ctrl-C during training; skorch's ``partial_fit`` catches only
    ``KeyboardInterrupt``, so this passes it."""


def _interrupt_training(signum, frame):
    raise TrainingInterrupted


@contextmanager
def ctrl_c_stops_training() -> Iterator[None]:
    """Within: Ctrl-C raises :class:`TrainingInterrupted`.

    Only where Python's own handler is in place (a handler of the user's, or
    SIGINT ignored, is left alone) and in the main thread, the only one that
    may set a handler and the one a signal reaches.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    previous = signal.signal(signal.SIGINT, _interrupt_training)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _LeanBatchesMixin:
    """Per-batch shortcuts for a skorch net; results are unchanged."""

    def notify(self, method_name, **cb_kwargs):
        if method_name not in _BATCH_EVENTS:
            return super().notify(method_name, **cb_kwargs)
        getattr(self, method_name)(self, **cb_kwargs)
        for callback in self._batch_listeners(method_name):
            getattr(callback, method_name)(self, **cb_kwargs)
        return None

    def _batch_listeners(self, event):
        # Cached per callbacks_ list: initialize_callbacks builds a new one.
        callbacks = self.callbacks_
        cache = self.__dict__.get("_listener_cache")
        if cache is None or cache[0] is not callbacks:
            cache = (callbacks, {})
            self.__dict__["_listener_cache"] = cache
        listeners = cache[1].get(event)
        if listeners is None:
            listeners = [cb for _, cb in callbacks if _overrides(cb, event)]
            cache[1][event] = listeners
        return listeners

    def _set_training(self, training=True):
        modules = [getattr(self, name + "_") for name in self._modules + self._criteria]
        modules = [m for m in modules if isinstance(m, torch.nn.Module)]
        if all(m.training == training for m in modules):
            return
        for module in modules:
            module.train(training)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_listener_cache", None)
        return state

    def __setstate__(self, state):
        try:
            super().__setstate__(state)
        except (AttributeError, ImportError) as exc:
            # The network's modules, the recurrent unit's among them, are
            # stored by module and name: say what that asks of a user's unit.
            raise pickle.UnpicklingError(
                f"Cannot load a fitted network in this process: {one_line(exc)}. "
                "A fitted model stores its recurrent unit by module and name, so a "
                "unit defined in __main__ (a script, a notebook) cannot travel in "
                "a fitted model to another process, such as a joblib or Dask "
                "worker, nor be loaded by another program. Define the unit in an "
                "importable module (a .py file on the Python path of every "
                "process) and import it from there."
            ) from exc


class MemoryNet(_LeanBatchesMixin, NeuralNetRegressor):
    """``NeuralNetRegressor`` of :class:`RecurrentMemoryRegressor`."""


class ClassifierNet(_LeanBatchesMixin, NeuralNetClassifier):
    """``NeuralNetClassifier`` of :class:`RecurrentClassifier`."""


class LanguageModelNet(_LeanBatchesMixin, NeuralNet):
    """``NeuralNet`` of :class:`RecurrentLanguageModel`."""
