"""The seeds of one configuration, trained together as one stacked network.

:class:`StackedSeeds` trains the :class:`~sklearn_rnnmemory.RecurrentMemoryRegressor`
of several seeds of one configuration (unit, sizes, training length,
training options) at once, on :class:`.stacked_network.StackedReaders`: one
batched matrix product per step serves every seed, so they share the per-step
cost of a small recurrent network. Each seed is trained as its own fit would
train it:

- its initial weights are those its fit would build (the fit's own net is
  initialised under the fit's seed, then its weights are stacked);
- its batches are those its fit would draw (its own
  :class:`.batches.BatchOrder`, started where its fit would start it);
- its optimizer state is its own: one optimizer over the stacked tensors equals
  one per seed for optimizers that work element by element (Adam, AdamW, SGD,
  RMSprop), and gradient clipping (``max_grad_norm``) is computed per seed.

So one update equals the separate fit's update up to float rounding, and a
seed taken out of the stack (:meth:`StackedSeeds.fitted`) is an ordinary
fitted estimator, whose ``_advance`` continues exactly as the stack would.
Training goes in rounds: :meth:`StackedSeeds.advance` continues every active
seed, :meth:`StackedSeeds.stop` takes one out, the others continue unchanged.

How many seeds a stack takes, if any, is a fixed rule, :func:`seeds_per_stack`,
by unit, device and size (measured in ``benchmarks/bench_stacked.py``), never a
timing taken at run time, so that a study chooses the same way on every run;
:func:`seed_groups` splits a configuration's seeds accordingly.
"""

import copy
import functools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import torch
from torch import Tensor

from .._regressor import RecurrentMemoryRegressor, _network
from .._sequences import check_sequences
from .._typing import ArrayLike
from .._validation import check_positive_int
from .batches import BatchOrder
from .devices import DeviceLike, resolve_device
from .losses import semantic_losses
from .networks import SemanticReader
from .optimizers import OPTIMIZERS, check_optimizer
from .recurrences import GATES
from .seeding import GeneratorStates, seeded
from .skorch_nets import MemoryNet
from .stacked_network import StackedReaders

#: On the CPU, the largest stack (seeds x window steps x windows per batch x
#: hidden size) with which each unit's seeds train faster stacked than one by
#: one. Measured in ``benchmarks/bench_stacked.py`` (docs/performance.md): a
#: stack shares each step's fixed cost among its seeds, but its tensors grow
#: with them, and past a size the cache misses and the larger products cost
#: more than the shared steps save. For three seeds against three separate
#: fits (windows x steps x hidden size), the RNN gained at every size measured,
#: up to 32 x 80 x 128; the GRU gained up to 32 x 80 x 32 and 32 x 10 x 128,
#: was even at 32 x 20 x 128 and lost from 32 x 40 x 128; the LSTM, whose
#: separate fits run oneDNN's fused kernel, gained up to 32 x 20 x 32 and
#: 32 x 5 x 128 and was even or lost from 32 x 40 x 32.
STACK_LIMITS = {"rnn": 2**20, "gru": 2**18, "lstm": 2**16}


def seeds_per_stack(
    unit: Any,
    device: DeviceLike,
    window_length: int,
    hidden_size: int,
    batch_size: int,
) -> int:
    """The most seeds of one configuration that train faster in one stack.

    A fixed rule, so that a study trains the same way on every run (a seed's
    stacked and separate fits agree up to float rounding): on the CPU, a
    built-in unit is stacked while ``seeds x window_length x batch_size x
    hidden_size`` stays within its :data:`STACK_LIMITS`; on accelerators no
    unit is (each seed trains on cuDNN's kernels; the stack was not measured
    faster there).

    Parameters
    ----------
    unit : str or other unit
        The unit; a user's unit is never stacked.
    device : str
        The device, e.g. ``"cpu"`` or ``"cuda:0"`` (``"auto"`` is resolved).
    window_length : int
        Steps of a training window (the study's ``k``).
    hidden_size : int
        The hidden size.
    batch_size : int
        Windows per update.

    Returns
    -------
    n_seeds : int
        1: train each seed alone.
    """
    if torch.device(resolve_device(device)).type != "cpu":
        return 1
    if not isinstance(unit, str) or unit not in STACK_LIMITS:
        return 1
    return max(1, STACK_LIMITS[unit] // (window_length * batch_size * hidden_size))


def stacking_refusal(unit: Any, estimator: Any) -> str | None:
    """Why the fits of ``unit`` with the parameters of ``estimator`` cannot
    train as one stack (one line), or None when they can.

    Parameters
    ----------
    unit : str or other unit
        The unit.
    estimator : RecurrentMemoryRegressor
        Its parameters checked.

    Returns
    -------
    refusal : str or None
    """
    if not (isinstance(unit, str) and unit in GATES):
        return f"Only the units {sorted(GATES)} can be stacked; got {unit!r}."
    if estimator.callbacks:
        return (
            "Stacked seeds run no callbacks of their own; train with callbacks "
            "one seed at a time."
        )
    if estimator.validation_fraction is not None:
        return (
            "Stacked seeds hold no validation share out; train with "
            "validation_fraction one seed at a time."
        )
    optimizer = check_optimizer(estimator.optimizer)
    if optimizer not in OPTIMIZERS.values():
        return (
            f"Stacked seeds take the built-in optimizers {sorted(OPTIMIZERS)}, "
            f"which update each weight on its own; got {optimizer.__name__}."
        )
    return None


def seed_groups(seeds: Sequence[int], per_stack: int) -> list[tuple[int, ...]]:
    """``seeds`` in the fewest groups of at most ``per_stack``, as even in size
    as can be, in order; a group of one trains alone.

    >>> seed_groups(range(10), 6)
    [(0, 1, 2, 3, 4), (5, 6, 7, 8, 9)]
    >>> seed_groups([0, 1, 2], 1)
    [(0,), (1,), (2,)]
    """
    seeds = list(seeds)
    n_groups = -(-len(seeds) // max(1, per_stack))
    return [tuple(part.tolist()) for part in np.array_split(seeds, n_groups)]


@dataclass
class _Seed:
    """One seed's fit: its net (module, optimizer, history, batch order) and
    where torch's generators of its fit stand."""

    net: Any
    order: BatchOrder
    generators: GeneratorStates
    n_updates: int = 0


def _check_seeds(seeds):
    seeds = list(seeds)
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise ValueError(f"seeds must be integers; got {seed!r}.")
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct integers, at least one; got {seeds}.")
    return [int(seed) for seed in seeds]


def _clip_per_model(parameters: Sequence[Tensor], max_norm: float) -> None:
    """``torch.nn.utils.clip_grad_norm_`` for each model of a stack: each
    model's gradients are scaled by its own norm."""
    grads = [cast(Tensor, p.grad) for p in parameters]  # set by the backward pass
    squares = functools.reduce(
        operator.add, (grad.flatten(1).pow(2).sum(1) for grad in grads)
    )
    scale = (max_norm / (squares.sqrt() + 1e-6)).clamp(max=1.0)
    for grad in grads:
        grad.mul_(scale.view(-1, *([1] * (grad.dim() - 1))))


class StackedSeeds:
    """Train the fits of several seeds of one configuration together.

    Parameters
    ----------
    unit : {"rnn", "lstm", "gru"}
        The unit.
    seeds : sequence of int
        The seeds: each is the ``random_state`` of one fit.
    X_train : array-like of shape (n, T, d) or (n, T)
        The training sequences, as for ``fit``.
    **estimator_params
        The other parameters of
        :class:`~sklearn_rnnmemory.RecurrentMemoryRegressor` (``hidden_size``,
        ``seq_len``, ``lr``, ``batch_size``, ``max_grad_norm``, ...). Not
        ``random_state`` (the seeds give it), nor ``callbacks`` or
        ``validation_fraction`` (a stack runs no per-seed callbacks), and the
        optimizer must be one of the built-in ones by name or class.
        ``max_steps`` and ``max_epochs`` are kept for the fitted estimators but
        do not limit training: :meth:`advance` says how far to train.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(40, 12, 3)).astype("float32")
    >>> stack = StackedSeeds("gru", [0, 1, 2], X, hidden_size=8, seq_len=4,
    ...                      batch_size=16, device="cpu")
    >>> stack.advance(20)
    >>> stack.stop(1)
    >>> stack.advance(10)
    >>> stack.active, stack.n_updates(0), stack.n_updates(1)
    ((0, 2), 30, 20)
    >>> stack.fitted(1).n_updates_
    20
    """

    def __init__(
        self,
        unit: str,
        seeds: Iterable[int],
        X_train: ArrayLike,
        **estimator_params: Any,
    ) -> None:
        if "random_state" in estimator_params:
            raise ValueError(
                "random_state is given by the seeds; do not pass it to StackedSeeds."
            )
        self._unit = unit
        self._params = estimator_params
        template = RecurrentMemoryRegressor(unit, **estimator_params)
        template._check_params()
        refusal = stacking_refusal(unit, template)
        if refusal is not None:
            raise ValueError(refusal)
        X = check_sequences(X_train, dtype=np.float32)
        d = X.shape[2]
        template._check_network_size(d, d, f", d={d}")
        windows, targets, masked = template._training_windows(X, rescale=True)
        self._input_scale = template.input_scale_
        self._n_features = d
        self._masked = masked
        self._windows = torch.as_tensor(windows)
        self._targets = torch.as_tensor(targets)
        self._update_cap = template._update_cap(len(windows))
        self._device = template._device_name()
        self._max_grad_norm = (
            None if template.max_grad_norm is None else float(template.max_grad_norm)
        )
        self._seeds: dict[int, _Seed] = {}
        for seed in _check_seeds(seeds):
            self._seeds[seed] = self._new_seed(seed, d, masked)
        self._active = list(self._seeds)
        self._network = StackedReaders(
            [self._seeds[seed].net.module_ for seed in self._active]
        ).to(self._device)
        self._optimizer = self._new_optimizer(self._network.parameters())

    def _new_seed(self, seed, d, masked):
        """The net a fit of ``seed`` builds, initialised as the fit initialises
        it, and where its generators then stand."""
        estimator = RecurrentMemoryRegressor(
            self._unit, random_state=seed, **self._params
        )
        torch_seed = estimator._torch_seed()
        order = BatchOrder(int(estimator.batch_size))
        net = estimator._new_network(
            MemoryNet,
            SemanticReader,
            torch_seed,
            order,
            int(estimator.max_epochs),
            self._device,
            **_network(d, masked),
        )
        with seeded(torch_seed, self._device):
            net.initialize()
            order.start_from_global_generator()
            generators = GeneratorStates.capture(self._device)
        return _Seed(net, order, generators)

    def _new_optimizer(self, parameters):
        optimizer = self._seeds[next(iter(self._seeds))].net.optimizer_
        settings = {k: v for k, v in optimizer.param_groups[0].items() if k != "params"}
        return type(optimizer)(list(parameters), **settings)

    # -- state --------------------------------------------------------------

    @property
    def seeds(self) -> tuple[int, ...]:
        """Every seed, active or stopped."""
        return tuple(self._seeds)

    @property
    def active(self) -> tuple[int, ...]:
        """The seeds that :meth:`advance` trains."""
        return tuple(self._active)

    @property
    def update_cap(self) -> int:
        """The updates each seed's own fit would make: ``max_steps``, or
        ``max_epochs`` passes over the training windows."""
        return self._update_cap

    def n_updates(self, seed: int) -> int:
        """Updates ``seed`` has been trained for."""
        return self._seed(seed).n_updates

    def _seed(self, seed):
        if seed not in self._seeds:
            raise ValueError(f"seed {seed!r} is not one of {list(self._seeds)}.")
        return self._seeds[seed]

    # -- training -----------------------------------------------------------

    def advance(self, n_updates: int) -> None:
        """Train every active seed for ``n_updates`` more updates.

        Each seed continues as its own uninterrupted fit would: its batches
        continue its shuffled passes and its optimizer keeps its state. As with
        ``RecurrentMemoryRegressor._advance``, the history's epochs end where
        each call ends.
        """
        n_updates = check_positive_int(n_updates, "n_updates")
        seeds = [self._seeds[seed] for seed in self._active]
        if not seeds:
            return
        n_samples = len(self._windows)
        dataset = seeds[0].net.get_dataset(self._windows, self._targets)
        epoch = {"dataset_train": dataset, "dataset_valid": None}
        for seed in seeds:
            seed.order.budget = n_updates
            seed.net.notify("on_train_begin", X=self._windows, y=self._targets)
        left = n_updates
        while left:
            passes = [seed.order.next_pass(n_samples) for seed in seeds]
            for seed in seeds:
                seed.net.notify("on_epoch_begin", **epoch)
            count = 0
            for indices in zip(*passes, strict=False):
                losses = self._update(indices).tolist()
                for seed, loss in zip(seeds, losses, strict=True):
                    seed.net.history.new_batch()
                    seed.net.history.record_batch("train_loss", loss)
                    seed.net.history.record_batch("train_batch_size", len(indices[0]))
                count += 1
            left -= count
            for seed in seeds:
                seed.n_updates += count
                seed.net.history.record("train_batch_count", count)
                seed.net.notify("on_epoch_end", **epoch)
        for seed in seeds:
            seed.net.notify("on_train_end", X=self._windows, y=self._targets)

    def _update(self, indices):
        """One optimizer update of every active seed on its batch; the
        seeds' losses."""
        S, B = len(indices), len(indices[0])
        index = torch.cat(indices)
        X = self._windows.index_select(0, index).view(S, B, *self._windows.shape[1:])
        y = self._targets.index_select(0, index).view(S, B, *self._targets.shape[1:])
        X, y = X.to(self._device), y.to(self._device)
        self._optimizer.zero_grad()
        losses = semantic_losses(self._network(X), y.transpose(1, 2), self._masked)
        losses.sum().backward()
        if self._max_grad_norm is not None:
            _clip_per_model(list(self._network.parameters()), self._max_grad_norm)
        self._optimizer.step()
        return losses.detach()

    def _sync(self, seed):
        """Copy ``seed``'s weights and optimizer state from the stack into its
        own net."""
        index = self._active.index(seed)
        net = self._seeds[seed].net
        net.module_.load_state_dict(self._network.reader_state(index))
        stacked = self._optimizer.state_dict()
        state = {
            key: {
                name: value[index].clone() if value.dim() else value.clone()
                for name, value in entry.items()
            }
            for key, entry in stacked["state"].items()
        }
        groups = net.optimizer_.state_dict()["param_groups"]
        net.optimizer_.load_state_dict({"state": state, "param_groups": groups})

    def stop(self, seed: int) -> None:
        """Take ``seed`` out of the stack; the other seeds continue unchanged.

        Its fit as it stands stays available from :meth:`fitted`.
        """
        self._seed(seed)
        if seed not in self._active:
            return
        self._sync(seed)
        keep = [i for i, s in enumerate(self._active) if s != seed]
        self._active.remove(seed)
        if not keep:
            return
        stacked = self._optimizer.state_dict()
        self._network.keep(keep)
        index = torch.as_tensor(keep)
        for entry in stacked["state"].values():
            for name, value in entry.items():
                if value.dim():
                    entry[name] = value.index_select(0, index.to(value.device))
        self._optimizer = self._new_optimizer(self._network.parameters())
        self._optimizer.load_state_dict(stacked)

    def fitted(self, seed: int) -> RecurrentMemoryRegressor:
        """``seed``'s fit as it stands, an ordinary fitted estimator.

        A copy: training the stack further does not change it. Its
        ``_advance`` continues exactly as the stack would.
        """
        record = self._seed(seed)
        if not record.n_updates:
            raise ValueError(
                f"seed {seed} has not been trained yet: call advance first."
            )
        if seed in self._active:
            self._sync(seed)
        estimator = RecurrentMemoryRegressor(
            self._unit, random_state=seed, **self._params
        )
        estimator.net_ = copy.deepcopy(record.net)
        estimator.input_scale_ = self._input_scale
        estimator._generator_states_ = copy.deepcopy(record.generators)
        estimator._after_fit()
        estimator.n_features_in_ = self._n_features
        return estimator
