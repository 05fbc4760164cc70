"""One configuration of a study: train, then measure at L and at k."""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from .._plateau import PlateauTracker, split_validation, validation_capacity
from .._recurrent_base import update_cap
from .._regressor import RecurrentMemoryRegressor
from .._torch.registry import UnitLike, macs_per_step, unit_label, unit_reference
from .._torch.stacked_seeds import StackedSeeds
from ..indicators import INDICATORS, retention_matrix
from ._columns import COLUMNS, CONFIG_COLUMNS

#: One configuration: unit, training length, hidden size, seed.
Configuration = tuple[UnitLike, int, int, int]

# A training step's fixed cost (optimizer, autograd, Python), in multiply-adds
# of recurrent work: measured on CPU as about 25 steps of an LSTM with H = 32.
_STEP_OVERHEAD_MACS = 25 * macs_per_step("lstm", 50, 32)


#: The estimator's parameters with their defaults, as its signature declares.
_ESTIMATOR_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(
        RecurrentMemoryRegressor
    ).parameters.items()
    if parameter.default is not inspect.Parameter.empty
}


@contextmanager
def one_thread() -> Iterator[None]:
    """One torch and BLAS thread, so workers do not oversubscribe the cores and
    serial and parallel runs compute alike."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1):
            yield
    finally:
        torch.set_num_threads(previous)


def expected_cost(
    config: Configuration,
    lengths: np.ndarray,
    n_features: int,
    estimator_params: dict[str, Any],
) -> int:
    """Rough training cost of a configuration, to order the work (not shown).

    ``lengths`` are the training sequences' lengths; the other parameters are
    ``estimator_params`` over the estimator's defaults.
    """
    unit, k, hidden_size, _ = config
    params = {**_ESTIMATOR_DEFAULTS, **estimator_params}
    windows = int(np.sum(-(-lengths // k)))
    updates = update_cap(
        windows,
        max_steps=params["max_steps"],
        max_epochs=params["max_epochs"],
        batch_size=params["batch_size"],
        validation_fraction=params["validation_fraction"],
    )
    per_step = macs_per_step(unit, n_features, hidden_size, params["num_layers"])
    if per_step is None:  # a user's unit of unknown cost: order it as an LSTM
        per_step = macs_per_step("lstm", n_features, hidden_size, params["num_layers"])
    return updates * (_STEP_OVERHEAD_MACS + k * per_step)


def labelled(config: Configuration) -> tuple:
    """A configuration with its unit by label, as rows and files hold it."""
    return (unit_label(config[0]), *config[1:])


def empty_row(config: Configuration) -> dict[str, Any]:
    """A row of a configuration with every measurement missing."""
    row: dict[str, Any] = {column.name: column.missing for column in COLUMNS}
    row.update(zip(CONFIG_COLUMNS, labelled(config), strict=True))
    row.update(
        unit_ref=unit_reference(config[0]),
        n_windows=0,
        n_clusters=0,
        n_parameters=0,
        macs_per_step=0,
        n_updates=0,
        converged=False,
        status="ok",
        error="",
        retention_curve=[],
        retention_stderr=[],
        retention_matrix=[],
        capacity_trajectory=[],
    )
    return row


def run_configuration(
    config: Configuration,
    train: tuple[np.ndarray, np.ndarray | None],
    test: tuple[np.ndarray, np.ndarray | None],
    estimator_params: dict[str, Any],
    eval_len: int,
    threshold: float,
) -> dict[str, Any]:
    """Train and measure one configuration; never raises.

    The model trained at ``k = seq_len`` (to its plateau, when
    ``estimator_params`` hold one) is measured on test windows of the common
    evaluation length ``eval_len`` (every indicator, the probe, the retention
    matrix) and on windows of its own length ``k`` (capacity only).
    ``train`` and ``test`` are the sequences and their groups (or None).
    """
    unit, seq_len, hidden_size, seed = config
    (X_train, train_groups), (X_test, test_groups) = train, test
    row = empty_row(config)
    row["eval_len"] = eval_len
    with one_thread():
        try:
            start = time.perf_counter()
            model = RecurrentMemoryRegressor(
                unit,
                hidden_size=hidden_size,
                seq_len=seq_len,
                random_state=seed,
                **estimator_params,
            ).fit(X_train, groups=train_groups)
            fit_time = time.perf_counter() - start
            check = dict(model.net_.callbacks_).get("plateau")
            row["check_time"] = 0.0 if check is None else check.seconds_
            return _measured(
                row,
                model,
                fit_time,
                model.converged_,
                model.capacity_trajectory_,
                (X_test, test_groups),
                eval_len,
                threshold,
            )
        except Exception as exc:  # a failed configuration is a row, not a crash
            return _failed(row, exc)


def run_stacked_configurations(
    configs: Sequence[Configuration],
    train: tuple[np.ndarray, np.ndarray | None],
    test: tuple[np.ndarray, np.ndarray | None],
    estimator_params: dict[str, Any],
    eval_len: int,
    threshold: float,
) -> list[dict[str, Any]]:
    """Train the seeds of one configuration together, each to its own
    plateau, and measure each as :func:`run_configuration` does; never raises.

    ``configs`` differ only in their seed. The seeds train as one
    :class:`~sklearn_rnnmemory._torch.stacked_seeds.StackedSeeds`; each seed
    is checked at the plateau rule's checkpoints on the validation sequences
    its own fit would hold out, leaves the stack once its rule is finished,
    and is then the model its own fit with ``plateau`` gives, up to float
    rounding. A seed's ``fit_time`` is its share of the stack's training (each
    round's time divided among the seeds it trained) plus its own checks.
    """
    unit, seq_len, hidden_size, _ = configs[0]
    seeds = [config[3] for config in configs]
    (X_train, train_groups), (X_test, test_groups) = train, test
    rows = {config[3]: empty_row(config) for config in configs}
    for row in rows.values():
        row["eval_len"] = eval_len
        row["check_time"] = 0.0
    params = dict(estimator_params)
    plateau = params.pop("plateau")
    with one_thread():
        try:
            train_index, valid_index = split_validation(
                X_train.shape[0],
                plateau.validation_fraction,
                plateau.random_state,
                train_groups,
            )
            X_valid = X_train[valid_index]
            valid_groups = None if train_groups is None else train_groups[valid_index]
            start = time.perf_counter()
            stack = StackedSeeds(
                cast(str, unit),  # only built-in units are stacked
                seeds,
                X_train[train_index],
                hidden_size=hidden_size,
                seq_len=seq_len,
                **params,
            )
            shared = (time.perf_counter() - start) / len(seeds)
            trackers = {
                seed: PlateauTracker(plateau.rule(stack.update_cap)) for seed in seeds
            }
        except Exception as exc:
            return [_failed(row, exc) for row in rows.values()]
        fit_time = dict.fromkeys(seeds, shared)
        models: dict[int, RecurrentMemoryRegressor] = {}
        try:
            while stack.active:
                _next_round(
                    stack,
                    trackers,
                    fit_time,
                    models,
                    rows,
                    X_valid,
                    valid_groups,
                    plateau.eval_len,
                )
        except Exception as exc:  # the stack itself failed: so did its seeds
            for seed in stack.active:
                _failed(rows[seed], exc)
        for seed, model in models.items():
            tracker = trackers[seed]
            try:
                _measured(
                    rows[seed],
                    model,
                    fit_time[seed],
                    tracker.converged,
                    tracker.trajectory,
                    (X_test, test_groups),
                    eval_len,
                    threshold,
                )
            except Exception as exc:
                _failed(rows[seed], exc)
    return [rows[seed] for seed in seeds]


def _next_round(stack, trackers, fit_time, models, rows, X_valid, groups, eval_len):
    """Train the stack's active seeds to their next checkpoint and check each:
    a seed whose rule is finished leaves the stack for ``models``, a seed
    whose network diverged leaves it as a failed row."""
    # The seeds in the stack share the rule's checkpoints.
    active = stack.active
    checkpoint = trackers[active[0]].next_checkpoint
    start = time.perf_counter()
    stack.advance(checkpoint - stack.n_updates(active[0]))
    elapsed = time.perf_counter() - start
    for seed in active:
        fit_time[seed] += elapsed / len(active)
        start = time.perf_counter()
        try:
            model = stack.fitted(seed)
            capacity = validation_capacity(model, X_valid, eval_len, groups)
        except Exception as exc:  # diverged: refused, as a fit refuses it
            stack.stop(seed)
            _failed(rows[seed], exc)
            continue
        finally:
            seconds = time.perf_counter() - start
            fit_time[seed] += seconds
            rows[seed]["check_time"] += seconds
        if trackers[seed].record(checkpoint, capacity):
            stack.stop(seed)
            models[seed] = model


def _failed(row: dict[str, Any], exc: Exception) -> dict[str, Any]:
    """``row`` marked failed, with the error; its measurements stay missing."""
    row["status"] = "failed"
    row["error"] = f"{type(exc).__name__}: {exc}"
    return row


def _measured(
    row: dict[str, Any],
    model: RecurrentMemoryRegressor,
    fit_time: float,
    converged: bool | None,
    trajectory: list[tuple[int, float]],
    test: tuple[np.ndarray, np.ndarray | None],
    eval_len: int,
    threshold: float,
) -> dict[str, Any]:
    """``row`` filled with the training record of ``model`` and every
    measurement on the test sequences; raises what the measurements raise."""
    seq_len, hidden_size = row["seq_len"], row["hidden_size"]
    X_test, test_groups = test
    start = time.perf_counter()
    row["fit_time"] = fit_time
    row["n_updates"] = model.n_updates_
    # A fixed budget measures nothing while training: not levelled.
    row["converged"] = bool(converged)
    row["capacity_trajectory"] = [
        [updates, round(capacity, 4)] for updates, capacity in trajectory
    ]
    row["final_loss"] = float(model.history_[-1, "train_loss"])
    row["n_parameters"] = sum(
        p.numel() for p in model.net_.module_.parameters() if p.requires_grad
    )
    macs = macs_per_step(model.unit, X_test.shape[2], hidden_size, model.num_layers)
    row["macs_per_step"] = float("nan") if macs is None else macs
    # X_test, eval_len and threshold were checked by the study: the windows
    # of L are cut and read once, and every measurement at L is taken from
    # that one reading; the capacity at k reads the windows of k.
    reading = model._read_evaluation(X_test, eval_len, trajectory=True)
    profile = model._reading_profile(
        reading, threshold=threshold, probe=True, groups=test_groups
    )
    own = (
        profile
        if seq_len == eval_len
        else model._reading_profile(
            model._read_evaluation(X_test, seq_len),
            threshold=threshold,
            probe=False,
            groups=test_groups,
        )
    )
    matrix = retention_matrix(
        reading.windows, reading.predicted, composition=model.composition
    )
    values = profile.to_dict()
    row.update({name: values[name] for name in INDICATORS})
    row["capacity_ci_low"], row["capacity_ci_high"] = values["memory_capacity_ci"]
    for name in (
        "baseline_error",
        "baseline_similarity",
        "span_start",
        "probe_baseline",
        "n_windows",
        "n_clusters",
        "explained_share",
        "retention_curve",
        "retention_stderr",
    ):
        row[name] = values[name]
    row["eval_len"] = profile.window_length
    row["capacity_at_seq_len"] = own.memory_capacity
    row["capacity_per_parameter"] = row["memory_capacity"] / row["n_parameters"]
    row["capacity_per_mac"] = row["memory_capacity"] / row["macs_per_step"]
    row["retention_matrix"] = np.round(matrix, 6).tolist()
    row["measure_time"] = time.perf_counter() - start
    return row
