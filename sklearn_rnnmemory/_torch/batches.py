"""Mini-batches sliced straight from whole tensors.

A ``torch.utils.data.DataLoader`` over a map-style dataset fetches every window
on its own and collates them again; for small recurrent models that bookkeeping
costs more than the training step. The windows already sit in two arrays, so a
batch is one indexing operation.
"""

import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import torch


def _tensors(dataset):
    """``(X, y)`` tensors of a skorch Dataset, or of a Subset of one."""
    indices = None
    if isinstance(dataset, torch.utils.data.Subset):
        indices = torch.as_tensor(dataset.indices)
        dataset = dataset.dataset
    with warnings.catch_warnings():
        # Read-only arrays (joblib's memory maps) are shared, not copied: the
        # batches are read, never written.
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        X = torch.as_tensor(dataset.X)
        y = None if dataset.y is None else torch.as_tensor(dataset.y)
    if indices is not None:
        X = X[indices]
        y = None if y is None else y[indices]
    return X, y


class WindowBatches:
    """Iterate over ``(X, y)`` mini-batches of a dataset, as skorch's iterator.

    Parameters
    ----------
    dataset : skorch.dataset.Dataset or torch.utils.data.Subset of one
        Holds the windows ``X`` and targets ``y`` as arrays.
    batch_size : int, default=64
        Windows per batch.
    shuffle : bool, default=False
        Draw a new order every pass (from torch's global generator, which the
        estimators seed).
    max_batches : int, default=None
        Batches to yield over all passes together; a pass that reaches it
        stops early and later passes yield nothing. ``None``: no limit.
    stop : callable, default=None
        ``stop() -> bool``, asked before each batch: True ends the pass (how
        the plateau rule ends training at a checkpoint).
    **kwargs
        Other DataLoader options (``num_workers``, ...) are ignored.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 64,
        shuffle: bool = False,
        max_batches: int | None = None,
        stop: Callable[[], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        self.X, self.y = _tensors(dataset)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.max_batches = max_batches
        self.stop = stop
        self._yielded = 0

    def __len__(self) -> int:
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.X)
        order = torch.randperm(n) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if self.max_batches is not None and self._yielded >= self.max_batches:
                return
            if self.stop is not None and self.stop():
                return
            self._yielded += 1
            if order is None:
                X, y = (
                    _slice(self.X, start, self.batch_size),
                    _slice(self.y, start, self.batch_size),
                )
            else:
                index = order[start : start + self.batch_size]
                X, y = _take(self.X, index), _take(self.y, index)
            # skorch's placeholder for a missing target
            yield X, torch.zeros(len(X)) if y is None else y


def _slice(tensor, start, size):
    return None if tensor is None else tensor[start : start + size]


def _take(tensor, index):
    # index_select, not tensor[index]: advanced indexing goes through the
    # general gather kernel, several times slower for a batch of windows.
    return None if tensor is None else tensor.index_select(0, index)
