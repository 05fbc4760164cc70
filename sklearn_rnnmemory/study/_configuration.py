"""One configuration of a study: train, then measure at L and at k."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from .._estimator import RecurrentMemoryRegressor
from .._torch.registry import UnitLike, macs_per_step, unit_label, unit_reference
from ..indicators import INDICATORS, retention_matrix
from ._columns import COLUMNS, CONFIG_COLUMNS

#: One configuration: unit, training length, hidden size, seed.
Configuration = tuple[UnitLike, int, int, int]

# A training step's fixed cost (optimizer, autograd, Python), in multiply-adds
# of recurrent work: measured on CPU as about 25 steps of an LSTM with H = 32.
_STEP_OVERHEAD_MACS = 25 * macs_per_step("lstm", 50, 32)


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
    read from the estimator that ``estimator_params`` build, defaults included.
    """
    unit, k, hidden_size, _ = config
    params = RecurrentMemoryRegressor(unit, **estimator_params).get_params()
    windows = int(np.sum(-(-lengths // k)))
    updates = params["max_steps"] or params["max_epochs"] * -(
        -windows // params["batch_size"]
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
    row = {column.name: column.missing for column in COLUMNS}
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
            row["fit_time"] = time.perf_counter() - start
            row["n_updates"] = model.n_updates_
            # A fixed budget measures nothing while training: not levelled.
            row["converged"] = bool(model.converged_)
            row["capacity_trajectory"] = [
                [updates, round(capacity, 4)]
                for updates, capacity in model.capacity_trajectory_
            ]
            row["final_loss"] = float(model.history_[-1, "train_loss"])
            row["n_parameters"] = sum(
                p.numel() for p in model.net_.module_.parameters() if p.requires_grad
            )
            macs = macs_per_step(unit, X_train.shape[2], hidden_size, model.num_layers)
            row["macs_per_step"] = float("nan") if macs is None else macs
            profile = model.memory_profile(
                X_test, eval_len=eval_len, threshold=threshold, groups=test_groups
            )
            own = (
                profile
                if seq_len == eval_len
                else model.memory_profile(
                    X_test, eval_len=seq_len, probe=False, groups=test_groups
                )
            )
            windows, predicted = model.read_windows(X_test, eval_len=eval_len)
            matrix = retention_matrix(windows, predicted, composition=model.composition)
        except Exception as exc:  # a failed configuration is a row, not a crash
            row["status"] = "failed"
            row["error"] = f"{type(exc).__name__}: {exc}"
            return row
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
    return row
