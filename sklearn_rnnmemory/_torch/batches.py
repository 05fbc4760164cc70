"""Mini-batches sliced straight from whole tensors, in an order that can resume.

A ``torch.utils.data.DataLoader`` over a map-style dataset fetches every window
on its own and collates them again; for small recurrent models that bookkeeping
costs more than the training step. The windows already sit in two arrays, so a
batch is one indexing operation.

A :class:`BatchOrder` holds where a training run is in its shuffled passes (the
generator's state, the current pass's permutation, the batches of it already
used), so that training continued later draws exactly the batches an
uninterrupted run would have drawn; the seeds trained together in one stack
(:mod:`.stacked_seeds`) each draw from their own.
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


class BatchOrder:
    """The order in which one training run visits its samples, across calls.

    Passes over the samples are shuffled by a generator that starts from the
    state torch's global generator has when the first pass is drawn (inside a
    fit, seeded: see :func:`.seeding.seeded`), and keeps its own state from
    then on. A pass cut short by the budget is finished by the next call
    before a new one is drawn, so that training in several calls visits the
    samples in the order of one uninterrupted run.

    Parameters
    ----------
    batch_size : int
        Samples per batch.
    shuffle : bool, default=True
        Draw a new permutation every pass; ``False``: the samples' own order.
    budget : int, default=None
        Batches that may still be drawn (over all passes and calls); ``None``:
        no limit.
    """

    def __init__(
        self, batch_size: int, shuffle: bool = True, budget: int | None = None
    ) -> None:
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.budget = budget
        self.rng_state: torch.Tensor | None = None
        self.permutation: torch.Tensor | None = None
        self.position = 0

    def start_from_global_generator(self) -> None:
        """Take the state of torch's global CPU generator now: the first pass
        is then the one ``torch.randperm`` would draw at this point."""
        self.rng_state = torch.random.default_generator.get_state()

    def batches_per_pass(self, n_samples: int) -> int:
        return math.ceil(n_samples / self.batch_size)

    def passes_for(self, n_batches: int, n_samples: int) -> int:
        """Passes (epochs) that ``n_batches`` more batches touch: the rest of
        the current pass, then whole new ones."""
        per_pass = self.batches_per_pass(n_samples)
        left = 0 if self.permutation is None else per_pass - self.position
        if n_batches <= left:
            return 1 if n_batches else 0
        return (1 if left else 0) + math.ceil((n_batches - left) / per_pass)

    def _new_pass(self, n_samples):
        if self.shuffle:
            generator = torch.Generator()
            if self.rng_state is None:
                self.start_from_global_generator()
            generator.set_state(self.rng_state)
            self.permutation = torch.randperm(n_samples, generator=generator)
            self.rng_state = generator.get_state()
        else:
            self.permutation = torch.arange(n_samples)
        self.position = 0

    def next_pass(self, n_samples: int) -> Iterator[torch.Tensor]:
        """Indices of each batch of the current pass, or of a new one if it is
        done, until the pass ends or the budget is spent."""
        per_pass = self.batches_per_pass(n_samples)
        if self.permutation is None or self.position >= per_pass:
            self._new_pass(n_samples)
        permutation = self.permutation
        assert permutation is not None  # drawn by _new_pass
        while self.position < per_pass and self.budget != 0:
            start = self.position * self.batch_size
            self.position += 1
            if self.budget is not None:
                self.budget -= 1
            yield permutation[start : start + self.batch_size]


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
    order : BatchOrder, default=None
        Where the training run is in its passes: each pass over this iterator
        continues it, within its budget (``shuffle`` and ``max_batches`` are
        then the order's). ``None``: a new order every pass.
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
        order: BatchOrder | None = None,
        stop: Callable[[], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        self.X, self.y = _tensors(dataset)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.max_batches = max_batches
        self.order = order
        self.stop = stop
        self._yielded = 0

    def __len__(self) -> int:
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.X)
        if self.order is not None:
            batches = self.order.next_pass(n)
            # Asked before the order draws the batch, so that a stopped pass
            # leaves the order where training stopped.
            while self.stop is None or not self.stop():
                index = next(batches, None)
                if index is None:
                    return
                X, y = _take(self.X, index), _take(self.y, index)
                yield X, torch.zeros(len(X)) if y is None else y
            return
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
