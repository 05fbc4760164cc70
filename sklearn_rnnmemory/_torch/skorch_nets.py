"""The skorch nets the estimators train, with a lean per-batch path.

skorch runs its whole bookkeeping at every mini-batch: it puts each module in
training mode again and calls every callback's ``on_batch_begin``,
``on_grad_computed`` and ``on_batch_end``, most of which do nothing. For the
small recurrent models this library trains, a step takes a few milliseconds
and that bookkeeping is a measurable share of it. These nets skip only the
calls that cannot change anything: a mode switch to the mode the modules are
already in, and callback hooks the callback does not override. Every hook a
callback does implement is still called, in order.

skorch also ends training quietly on Ctrl-C and keeps the model as if it had
finished. These nets let the interruption through instead, as
:class:`TrainingInterrupted`, so that an estimator stops as scikit-learn's do
and no search or study keeps a half-trained model.
"""

import pickle

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
    """Ctrl-C during training, passed by skorch's ``partial_fit``, which
    catches only ``KeyboardInterrupt``."""


class _LeanBatchesMixin:
    """Per-batch shortcuts for a skorch net; results are unchanged."""

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt as exc:
            raise TrainingInterrupted from exc

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
