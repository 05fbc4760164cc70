"""Running a study: check everything, then train the configurations in parallel."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from itertools import product
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed, parallel_config
from tqdm.auto import tqdm

from .._evaluation_windows import check_window_floor
from .._plateau import (
    PLATEAU_TOL,
    VALIDATION_FRACTION,
    PlateauStopping,
    split_validation,
)
from .._regressor import RecurrentMemoryRegressor
from .._sequences import check_sequences, sequence_lengths
from .._torch.registry import UnitLike, unit_label, unit_labels, unit_reference
from .._torch.stacked_seeds import seed_groups, seeds_per_stack, stacking_refusal
from .._typing import ArrayLike
from .._validation import (
    check_groups,
    check_positive_int,
    check_real,
    check_threshold,
)
from ._columns import CONFIG_COLUMNS
from ._configuration import (
    Configuration,
    expected_cost,
    labelled,
    run_configuration,
    run_stacked_configurations,
)
from ._defaults import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_HIDDEN_SIZES,
    DEFAULT_LEARNING_RATES,
    DEFAULT_MAX_STEPS,
    DEFAULT_SEEDS,
    DEFAULT_SEQ_LENS,
    DEFAULT_UNITS,
)
from ._interrupts import workers_ignore_interrupts
from ._results import StudyResult
from ._storage import ResultsFile, check_results_file, encode_setting, fingerprint

#: Seed of the split of the training sequences into those trained on and those
#: the plateau rule measures: the same for every configuration.
VALIDATION_SEED = 0
#: What the study sweeps itself; estimator_params must not set these.
_SWEPT = {"unit", "hidden_size", "seq_len", "random_state", "max_steps", "plateau"}


def _config_key(row):
    return tuple(row[c] for c in CONFIG_COLUMNS)


def _run_one(job, *args):
    """:func:`run_configuration` of a job of one configuration, as a list."""
    return [run_configuration(job[0], *args)]


def _jobs(
    configs: Sequence[Configuration], estimator_params: dict[str, Any]
) -> list[tuple[Configuration, ...]]:
    """The configurations in jobs: the seeds of one unit, length and hidden
    size that train faster together form one stacked job, by the fixed rule
    :func:`~sklearn_rnnmemory._torch.stacked_seeds.seeds_per_stack` (never by
    a timing taken at run time, so every run trains alike); the others are
    jobs of one. Jobs keep the order of their first configuration."""
    # The study checked every parameter before.
    estimator = RecurrentMemoryRegressor(**estimator_params)
    seeds: dict[tuple, list[int]] = {}
    for unit, k, h, seed in configs:
        seeds.setdefault((unit, k, h), []).append(seed)
    jobs: list[tuple[Configuration, ...]] = []
    for (unit, k, h), group in seeds.items():
        # The stacked path trains to the plateau; a fixed budget runs alone.
        stackable = estimator.plateau is not None and (
            stacking_refusal(unit, estimator) is None
        )
        per_stack = (
            seeds_per_stack(
                unit, estimator._device_name(), k, h, int(estimator.batch_size)
            )
            if stackable
            else 1
        )
        jobs.extend(
            tuple((unit, k, h, seed) for seed in part)
            for part in seed_groups(group, per_stack)
        )
    order = {config: i for i, config in enumerate(configs)}
    return sorted(jobs, key=lambda job: order[job[0]])


def learning_rates(
    units: Sequence[UnitLike], estimator_params: dict[str, Any]
) -> dict[str, float]:
    """Each unit's learning rate in a study, by its label: ``lr`` of
    ``estimator_params`` when set, else :data:`DEFAULT_LEARNING_RATES`, else
    the estimator's default."""
    default = RecurrentMemoryRegressor().lr
    return {
        label: estimator_params.get("lr", DEFAULT_LEARNING_RATES.get(label, default))
        for label in unit_labels(units)
    }


def _check_list(values, name):
    if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a non-empty list; got {values!r}.")
    values = list(values)
    if not values:
        raise ValueError(f"{name} must be a non-empty list; got {values!r}.")
    return values


def _check_distinct(values, name, key=lambda value: value):
    seen = set()
    for value in values:
        if key(value) in seen:
            shown = unit_label(value) if name == "units" else value
            raise ValueError(
                f"{name} holds {shown} twice; give each once (a configuration runs "
                "once per seed: repeats are seeds)."
            )
        seen.add(key(value))
    return values


def _check_seeds(seeds):
    for seed in seeds:
        if (
            isinstance(seed, bool)
            or not isinstance(seed, Integral)
            or not 0 <= seed < 2**32
        ):
            raise ValueError(
                f"seeds must be integers in [0, 2**32 - 1], the range numpy takes, "
                f"so that every row can be reproduced; got {seed!r}."
            )
    return _check_distinct([int(seed) for seed in seeds], "seeds")


def _check_network_sizes(units, hidden_sizes, n_features, estimator_params):
    """Every unit at every hidden size fits in memory, before any training."""
    for unit in units:
        for hidden_size in hidden_sizes:
            RecurrentMemoryRegressor(
                unit, hidden_size=hidden_size, **estimator_params
            )._check_network_size(n_features, n_features, f", d={n_features}")


def _check_n_jobs(n_jobs):
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0:
        raise ValueError(
            f"n_jobs must be a non-zero integer (-1: every core); got {n_jobs!r}."
        )
    return int(n_jobs)


def _check_backend(backend):
    if backend is None:
        return None
    from joblib.parallel import BACKENDS

    if backend == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ValueError(
                "backend 'dask' needs dask.distributed: pip install "
                "'dask[distributed]'."
            ) from None
        return backend
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise ValueError(
            f"backend must be None, 'dask' or one of joblib's backends "
            f"{sorted(BACKENDS)}; got {backend!r}."
        )
    return backend


def _resume_hints(given):
    """What to say when a resumed setting changed, by setting."""
    if given:
        return {}
    return {
        "eval_len": "eval_len was not given and follows the longest training "
        "length; give eval_len={old} to resume"
    }


def _fillable_lengths(seq_lens, X_train):
    """Training lengths the training sequences can fill: longer ones are
    dropped with a warning, or refused when none is left."""
    longest = int(sequence_lengths(X_train).max())
    too_long = [k for k in seq_lens if k > longest]
    kept = [k for k in seq_lens if k <= longest]
    if not kept:
        raise ValueError(
            f"Every training length in seq_lens {seq_lens} is longer than the "
            f"longest training sequence ({longest} steps); a window of k steps "
            "cannot be filled. Use lengths up to "
            f"{longest}."
        )
    if too_long:
        warnings.warn(
            f"seq_lens {too_long} are longer than the longest training sequence "
            f"({longest} steps) and are skipped: windows that long would hold "
            "whole sequences, the same as the longest length.",
            UserWarning,
            stacklevel=3,
        )
    return kept


def _check_eval_len(eval_len, kept, X_test, test_groups):
    """The evaluation length: given, or the longest training length; the test
    data must hold at least the indicators' floor of windows (groups) of it."""
    if eval_len is None:
        eval_len = max(kept)
    else:
        eval_len = check_positive_int(eval_len, "eval_len")
    longest = int(sequence_lengths(X_test).max())
    if eval_len > longest:
        raise ValueError(
            f"eval_len {eval_len} is longer than the longest test sequence "
            f"({longest} steps); give eval_len of at most {longest}."
        )
    check_window_floor(
        X_test,
        eval_len,
        groups=test_groups,
        what=f"At eval_len {eval_len}, the test data",
        remedy="give a shorter eval_len or more test sequences",
    )
    return eval_len


def _check_groups(groups, X, name):
    """One label per sequence of ``X``, as integer codes; None stays None."""
    groups = check_groups(groups, X.shape[0], name=name)
    if groups is None:
        return None
    # Only which sequences share a label matters: integer codes, which also
    # fingerprint the same in every process.
    return np.unique(groups, return_inverse=True)[1].reshape(-1)


def _check_validation(X_train, train_groups, eval_len, plateau):
    """The sequences the plateau rule holds out must give the floor's windows
    at L; checked once here, before any configuration trains."""
    _, valid = split_validation(
        X_train.shape[0],
        plateau.validation_fraction,
        plateau.random_state,
        train_groups,
    )
    check_window_floor(
        X_train[valid],
        eval_len,
        groups=None if train_groups is None else train_groups[valid],
        what=f"At eval_len {eval_len}, the validation share the plateau rule "
        f"holds out ({100 * plateau.validation_fraction:g} % of the training "
        "sequences)",
        remedy="give a shorter eval_len or more training sequences",
    )


def run_study(
    X_train: ArrayLike,
    X_test: ArrayLike,
    *,
    units: Sequence[UnitLike] = DEFAULT_UNITS,
    seq_lens: Sequence[int] = DEFAULT_SEQ_LENS,
    hidden_sizes: Sequence[int] = DEFAULT_HIDDEN_SIZES,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    eval_len: int | None = None,
    max_steps: int | None = DEFAULT_MAX_STEPS,
    plateau_tol: float = PLATEAU_TOL,
    train_groups: ArrayLike | None = None,
    test_groups: ArrayLike | None = None,
    estimator_params: dict[str, Any] | None = None,
    threshold: float = 0.5,
    results_file: str | os.PathLike | None = None,
    resume: bool = False,
    overwrite: bool = False,
    n_jobs: int = 1,
    backend: str | None = None,
    progress: bool = True,
    callback: Callable[[dict[str, Any]], Any] | None = None,
) -> StudyResult:
    """Measure memory over units x training lengths x hidden sizes x seeds.

    Each configuration trains a
    :class:`~sklearn_rnnmemory.RecurrentMemoryRegressor` at its training length
    ``k`` and measures every indicator on the test sequences read in windows of
    one common evaluation length ``eval_len`` (so that models trained at every
    ``k`` answer the same question: how much of a length-``L`` window they
    keep), and its memory capacity on windows of ``k`` as well. Every
    configuration trains to its plateau: until its memory capacity at ``L``,
    measured on validation sequences held out of ``X_train``, levels off
    (:class:`~sklearn_rnnmemory.PlateauStopping`), or to the cap
    ``max_steps``.

    Everything is checked before the first configuration trains and before
    the results file is touched: a unit, length, size or seed given twice, a
    seed NumPy cannot take, a network too large for the machine's memory, a
    user's unit that breaks the interface (in eval or in training mode).

    Parameters
    ----------
    X_train : array-like of shape (n, T, d) or (n, T)
        Semantic points of the training sequences, NaN-padded.
    X_test : array-like of shape (m, T', d) or (m, T')
        Semantic points of the test sequences.
    units : sequence of str, torch.nn.Module subclass or callable, \
            default=("rnn", "lstm", "gru")
        Recurrent units: built-in names or units of your own (see
        :class:`~sklearn_rnnmemory.RecurrentMemoryRegressor`), which rows name
        by their class or function name.
    seq_lens : sequence of int, default=(5, 10, 20, 40, 80)
        Training lengths ``k``. Lengths longer than the longest training
        sequence are skipped with a warning (refused if none is left).
    hidden_sizes : sequence of int, default=(32,)
        Hidden sizes.
    seeds : sequence of int, default=(0, 1, 2)
        ``random_state`` of each repeat; the summary gives the mean and a 95 %
        interval over them.
    eval_len : int, default=None
        Common evaluation window length ``L``; None: the longest training
        length. Must not exceed the longest test sequence, and the test
        sequences (and the validation sequences held out of ``X_train``) must
        give at least :func:`~sklearn_rnnmemory.indicators.min_clusters`
        windows (groups) of it.
    max_steps : int or None, default=8000
        The cap on every configuration's optimizer updates, of ``batch_size``
        windows each (32 unless ``estimator_params`` set it). None caps at the
        estimator's ``max_epochs`` passes instead (which gives a length ``k``
        ``1 / k`` as many updates as a length 1).
    plateau_tol : float in [0, 1), default=0.05
        Tolerance of the plateau rule: a configuration stops once its
        validation capacity moved by less than this share (at least
        ``10 * plateau_tol`` tokens) over two consecutive rounds of doubling
        updates. 0 trains every configuration to the cap, still recording
        its trajectory. 20 % of the training sequences (of their groups) are
        held out for it, the same for every configuration.
    train_groups, test_groups : array-like of shape (n,) and (m,), default=None
        One label per training and test sequence (its document): the
        plateau rule holds out whole groups, and the windows of one group form
        one cluster of the indicators' covariance. None: every window is its
        own cluster.
    estimator_params : dict, default=None
        Further :class:`~sklearn_rnnmemory.RecurrentMemoryRegressor` parameters
        (``lr``, ``composition``, ``device``, ``batch_size``, ...), the same for
        every configuration. ``batch_size`` defaults to 32 here, and ``lr`` to
        each unit's rate in ``DEFAULT_LEARNING_RATES`` (0.003 for the vanilla
        RNN, 0.03 for the LSTM and the GRU; the estimator's 0.01 for other
        units).
    threshold : float in (0, 1], default=0.5
        Credit at which a lag counts one half toward the memory span.
    results_file : str or path, default=None
        JSON-lines file; each row is appended and synced as it finishes. The
        file is locked while the study runs: a second study on it is refused;
        so is a file that is a link (a study writes only its own files).
    resume : bool, default=False
        Keep the rows already in ``results_file`` and run only the missing
        configurations. The stored rows are checked as ``load_study`` checks
        them; their settings, layout version and units (by what they are, not
        by their names) must be this study's, and a refusal names what
        differs.
    overwrite : bool, default=False
        Replace the rows of an existing ``results_file``. Without ``resume`` or
        ``overwrite``, a file that holds results is refused.
    n_jobs : int, default=1
        Configurations run in parallel with joblib; each uses one torch thread.
    backend : str, default=None
        The joblib backend: None uses the active one (``loky`` unless set with
        ``joblib.parallel_config``); ``"dask"`` runs the configurations on the
        workers of the current ``dask.distributed.Client``.
    progress : bool, default=True
        Show a progress bar.
    callback : callable, default=None
        Called with each finished row, in the order they finish.

    Returns
    -------
    result : StudyResult
        The rows, in the grid's order: units as given, then lengths, hidden
        sizes and seeds ascending.

    Examples
    --------
    >>> from sklearn_rnnmemory import SemanticEuclideanSpace
    >>> from sklearn_rnnmemory.datasets import make_zipf_sequences
    >>> from sklearn_rnnmemory.study import run_study
    >>> tokens = make_zipf_sequences(60, 12, vocab_size=8, random_state=0)
    >>> points = SemanticEuclideanSpace().fit_transform(tokens)
    >>> result = run_study(points[:48], points[48:], units=["gru"], seq_lens=[3, 6],
    ...                    seeds=[0], max_steps=20, progress=False)
    >>> [(row["unit"], row["seq_len"], row["eval_len"], row["status"])
    ...  for row in result.rows]
    [('gru', 3, 6, 'ok'), ('gru', 6, 6, 'ok')]
    >>> [updates for updates, _ in result.rows[0]["capacity_trajectory"]]
    [20]
    """
    threshold = check_threshold(threshold)
    X_train = check_sequences(X_train, name="X_train", dtype=np.float32)
    X_test = check_sequences(X_test, name="X_test", dtype=np.float32)
    if X_test.shape[2] != X_train.shape[2]:
        raise ValueError(
            f"X_test has {X_test.shape[2]} features per step and X_train "
            f"{X_train.shape[2]}; they do not match."
        )
    units = _check_list(units, "units")
    seq_lens = [
        check_positive_int(k, "seq_lens entries")
        for k in _check_list(seq_lens, "seq_lens")
    ]
    hidden_sizes = [
        check_positive_int(h, "hidden_sizes entries")
        for h in _check_list(hidden_sizes, "hidden_sizes")
    ]
    _check_distinct(seq_lens, "seq_lens")
    _check_distinct(hidden_sizes, "hidden_sizes")
    seeds = _check_seeds(_check_list(seeds, "seeds"))
    check_positive_int(max_steps, "max_steps", allow_none=True)
    plateau_tol = check_real(plateau_tol, "plateau_tol", low=0, high=1, closed="left")
    train_groups = _check_groups(train_groups, X_train, "train_groups")
    test_groups = _check_groups(test_groups, X_test, "test_groups")
    estimator_params = dict(estimator_params or {})
    clash = set(estimator_params) & _SWEPT
    if clash:
        raise ValueError(
            f"estimator_params must not set {sorted(clash)}: the study sets them "
            "(max_steps and plateau_tol are parameters of run_study)."
        )
    estimator_params["max_steps"] = max_steps
    estimator_params.setdefault("batch_size", DEFAULT_BATCH_SIZE)
    seq_lens = _fillable_lengths(seq_lens, X_train)
    eval_len_given = eval_len is not None
    eval_len = _check_eval_len(eval_len, seq_lens, X_test, test_groups)
    estimator_params["plateau"] = PlateauStopping(
        eval_len,
        tol=plateau_tol,
        validation_fraction=VALIDATION_FRACTION,
        random_state=VALIDATION_SEED,
    )
    # Every unit, parameter and the device before the first configuration.
    _check_distinct(units, "units", key=unit_reference)
    unit_labels(units)
    for unit in units:
        RecurrentMemoryRegressor(unit, **estimator_params)._check_params()
    _check_network_sizes(units, hidden_sizes, X_train.shape[2], estimator_params)
    _check_validation(X_train, train_groups, eval_len, estimator_params["plateau"])
    n_jobs = _check_n_jobs(n_jobs)
    backend = _check_backend(backend)
    if not isinstance(resume, bool) or not isinstance(overwrite, bool):
        raise ValueError("resume and overwrite must be True or False.")
    rates = learning_rates(units, estimator_params)
    stored_params = encode_setting(estimator_params)
    # The plateau's evaluation length is the study's: stored once, as eval_len,
    # so that a change of it is named as such on resume.
    stored_params["plateau"]["params"].pop("eval_len", None)
    settings = {
        "estimator_params": stored_params,
        "learning_rates": encode_setting(rates, "learning rates"),
        "eval_len": eval_len,
        "threshold": threshold,
        "data": fingerprint(
            X_train,
            X_test,
            *(g for g in (train_groups, test_groups) if g is not None),
        ),
    }
    if results_file is not None:
        results_file = Path(results_file)
        check_results_file(results_file, resume=resume, overwrite=overwrite)

    configs = [
        (unit, int(k), int(h), int(seed))
        for unit, k, h, seed in product(
            units, sorted(seq_lens), sorted(hidden_sizes), sorted(seeds)
        )
    ]
    storage = (
        ResultsFile(results_file, settings)
        if results_file is not None
        else nullcontext()
    )
    with storage:
        done = {}
        if isinstance(storage, ResultsFile):
            if resume:
                stored = storage.read(
                    {unit_label(u): unit_reference(u) for u in units},
                    hints=_resume_hints(eval_len_given),
                )
                done = {_config_key(row): row for row in stored}
            else:
                storage.clear()
        # Longest first, so that no long configuration is left to run alone at
        # the end while the other workers idle; the rows keep the grid's order.
        # Jobs are cut from the whole grid, so that a resumed study trains a
        # seed in the stack it trains in on a full run (a stacked and a
        # separate fit differ by float rounding): a stack with a seed left to
        # do is trained again, and only the rows not yet stored are kept.
        lengths = sequence_lengths(X_train)
        jobs = [
            job
            for job in _jobs(
                sorted(
                    configs,
                    key=lambda c: (
                        -expected_cost(c, lengths, X_train.shape[2], estimator_params)
                    ),
                ),
                estimator_params,
            )
            if any(labelled(c) not in done for c in job)
        ]
        tasks = (
            delayed(run_stacked_configurations if len(job) > 1 else _run_one)(
                job,
                (X_train, train_groups),
                (X_test, test_groups),
                {**estimator_params, "lr": rates[labelled(job[0])[0]]},
                eval_len,
                threshold,
            )
            for job in jobs
        )
        # parallel_config, unlike Parallel(backend=...), registers "dask" on demand.
        backend_config = (
            parallel_config(backend=backend) if backend is not None else nullcontext()
        )
        bar = tqdm(
            total=len(configs),
            initial=len(done),
            disable=not progress,
            desc="configurations",
            unit="config",
        )
        try:
            with backend_config, warnings.catch_warnings():
                # On Ctrl-C joblib would add that the tasks in flight were
                # cancelled: the interruption says it.
                warnings.filterwarnings("ignore", "[0-9]+ tasks which were still")
                runner = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
                with workers_ignore_interrupts():  # workers start within the call
                    rows = runner(tasks)
                for job_rows in rows:
                    for row in job_rows:
                        if _config_key(row) in done:  # stored before: kept as is
                            continue
                        done[_config_key(row)] = row
                        if isinstance(storage, ResultsFile):
                            storage.append(row)
                        bar.update()
                        if callback is not None:
                            callback(row)
        finally:
            bar.close()
    return StudyResult([done[labelled(c)] for c in configs], settings=settings)
