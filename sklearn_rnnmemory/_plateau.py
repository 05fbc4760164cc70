"""Training to the plateau of what is measured (definitions §3.7b).

A model trains in rounds of doubling updates, continuing one training run, and
after each round its memory capacity at an evaluation length ``L`` is measured
on validation sequences held out of the training data. Training stops, once a
minimum number of updates is reached, when that capacity moved by less than the
tolerance over two consecutive rounds, or at the cap ``max_steps``.

The parts are plain, so that any trainer can drive them:

- :class:`PlateauRule`: the checkpoints and whether a trajectory has levelled
  off, on plain numbers;
- :class:`PlateauTracker`: one model's trajectory under a rule; a trainer
  advances the model to ``next_checkpoint``, then calls ``record``;
- :func:`split_validation` and :func:`validation_capacity`: the held-out
  sequences and the capacity measured on them;
- :class:`PlateauStopping`: the estimators' option that holds the settings (a
  clonable parameter, so grid searches can set ``plateau__tol``), and
  :class:`PlateauCheck`, the skorch callback through which
  :class:`~sklearn_rnnmemory.RecurrentMemoryRegressor` runs the rule inside one
  ``fit``.
"""

import time
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import GroupShuffleSplit
from sklearn.utils._param_validation import Interval
from skorch.callbacks import Callback

from ._plateau_rule import (  # noqa: F401  (the rule's constants, read from here too)
    FIRST_ROUND,
    MIN_UPDATES,
    PLATEAU_TOL,
    SMALL_CAPACITY,
    VALIDATION_FRACTION,
    PlateauRule,
)


@dataclass
class PlateauTracker:
    """One model's capacity trajectory under a :class:`PlateauRule`.

    A trainer advances the model to :attr:`next_checkpoint` updates, measures
    its capacity and calls :meth:`record`, until :attr:`finished`.

    Examples
    --------
    >>> from sklearn_rnnmemory._plateau import PlateauRule, PlateauTracker
    >>> tracker = PlateauTracker(PlateauRule(8000, first_round=1000, min_updates=1))
    >>> for capacity in (30.0, 50.0, 51.0, 51.5):
    ...     updates = tracker.next_checkpoint
    ...     finished = tracker.record(updates, capacity)
    >>> tracker.trajectory[-1], tracker.converged, tracker.finished
    ((8000, 51.5), True, True)
    """

    rule: PlateauRule
    trajectory: list = field(default_factory=list)

    @property
    def next_checkpoint(self) -> int | None:
        """Updates at which to measure next; None once finished."""
        if self.finished:
            return None
        done = self.trajectory[-1][0] if self.trajectory else 0
        return next(n for n in self.rule.checkpoints() if n > done)

    @property
    def converged(self) -> bool:
        """Whether the trajectory levelled off (by the rule, not the cap)."""
        return self.rule.levelled_off(self.trajectory)

    @property
    def finished(self) -> bool:
        """Levelled off, at the cap, or diverged (a capacity that is not a
        number: training further cannot help)."""
        if not self.trajectory:
            return False
        updates, capacity = self.trajectory[-1]
        return (
            self.converged
            or updates >= self.rule.max_steps
            or not np.isfinite(capacity)
        )

    def record(self, updates: int, capacity: float) -> bool:
        """Add the capacity measured after ``updates``; return :attr:`finished`."""
        self.trajectory.append((int(updates), float(capacity)))
        return self.finished


def split_validation(
    n_sequences: int,
    fraction: float,
    random_state: int | None,
    groups: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the sequences to train on and of those held out.

    Whole groups (documents) are held out together when ``groups`` is given.

    Parameters
    ----------
    n_sequences : int
    fraction : float in (0, 1)
        Share of the sequences (of the groups, with ``groups``) held out.
    random_state : int or None
    groups : ndarray of shape (n_sequences,), default=None

    Returns
    -------
    train, valid : ndarray of int
    """
    labels = np.arange(n_sequences) if groups is None else np.asarray(groups)
    if np.unique(labels).size < 2:
        raise ValueError(
            f"Holding out validation sequences needs at least 2 "
            f"{'sequences' if groups is None else 'groups'}; got "
            f"{np.unique(labels).size}."
        )
    splitter = GroupShuffleSplit(1, test_size=fraction, random_state=random_state)
    train, valid = next(splitter.split(np.zeros(n_sequences), groups=labels))
    return np.sort(train), np.sort(valid)


def validation_capacity(
    estimator: Any,
    X_valid: np.ndarray,
    eval_len: int,
    groups: np.ndarray | None = None,
) -> float:
    """Memory capacity of a (partly) trained memory estimator on held-out
    sequences read in windows of ``eval_len``: what the plateau rule follows.

    Parameters
    ----------
    estimator : RecurrentMemoryRegressor
        Readable: ``memory_profile`` works on it.
    X_valid : ndarray of shape (n, T, d)
        The held-out sequences.
    eval_len : int
        ``L``.
    groups : ndarray of shape (n,), default=None
        One label per held-out sequence, as ``memory_profile`` takes them.

    Returns
    -------
    capacity : float
        NaN when the network's weights are no longer finite (it diverged).
    """
    weights = estimator.net_.module_.parameters()
    if not all(bool(torch.isfinite(w).all()) for w in weights):
        return float("nan")
    profile = estimator.memory_profile(
        X_valid, eval_len=eval_len, probe=False, groups=groups
    )
    return float(profile.memory_capacity)


class PlateauStopping(BaseEstimator):
    """Train to the plateau of the memory capacity instead of a fixed budget.

    The option ``plateau=`` of
    :class:`~sklearn_rnnmemory.RecurrentMemoryRegressor`. ``fit`` holds out a
    share of the training sequences, trains on the rest in rounds of doubling
    updates (one training run, not restarts) and, after each round, measures the
    memory capacity on the held-out sequences read in windows of ``eval_len``.
    It stops, once ``min_updates`` are made, when that capacity moved by less
    than ``tol`` over two consecutive rounds, or at the estimator's budget
    (``max_steps``, or ``max_epochs`` passes when that is None), which is the
    cap. Until it stops, training is the same as a fixed budget's: the
    updates are those a fit with ``max_steps`` equal to the updates made gives.

    Its parameters are the estimator's nested parameters, so a grid search sets
    them as ``plateau__tol``; ``plateau=None`` (the default) trains for the
    fixed budget.

    Parameters
    ----------
    eval_len : int
        The evaluation length ``L`` at which the capacity must level off.
    tol : float in [0, 1), default=0.05
        A round moved when the capacity changed by at least ``tol`` times the
        larger of its earlier value and 10 tokens (0.5 token at the default):
        relative for large capacities, absolute near 0. 0 never calls a
        plateau: train to the cap, recording the trajectory.
    first_round : int, default=250
        Updates before the first measurement; each later one doubles the
        updates made.
    min_updates : int, default=2000
        The fewest updates at which a plateau may be called (the memory task
        has a slow escape phase: a vanilla RNN may sit near capacity 0 for a
        long time before it learns).
    validation_fraction : float in (0, 1), default=0.2
        Share of the training sequences (of the groups, when ``fit`` gets
        ``groups``) held out; they must give at least
        :func:`~sklearn_rnnmemory.indicators.min_clusters` windows (groups) of
        ``eval_len``.
    random_state : int or None, default=0
        Seeds the split; fixed by default, so that fits with different seeds
        hold out the same sequences and differ only in the model.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory import PlateauStopping, RecurrentMemoryRegressor
    >>> X = np.random.default_rng(0).normal(size=(60, 8, 2)).astype("float32")
    >>> model = RecurrentMemoryRegressor(
    ...     "gru", hidden_size=4, seq_len=4, max_steps=40, random_state=0,
    ...     plateau=PlateauStopping(8, first_round=10, min_updates=20),
    ... ).fit(X)
    >>> [updates for updates, _ in model.capacity_trajectory_]
    [10, 20, 40]
    >>> model.n_updates_
    40
    """

    _parameter_constraints: dict = {
        "eval_len": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, 1, closed="left")],
        "first_round": [Interval(Integral, 1, None, closed="left")],
        "min_updates": [Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": [Interval(Integral, 0, 2**32 - 1, closed="both"), None],
    }

    def __init__(
        self,
        eval_len: int,
        *,
        tol: float = PLATEAU_TOL,
        first_round: int = FIRST_ROUND,
        min_updates: int = MIN_UPDATES,
        validation_fraction: float = VALIDATION_FRACTION,
        random_state: int | None = 0,
    ) -> None:
        self.eval_len = eval_len
        self.tol = tol
        self.first_round = first_round
        self.min_updates = min_updates
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def rule(self, max_steps: int) -> PlateauRule:
        """Return the rule, capped at ``max_steps``; every setting checked.

        Parameters
        ----------
        max_steps : int
            The training updates the rule may spend at most.

        Returns
        -------
        rule : PlateauRule
            The rule a fit follows to its plateau.
        """
        self._validate_params()
        return PlateauRule(
            max_steps,
            tol=float(self.tol),
            first_round=int(self.first_round),
            min_updates=int(self.min_updates),
        )


class PlateauCheck(Callback):
    """The skorch callback that runs a :class:`PlateauTracker` inside one fit.

    It counts the training updates; at each checkpoint it records
    ``measure()``; once the tracker is finished, :meth:`stop_requested` tells
    the batch iterator to end the pass, and the pass's end stops training as
    skorch's ``EarlyStopping`` does (a ``KeyboardInterrupt`` that skorch
    catches).

    Parameters
    ----------
    tracker : PlateauTracker
    measure : callable
        ``measure() -> float``: the capacity of the model being trained.

    Attributes
    ----------
    seconds_ : float
        Time spent in ``measure``, within the fit's.
    """

    def __init__(self, tracker: PlateauTracker, measure: Any) -> None:
        self.tracker = tracker
        self.measure = measure

    def initialize(self) -> "PlateauCheck":
        self.updates_ = 0
        self.stopping_ = False
        self.seconds_ = 0.0
        return self

    def stop_requested(self) -> bool:
        """Whether the iterator should yield no further batch."""
        return self.stopping_

    def on_batch_end(
        self, net: Any, batch: Any = None, training: bool | None = None, **kwargs: Any
    ) -> None:
        if not training:
            return
        self.updates_ += 1
        if self.updates_ == self.tracker.next_checkpoint:
            start = time.perf_counter()
            capacity = self.measure()
            self.seconds_ += time.perf_counter() - start
            self.stopping_ = self.tracker.record(self.updates_, capacity)

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        if self.stopping_:
            raise KeyboardInterrupt

    def on_train_end(self, net: Any, **kwargs: Any) -> None:
        # The fitted net keeps its callbacks: no reference to the estimator or
        # its validation data stays behind.
        self.measure = None
