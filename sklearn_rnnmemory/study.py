"""Memory studies: sweep units x training lengths x hidden sizes x seeds.

Each configuration trains a :class:`RecurrentMemoryRegressor` on the training
sequences and measures every indicator on the test sequences, read in windows of
its own training length. Configurations run with joblib; each finished row is
appended to a JSON-lines file at once, so an interrupted study resumes where it
stopped.
"""

import hashlib
import json
import math
import os
import time
from contextlib import contextmanager, nullcontext
from itertools import product
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed, parallel_config
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from ._estimator import RecurrentMemoryRegressor
from ._sequences import check_sequences, sequence_lengths
from ._units import macs_per_step, unit_label, unit_labels
from ._validation import check_positive_int, check_threshold
from .indicators import INDICATORS, retention_matrix
from .selection import RULES, recommend_seq_len

#: The columns that identify a configuration.
CONFIG_COLUMNS = ("unit", "seq_len", "hidden_size", "seed")
#: Scalar columns of a row, in table order.
SCALAR_COLUMNS = (
    *CONFIG_COLUMNS,
    *INDICATORS,
    "capacity_ci_low",
    "capacity_ci_high",
    "baseline_error",
    "baseline_similarity",
    "window_length",
    "n_windows",
    "n_parameters",
    "macs_per_step",
    "capacity_per_parameter",
    "capacity_per_mac",
    "fit_time",
    "final_loss",
    "status",
    "error",
)
#: Columns that may differ between two runs of one configuration.
TIMING_COLUMNS = ("fit_time",)


def _config_key(row):
    return tuple(row[c] for c in CONFIG_COLUMNS)


def _label(config):
    """A configuration with its unit by label, as rows and files hold it."""
    return (unit_label(config[0]), *config[1:])


def _fingerprint(*arrays):
    digest = hashlib.blake2b(digest_size=8)
    for array in arrays:
        digest.update(str(array.shape).encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


@contextmanager
def _one_thread():
    """One torch and BLAS thread, so workers do not oversubscribe the cores and
    serial and parallel runs compute alike."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1):
            yield
    finally:
        torch.set_num_threads(previous)


def _nan_to_none(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_nan_to_none(v) for v in value]
    return value


def _none_to_nan(value):
    if value is None:
        return float("nan")
    if isinstance(value, list):
        return [_none_to_nan(v) for v in value]
    return value


# A training step's fixed cost (optimizer, autograd, Python), in multiply-adds
# of recurrent work: measured on CPU as about 25 steps of an LSTM with H = 32.
_STEP_OVERHEAD_MACS = 25 * macs_per_step("lstm", 50, 32)


def _expected_cost(config, lengths, n_features, estimator_params):
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


def _run_config(config, X_train, X_test, estimator_params, threshold):
    """Train and measure one configuration; never raises."""
    unit, seq_len, hidden_size, seed = config
    row = dict(zip(CONFIG_COLUMNS, _label(config), strict=True))
    row.update({name: float("nan") for name in INDICATORS})
    row.update(
        capacity_ci_low=float("nan"),
        capacity_ci_high=float("nan"),
        baseline_error=float("nan"),
        baseline_similarity=float("nan"),
        window_length=0,
        n_windows=0,
        n_parameters=0,
        macs_per_step=0,
        capacity_per_parameter=float("nan"),
        capacity_per_mac=float("nan"),
        fit_time=float("nan"),
        final_loss=float("nan"),
        retention_curve=[],
        retention_stderr=[],
        retention_matrix=[],
        status="ok",
        error="",
    )
    with _one_thread():
        try:
            start = time.perf_counter()
            model = RecurrentMemoryRegressor(
                unit,
                hidden_size=hidden_size,
                seq_len=seq_len,
                random_state=seed,
                **estimator_params,
            ).fit(X_train)
            row["fit_time"] = time.perf_counter() - start
            row["n_parameters"] = sum(
                p.numel() for p in model.net_.module_.parameters() if p.requires_grad
            )
            macs = macs_per_step(unit, X_train.shape[2], hidden_size, model.num_layers)
            row["macs_per_step"] = float("nan") if macs is None else macs
            row["final_loss"] = float(model.history_[-1, "train_loss"])
            profile = model.memory_profile(X_test, threshold=threshold)
            windows, predicted = model.read_windows(X_test)
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
        "window_length",
        "n_windows",
        "retention_curve",
        "retention_stderr",
    ):
        row[name] = values[name]
    row["capacity_per_parameter"] = row["memory_capacity"] / row["n_parameters"]
    row["capacity_per_mac"] = row["memory_capacity"] / row["macs_per_step"]
    row["retention_matrix"] = np.round(matrix, 6).tolist()
    return row


class StudyResult:
    """The rows of a memory study, with the guidance they give.

    Attributes
    ----------
    rows : list of dict
        One row per configuration, in the study's order: the configuration
        (``unit``, ``seq_len``, ``hidden_size``, ``seed``), every indicator,
        ``retention_curve`` and ``retention_matrix``, the number of windows
        scored, ``n_parameters`` (trainable), ``macs_per_step`` (the unit's
        multiply-adds per step and sequence; NaN for a unit of your own that
        does not declare them), ``capacity_per_parameter``,
        ``capacity_per_mac``, ``fit_time`` (seconds), ``final_loss``,
        ``status`` (``"ok"`` or ``"failed"``), ``error`` and ``settings``.
    """

    def __init__(self, rows):
        self.rows = rows

    def summary(self):
        """Mean of each scalar indicator over seeds, per unit, size and length.

        Returns
        -------
        summary : list of dict
            One dict per (unit, hidden_size, seq_len) with the means of the
            indicators, ``fit_time``, ``n_parameters``, ``macs_per_step`` and
            the capacity per parameter and per multiply-add, the mean retention
            curve, and ``n_seeds``; failed rows are left out.
        """
        groups = {}
        for row in self.rows:
            if row["status"] == "ok":
                key = (row["unit"], row["hidden_size"], row["seq_len"])
                groups.setdefault(key, []).append(row)
        out = []
        for (unit, hidden_size, seq_len), rows in groups.items():
            entry = {"unit": unit, "hidden_size": hidden_size, "seq_len": seq_len}
            for column in (
                *INDICATORS,
                "n_parameters",
                "macs_per_step",
                "capacity_per_parameter",
                "capacity_per_mac",
                "fit_time",
            ):
                # .get: rows written before a column existed lack it
                entry[column] = float(np.mean([r.get(column, np.nan) for r in rows]))
            entry["retention_curve"] = np.mean(
                [r["retention_curve"] for r in rows], axis=0
            ).tolist()
            entry["n_seeds"] = len(rows)
            out.append(entry)
        return out

    def recommendations(self, *, rule="saturation", tol=0.05, metric="memory_capacity"):
        """Recommended training length per unit and hidden size.

        Parameters
        ----------
        rule : {"saturation", "best"}, default="saturation"
            See :func:`sklearn_rnnmemory.selection.recommend_seq_len`.
        tol : float, default=0.05
            Tolerance of the ``saturation`` rule.
        metric : str, default="memory_capacity"
            The indicator to read; seeds are averaged.

        Returns
        -------
        lengths : dict
            ``(unit, hidden_size)`` -> recommended length.
        """
        out = {}
        for hidden_size in sorted({r["hidden_size"] for r in self.rows}):
            rows = [
                r
                for r in self.rows
                if r["hidden_size"] == hidden_size and r["status"] == "ok"
            ]
            if not rows:
                continue
            cv_results = {
                "params": [{"unit": r["unit"], "seq_len": r["seq_len"]} for r in rows],
                f"mean_test_{metric}": [r[metric] for r in rows],
            }
            for unit, k in recommend_seq_len(
                cv_results, metric=metric, rule=rule, tol=tol
            ).items():
                out[(unit, hidden_size)] = k
        return out

    def table(self):
        """The summary as a fixed-width text table, one line per length."""
        columns = ("unit", "hidden_size", "seq_len", *INDICATORS, "fit_time")
        header = {
            "hidden_size": "hidden",
            "seq_len": "length",
            "memory_capacity": "capacity",
            "memory_span": "span",
            "memory_rate": "rate",
            "semantic_error": "sem_error",
            "semantic_similarity": "similarity",
            "semantic_skill": "skill",
            "probe_capacity": "probe",
            "fit_time": "fit_s",
        }
        lines = [[header.get(c, c) for c in columns]]
        for entry in self.summary():
            lines.append(
                [
                    f"{entry[c]:.3f}" if isinstance(entry[c], float) else str(entry[c])
                    for c in columns
                ]
            )
        widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
        return "\n".join(
            "  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True))
            for line in lines
        )

    def to_csv(self, path):
        """Write the scalar columns of every row to a CSV file."""
        import csv

        with open(path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(SCALAR_COLUMNS)
            for row in self.rows:
                writer.writerow([row[c] for c in SCALAR_COLUMNS])


def _read_results(path, settings):
    """Rows already in a results file; a torn last line is cut off."""
    rows = []
    with open(path, "rb") as f:
        data = f.read()
    good_end = 0
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            if not line.endswith(b"\n"):
                raise ValueError("no line end")
            row = json.loads(line)
        except ValueError:
            if good_end + len(line) == len(data):
                break  # the last line was being written when the run stopped
            raise ValueError(
                f"Results file {path} has a corrupt line {number}; it cannot be "
                "resumed."
            ) from None
        if row.get("settings") != settings:
            raise ValueError(
                f"Results file {path} holds rows of a study with other settings or "
                f"data (line {number}); resume it with the same ones or choose "
                "another file."
            )
        rows.append({k: _none_to_nan(v) for k, v in row.items()})
        good_end += len(line)
    if good_end < len(data):
        with open(path, "r+b") as f:
            f.truncate(good_end)
    return rows


def run_study(
    X_train,
    X_test,
    *,
    units=("rnn", "lstm", "gru"),
    seq_lens=(5, 10, 20, 40, 80),
    hidden_sizes=(32,),
    seeds=(0,),
    estimator_params=None,
    threshold=0.5,
    results_file=None,
    resume=False,
    n_jobs=1,
    backend=None,
    progress=True,
):
    """Measure memory over units x training lengths x hidden sizes x seeds.

    Parameters
    ----------
    X_train : array-like of shape (n, T, d) or (n, T)
        Semantic points of the training sequences, NaN-padded.
    X_test : array-like of shape (m, T', d) or (m, T')
        Semantic points of the test sequences; each configuration reads them in
        windows of its own training length.
    units : sequence of str, torch.nn.Module subclass or callable, \
            default=("rnn", "lstm", "gru")
        Recurrent units: built-in names or units of your own (see
        :class:`RecurrentMemoryRegressor`), which rows name by their class or
        function name.
    seq_lens : sequence of int, default=(5, 10, 20, 40, 80)
        Training lengths ``k``.
    hidden_sizes : sequence of int, default=(32,)
        Hidden sizes.
    seeds : sequence of int, default=(0,)
        ``random_state`` of each repeat.
    estimator_params : dict, default=None
        Further :class:`RecurrentMemoryRegressor` parameters (``max_epochs``,
        ``lr``, ``device``, ...), the same for every configuration.
    threshold : float in (0, 1], default=0.5
        Credit below which a lag ends the memory span.
    results_file : str or path, default=None
        JSON-lines file; each row is appended and flushed as it finishes.
    resume : bool, default=False
        Keep the rows already in ``results_file`` and run only the missing
        configurations. Without it, an existing file is overwritten.
    n_jobs : int, default=1
        Configurations run in parallel with joblib; each uses one torch thread.
    backend : str, default=None
        joblib backend: ``None`` uses the active one (``loky`` unless set with
        ``joblib.parallel_backend``); ``"dask"`` runs the configurations on the
        workers of the current ``dask.distributed.Client``.
    progress : bool, default=True
        Show a tqdm progress bar.

    Returns
    -------
    result : StudyResult
        The rows, in the order of the configurations.

    Examples
    --------
    >>> from sklearn_rnnmemory import SemanticEuclideanSpace
    >>> from sklearn_rnnmemory.datasets import make_zipf_sequences
    >>> from sklearn_rnnmemory.study import run_study
    >>> tokens = make_zipf_sequences(60, 12, vocab_size=8, random_state=0)
    >>> points = SemanticEuclideanSpace().fit_transform(tokens)
    >>> result = run_study(points[:48], points[48:], units=["gru"], seq_lens=[3, 6],
    ...                    estimator_params={"max_epochs": 2}, progress=False)
    >>> [(row["unit"], row["seq_len"], row["status"]) for row in result.rows]
    [('gru', 3, 'ok'), ('gru', 6, 'ok')]
    """
    threshold = check_threshold(threshold)
    X_train = check_sequences(X_train, name="X_train", dtype=np.float32)
    X_test = check_sequences(X_test, name="X_test", dtype=np.float32)
    if X_test.shape[2] != X_train.shape[2]:
        raise ValueError(
            f"X_test has {X_test.shape[2]} features per step and X_train "
            f"{X_train.shape[2]}; they do not match."
        )
    lists = {"units": units, "seq_lens": seq_lens, "hidden_sizes": hidden_sizes}
    for name, values in {**lists, "seeds": seeds}.items():
        if isinstance(values, str) or not list(values):
            raise ValueError(f"{name} must be a non-empty list; got {values!r}.")
    for k in seq_lens:
        check_positive_int(k, "seq_lens entries")
    for h in hidden_sizes:
        check_positive_int(h, "hidden_sizes entries")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(
                f"seeds must be integers, so that every row can be reproduced; got "
                f"{seed!r}."
            )
    estimator_params = dict(estimator_params or {})
    clash = set(estimator_params) & {"unit", "hidden_size", "seq_len", "random_state"}
    if clash:
        raise ValueError(
            f"estimator_params must not set {sorted(clash)}: the study sweeps them."
        )
    # Check every unit and parameter before the first configuration runs.
    unit_labels(units)
    for unit in units:
        RecurrentMemoryRegressor(unit, **estimator_params)._check_params()
    settings = {
        "estimator_params": {k: repr(v) for k, v in sorted(estimator_params.items())},
        "threshold": threshold,
        "data": _fingerprint(X_train, X_test),
    }
    configs = [
        (unit, int(k), int(h), seed)
        for unit, k, h, seed in product(units, seq_lens, hidden_sizes, seeds)
    ]

    done = {}
    if results_file is not None:
        results_file = Path(results_file)
        if resume and results_file.exists():
            for row in _read_results(results_file, settings):
                done[_config_key(row)] = row
        elif results_file.exists():
            results_file.unlink()
    # Longest first, so that no long configuration is left to run alone at
    # the end while the other workers idle; the rows keep the grid's order.
    lengths = sequence_lengths(X_train)
    todo = sorted(
        (c for c in configs if _label(c) not in done),
        key=lambda c: -_expected_cost(c, lengths, X_train.shape[2], estimator_params),
    )

    tasks = (
        delayed(_run_config)(c, X_train, X_test, estimator_params, threshold)
        for c in todo
    )
    # parallel_config, unlike Parallel(backend=...), registers "dask" on demand.
    backend_config = (
        parallel_config(backend=backend) if backend is not None else nullcontext()
    )
    bar = tqdm(
        total=len(configs), initial=len(configs) - len(todo), disable=not progress
    )
    out = open(results_file, "a") if results_file is not None else None
    try:
        with backend_config:
            runner = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            for row in runner(tasks):
                row["settings"] = settings
                done[_config_key(row)] = row
                if out is not None:
                    record = {k: _nan_to_none(v) for k, v in row.items()}
                    out.write(json.dumps(record) + "\n")
                    out.flush()
                    os.fsync(out.fileno())
                bar.update()
    finally:
        bar.close()
        if out is not None:
            out.close()
    return StudyResult([done[_label(c)] for c in configs])


__all__ = ["RULES", "StudyResult", "run_study"]
