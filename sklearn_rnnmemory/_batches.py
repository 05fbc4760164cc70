"""Mini-batches sliced straight from whole tensors.

A ``torch.utils.data.DataLoader`` over a map-style dataset fetches every window
on its own and collates them again; for small recurrent models that bookkeeping
costs more than the training step. The windows already sit in two arrays, so a
batch is one indexing operation.
"""

import math

import torch


def _tensors(dataset):
    """``(X, y)`` tensors of a skorch Dataset, or of a Subset of one."""
    indices = None
    if isinstance(dataset, torch.utils.data.Subset):
        indices = torch.as_tensor(dataset.indices)
        dataset = dataset.dataset
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
    **kwargs
        Other DataLoader options (``num_workers``, ...) are ignored.
    """

    def __init__(self, dataset, batch_size=64, shuffle=False, **kwargs):
        self.X, self.y = _tensors(dataset)
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self):
        n = len(self.X)
        order = torch.randperm(n) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if order is None:
                index = slice(start, start + self.batch_size)
            else:
                index = order[start : start + self.batch_size]
            X = self.X[index]
            # skorch's placeholder for a missing target
            y = torch.zeros(len(X)) if self.y is None else self.y[index]
            yield X, y
