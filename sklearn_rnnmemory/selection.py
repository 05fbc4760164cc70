"""Length guidance: which training length ``k`` suits each unit (definitions §3.7).

For each unit, over a grid of training lengths:

- ``best``: the ``k`` with the highest mean score;
- ``tied``: the lengths whose mean score is not significantly below the
  best's (a one-sided paired t-test at 5 %, paired over seeds, or over CV
  folds in a search without seeds; with fewer than 3 pairs no length can be
  shown below the best, and every length is tied);
- ``saturation``: the smallest tied ``k`` whose mean score is within ``tol``
  of the best (``score >= best - tol * |best|``).

Means are taken over the candidates that share unit and length (other searched
parameters, seeds). Lengths whose every score is NaN (failed fits) are never
recommended. Where ``random_state`` was searched, each seed's own scores give
its own choice, and ``stability`` is the share of seeds whose choice is the
recommended length.

The rules read a ``cv_results_`` dict of a search over ``seq_len`` (and
optionally ``unit`` and ``random_state``); they are available as functions,
:func:`recommend_seq_len` and :func:`seq_len_guidance`, and as
``GridSearchCV(refit=...)`` callables, :func:`refit_seq_len`. All share one
implementation. Where the search recorded the evaluated window length (the
``eval_len`` scorer of :func:`~sklearn_rnnmemory.scoring.memory_scorers`),
each recommendation says which length ``L`` its scores were measured at, and a
warning says when candidates were read at different lengths (their own, say).

:class:`SequentialLengthSearchCV` (and :func:`search_seq_len`, the same search
without the refit) reaches the recommendation of a grid scored at each length's
own windows without training every length: memory capacity at length
``k`` is at most ``k``, so once a length scores ``C``, every length too short
to reach what the rule needs is skipped.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.stats
from sklearn.metrics._scorer import _check_multimetric_scoring, _MultimetricScorer
from sklearn.model_selection._search import BaseSearchCV, _check_refit
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._docstring import Substitution
from ._typing import ArrayLike
from ._validation import check_positive_int, check_real
from .scoring import make_memory_scorer

RULES = ("saturation", "best")
#: Relative tolerance of the ``saturation`` rule.
DEFAULT_TOL = 0.05
#: Level of the one-sided paired test behind ``tied``.
TIE_LEVEL = 0.05
#: The fewest pairs (seeds or folds) on which a length can be shown below the
#: best.
MIN_PAIRS = 3

#: The options every length rule takes.
_DOCS = dict(
    cv_results="cv_results : dict\n"
    "    ``GridSearchCV.cv_results_`` (or a dict with ``params`` and\n"
    "    ``mean_test_<metric>``) of a search over a parameter named ``seq_len``\n"
    '    (``"seq_len"`` or ``"<step>__seq_len"``), optionally also over ``unit``\n'
    "    and ``random_state``. Scores of candidates that share unit and length\n"
    "    (other parameters or seeds differing) are averaged, NaN scores left out.",
    metric='metric : str, default="memory_capacity"\n'
    "    The score to read, ``mean_test_<metric>``; ``mean_test_score`` when the\n"
    "    search had a single metric.",
    rule='rule : {"saturation", "best"}, default="saturation"\n'
    "    ``best``: the length with the highest mean score. ``saturation``: the\n"
    "    smallest tied length whose mean score is within ``tol`` of the best.",
    tol=f"tol : float in [0, 1), default={DEFAULT_TOL}\n"
    "    Relative tolerance of the ``saturation`` rule.",
)
_fill_docs = Substitution(
    **_DOCS,
    # What the guidance functions take, all of it.
    parameters_guidance="Parameters\n----------\n"
    + "\n".join(_DOCS[name] for name in ("cv_results", "metric", "rule", "tol")),
)


def _param_key(params, name):
    """The key of ``params`` whose last ``__`` segment is ``name``, or None."""
    keys = [key for key in params if key.split("__")[-1] == name]
    if len(keys) > 1:
        raise ValueError(f"Several searched parameters end in {name!r}: {keys}.")
    return keys[0] if keys else None


def _scores(cv_results, metric):
    for key in (f"mean_test_{metric}", "mean_test_score"):
        if key in cv_results:
            return np.asarray(cv_results[key], dtype=float)
    available = sorted(k[len("mean_test_") :] for k in cv_results if "mean_test_" in k)
    raise ValueError(
        f"cv_results has no mean_test_{metric}; the scores it holds are "
        f"{available}. Pass metric= one of them."
    )


def _check_rule(rule, tol):
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}; got {rule!r}.")
    check_real(tol, "tol", low=0, high=1, closed="left")


def _needed(best, rule, tol):
    """The lowest mean score a length may have and still be recommended."""
    return best if rule == "best" else best - tol * abs(best)


def _nanmean(values):
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def _pick(means, rule, tol, tied=None):
    """The recommended length among ``{length: mean score}`` (among the
    ``tied`` lengths, when given); lengths with a NaN mean are left out; None
    when every mean is NaN."""
    usable = {k: m for k, m in means.items() if np.isfinite(m)}
    if not usable:
        return None
    needed = _needed(max(usable.values()), rule, tol)
    return min(
        k for k, m in usable.items() if m >= needed and (tied is None or k in tied)
    )


def _fold_scores(cv_results, metric):
    """Each candidate's score per CV fold, ``(n_candidates, n_folds)``, or None
    when ``cv_results`` holds no ``split<i>_test_<metric>``."""
    for name in (metric, "score"):
        pattern = re.compile(rf"split(\d+)_test_{re.escape(name)}")
        folds = sorted(
            (int(m.group(1)), key)
            for key in cv_results
            if (m := pattern.fullmatch(key)) is not None
        )
        if folds:
            return np.column_stack(
                [np.asarray(cv_results[key], dtype=float) for _, key in folds]
            )
    return None


def _paired(entries, scores, folds, length):
    """A length's scores keyed by what pairs them across lengths: the seed
    (mean over the other candidates of that seed), or, without seeds, the CV
    fold; empty when there is neither."""
    at = [(seed, i) for k, seed, i in entries if k == length]
    if any(seed is not None for seed, _ in at):
        seeds = {seed for seed, _ in at}
        return {
            seed: _nanmean([scores[i] for s, i in at if s == seed]) for seed in seeds
        }
    if folds is None:
        return {}
    return {
        fold: _nanmean([folds[i, fold] for _, i in at])
        for fold in range(folds.shape[1])
    }


def significantly_below(best: Mapping, other: Mapping) -> bool:
    """Whether ``other``'s scores are significantly below ``best``'s.

    A one-sided paired t-test at level ``TIE_LEVEL`` over the keys (seeds
    or folds) where both are finite; fewer than ``MIN_PAIRS`` pairs show
    nothing.

    Parameters
    ----------
    best, other : mapping
        Pair key -> score.

    Returns
    -------
    below : bool
        True when the test rejects equality at that level.

    Examples
    --------
    >>> from sklearn_rnnmemory.selection import significantly_below
    >>> significantly_below({0: 10.0, 1: 11.0, 2: 12.0}, {0: 9.0, 1: 9.5, 2: 10.0})
    True
    >>> significantly_below({0: 10.0, 1: 11.0, 2: 12.0}, {0: 10.5, 1: 9.0, 2: 12.0})
    False
    """
    keys = [
        key
        for key in best
        if key in other and np.isfinite(best[key]) and np.isfinite(other[key])
    ]
    if len(keys) < MIN_PAIRS:
        return False
    differences = np.array([best[key] - other[key] for key in keys], dtype=float)
    mean, spread = differences.mean(), differences.std(ddof=1)
    if spread == 0:
        return bool(mean > 0)
    t = mean / (spread / math.sqrt(len(keys)))
    return bool(scipy.stats.t.sf(t, len(keys) - 1) < TIE_LEVEL)


@dataclass(frozen=True)
class LengthRecommendation:
    """The training length recommended for one unit.

    Attributes
    ----------
    seq_len : int
        The recommended training length.
    score : float
        Its mean score (over other parameters and seeds).
    stability : float or None
        Share of seeds whose own scores pick the same length under the same
        rule; None when ``random_state`` was not searched.
    n_seeds : int
        Seeds behind the mean (1 when ``random_state`` was not searched).
    seed_choices : dict
        Seed -> the length its own scores pick (empty without seeds).
    means : dict
        Length -> mean score, every length of the grid (NaN where every fit
        failed).
    tied : tuple of int
        The lengths whose mean score is not significantly below the best's
        (:func:`significantly_below`, paired over seeds, or over CV folds
        without seeds), shortest first; a near-tie is a tie, not a flip.
    eval_len : int, tuple of int or None
        The evaluation length ``L`` every candidate of the unit was scored
        at, as the ``eval_len`` scorer recorded it: an int where one ``L``
        served every fold, a tuple of each fold's ``L`` where the folds'
        differ (every candidate of a fold still read the same windows). None
        where ``cv_results`` holds no record (a search without the
        ``eval_len`` scorer of :func:`~sklearn_rnnmemory.scoring.memory_scorers`)
        or where candidates of one fold were scored at different lengths (a
        warning says so).
    """

    seq_len: int
    score: float
    stability: float | None
    n_seeds: int
    seed_choices: dict = field(default_factory=dict)
    means: dict = field(default_factory=dict)
    tied: tuple = ()
    eval_len: int | tuple | None = None


def _recorded_eval_lens(cv_results):
    """The evaluated window length of every candidate (rows) in every fold
    (columns), as the ``eval_len`` scorer recorded it; None without a record."""
    folds = sorted(
        (key for key in cv_results if re.fullmatch(r"split\d+_test_eval_len", key)),
        key=lambda key: int(key[len("split") : key.index("_")]),
    )
    if not folds and "mean_test_eval_len" in cv_results:
        folds = ["mean_test_eval_len"]
    if not folds:
        return None
    return np.column_stack([np.asarray(cv_results[key], float) for key in folds])


def _common_eval_len(recorded, entries):
    """The ``L`` the candidates ``entries`` of one unit were scored at (see
    ``LengthRecommendation.eval_len``), and whether each fold's candidates
    shared it."""
    if recorded is None:
        return None, True
    per_fold = []
    for column in recorded[[i for _, _, i in entries]].T:
        values = np.unique(column[np.isfinite(column)])
        if values.size > 1:
            return None, False
        if values.size:
            per_fold.append(int(values[0]))
    if not per_fold:
        return None, True
    return (per_fold[0] if len(set(per_fold)) == 1 else tuple(per_fold)), True


def _warn_mixed_lengths(unit, entries, recorded):
    pairs = sorted(
        {(k, int(L)) for k, _, i in entries for L in recorded[i] if np.isfinite(L)}
    )
    own = all(k == L for k, L in pairs)
    read = ", ".join(f"k = {k}: L = {L}" for k, L in pairs)
    what = "at their own training lengths" if own else "at different lengths"
    name = "" if unit is None else f" of unit {unit!r}"
    warnings.warn(
        f"The candidates{name} were scored {what} ({read}), not on the same "
        "windows: a memory capacity over windows of k tokens is at most k, so "
        "their scores compare window lengths as much as memory. Score every "
        "candidate at one length: scoring=memory_scorers() (the longest length "
        "each test fold fills with enough windows) or memory_scorers(eval_len=L).",
        UserWarning,
        stacklevel=4,
    )


def _guidance(cv_results, metric, rule, tol):
    """Per unit: the recommendation and the candidate index to refit."""
    _check_rule(rule, tol)
    params = list(cv_results["params"])
    if not params:
        raise ValueError("cv_results holds no candidate.")
    scores = _scores(cv_results, metric)
    length_key = _param_key(params[0], "seq_len")
    if length_key is None:
        raise ValueError(
            "cv_results holds no search over seq_len: no parameter name ends in "
            "'seq_len'."
        )
    unit_key = _param_key(params[0], "unit")
    seed_key = _param_key(params[0], "random_state")
    recorded = _recorded_eval_lens(cv_results)
    folds = _fold_scores(cv_results, metric)
    by_unit = {}
    for index, candidate in enumerate(params):
        length = candidate[length_key]
        if not isinstance(length, Integral) or isinstance(length, bool):
            raise ValueError(
                f"Length guidance needs integer training lengths; candidate {index} "
                f"has {length_key}={length!r}."
            )
        unit = candidate.get(unit_key) if unit_key else None
        seed = candidate.get(seed_key) if seed_key else None
        by_unit.setdefault(unit, []).append((int(length), seed, index))

    out = {}
    for unit, entries in by_unit.items():
        lengths = sorted({k for k, _, _ in entries})
        means = {
            k: _nanmean([scores[i] for k2, _, i in entries if k2 == k]) for k in lengths
        }
        usable = [length for length in lengths if np.isfinite(means[length])]
        if not usable:  # every fit of this unit failed
            which = "" if unit is None else f" of unit {unit!r}"
            warnings.warn(
                f"Every {metric} score{which} is NaN (every fit failed or scored "
                f"NaN, at lengths {lengths}); it gets no recommended length.",
                UserWarning,
                stacklevel=4,
            )
            continue
        best = max(usable, key=means.get)
        paired = {length: _paired(entries, scores, folds, length) for length in usable}
        tied = tuple(
            length
            for length in usable
            if not significantly_below(paired[best], paired[length])
        )
        k = _pick(means, rule, tol, tied)
        seeds = sorted({s for _, s, _ in entries if s is not None}, key=repr)
        choices = {}
        for seed in seeds:
            own = {
                length: _nanmean(
                    [scores[i] for k2, s, i in entries if k2 == length and s == seed]
                )
                for length in lengths
            }
            choices[seed] = _pick(own, rule, tol)
        stability = (
            sum(choice == k for choice in choices.values()) / len(choices)
            if choices
            else None
        )
        at_k = [i for k2, _, i in entries if k2 == k and np.isfinite(scores[i])]
        index = max(at_k, key=lambda i: scores[i])
        eval_len, shared = _common_eval_len(recorded, entries)
        if not shared:
            _warn_mixed_lengths(unit, entries, recorded)
        out[unit] = (
            LengthRecommendation(
                seq_len=k,
                score=means[k],
                stability=stability,
                n_seeds=max(len(seeds), 1),
                seed_choices=choices,
                means=means,
                eval_len=eval_len,
                tied=tied,
            ),
            index,
        )
    return out


@_fill_docs
def seq_len_guidance(
    cv_results: Mapping[str, Any],
    *,
    metric: str = "memory_capacity",
    rule: str = "saturation",
    tol: float = DEFAULT_TOL,
) -> dict[Any, LengthRecommendation]:
    """Recommend a training length per unit, with its stability over seeds.

    %(parameters_guidance)s

    Returns
    -------
    guidance : dict
        Unit -> :class:`LengthRecommendation`; the key is ``None`` when
        ``unit`` was not searched. A unit whose every fit failed has no entry.

    Examples
    --------
    >>> from sklearn_rnnmemory.selection import seq_len_guidance
    >>> cv_results = {
    ...     "params": [{"seq_len": k, "random_state": s}
    ...                for s in (0, 1, 2) for k in (5, 10, 20)],
    ...     "mean_test_memory_capacity": [4, 8, 9, 4, 9, 9, 4, 7, 9],
    ... }
    >>> guidance = seq_len_guidance(cv_results)[None]
    >>> guidance.seq_len, round(guidance.stability, 2), guidance.seed_choices
    (20, 0.67, {0: 20, 1: 10, 2: 20})
    """
    return {
        unit: found
        for unit, (found, _) in _guidance(cv_results, metric, rule, tol).items()
    }


@_fill_docs
def recommend_seq_len(
    cv_results: Mapping[str, Any],
    *,
    metric: str = "memory_capacity",
    rule: str = "saturation",
    tol: float = DEFAULT_TOL,
) -> dict[Any, int]:
    """Recommend a training length per unit from a search's ``cv_results_``.

    The lengths of :func:`seq_len_guidance`, without their scores and
    stability.

    %(parameters_guidance)s

    Returns
    -------
    lengths : dict
        Unit -> recommended length; the key is ``None`` when ``unit`` was not
        searched. Lengths whose every fit failed (NaN scores) are never
        recommended; a unit whose every fit failed has no entry.

    Examples
    --------
    >>> from sklearn_rnnmemory.selection import recommend_seq_len
    >>> cv_results = {
    ...     "params": [{"seq_len": k} for k in (5, 10, 20, 40)],
    ...     "mean_test_memory_capacity": [4.0, 7.0, 9.7, 10.0],
    ... }
    >>> recommend_seq_len(cv_results)
    {None: 20}
    >>> recommend_seq_len(cv_results, rule="best")
    {None: 40}
    """
    guidance = seq_len_guidance(cv_results, metric=metric, rule=rule, tol=tol)
    return {unit: found.seq_len for unit, found in guidance.items()}


class SeqLenRefit:
    """A ``GridSearchCV(refit=...)`` rule that picks the recommended length.

    Build instances with :func:`refit_seq_len`. Called with ``cv_results_``, it
    returns the index of the candidate to refit: among units, the one whose
    recommended length scores highest; at that unit and length, the best
    candidate.
    """

    def __init__(
        self,
        rule: str = "saturation",
        *,
        metric: str = "memory_capacity",
        tol: float = DEFAULT_TOL,
    ) -> None:
        self.rule = rule
        self.metric = metric
        self.tol = tol

    def __call__(self, cv_results: Mapping[str, Any]) -> int:
        guidance = _guidance(cv_results, self.metric, self.rule, self.tol)
        if not guidance:
            raise ValueError(
                f"Every candidate's {self.metric} is NaN (every fit failed); there "
                "is no length to refit."
            )
        _, index = max(guidance.values(), key=lambda entry: entry[0].score)
        return int(index)

    def __repr__(self):
        return f"refit_seq_len({self.rule!r}, metric={self.metric!r}, tol={self.tol!r})"


@_fill_docs
def refit_seq_len(
    rule: str = "saturation",
    *,
    metric: str = "memory_capacity",
    tol: float = DEFAULT_TOL,
) -> SeqLenRefit:
    """Make a ``GridSearchCV(refit=...)`` callable that applies a length rule.

    Parameters
    ----------
    %(rule)s
    %(metric)s
    %(tol)s

    Returns
    -------
    refit : SeqLenRefit
        A picklable callable ``refit(cv_results) -> int``. With one unit,
        ``best_params_`` then holds the length :func:`recommend_seq_len` gives.

    Examples
    --------
    >>> from sklearn_rnnmemory.selection import refit_seq_len
    >>> refit = refit_seq_len()
    >>> refit({"params": [{"seq_len": 5}, {"seq_len": 10}],
    ...        "mean_test_memory_capacity": [4.0, 4.1]})
    0
    """
    _check_rule(rule, tol)
    return SeqLenRefit(rule, metric=metric, tol=tol)


@dataclass
class LengthSearch:
    """What :func:`search_seq_len` found.

    Attributes
    ----------
    recommended : int
        The recommended training length; the full grid's recommendation.
    cv_results : dict
        The ``cv_results_`` of the :class:`SequentialLengthSearchCV` that
        trained the lengths: among them ``params``,
        ``mean_test_memory_capacity``, ``std_test_memory_capacity`` and
        ``split<i>_test_memory_capacity`` of the lengths that were trained,
        longest first, as ``GridSearchCV`` names them, so
        :func:`recommend_seq_len` reads it.
    skipped : list of int
        Lengths never trained: their capacity could not matter to the rule.
    n_fits : int
        Models trained (lengths trained times folds).
    """

    recommended: int
    cv_results: dict
    skipped: list
    n_fits: int


#: The one score of a sequential length search, as its ``cv_results_`` name it.
_METRIC = "memory_capacity"


def _check_lengths(seq_lens):
    """The candidate lengths, distinct and sorted."""
    if isinstance(seq_lens, str | bytes) or not isinstance(seq_lens, Iterable):
        raise ValueError(
            f"seq_lens must be a list of positive integers; got {seq_lens!r}."
        )
    lengths = sorted({int(check_positive_int(k, "each of seq_lens")) for k in seq_lens})
    if not lengths:
        raise ValueError("seq_lens holds no length.")
    return lengths


@_fill_docs
class SequentialLengthSearchCV(BaseSearchCV):
    """Cross-validate training lengths from the longest down.

    The lengths that cannot win are skipped.

    Each length is scored by memory capacity at the length itself
    (``make_memory_scorer("memory_capacity", eval_len=None)``). Memory
    capacity over windows of ``k`` steps is at most ``k``; so once the best
    mean capacity found is ``C``, every length below ``C`` (rule ``best``) or
    below ``C - tol |C|`` (rule ``saturation``) can neither be the best nor
    within ``tol`` of it, and is not trained. The recommended length is the
    one a ``GridSearchCV`` over ``seq_lens`` with the same ``cv``, scored the
    same way, gives to :func:`recommend_seq_len`, for a fraction of the fits.
    It answers "which length is best read at its own length"; the default
    scorers of a search answer "which length is best on the same windows" (a
    common length ``L``), where no such bound lets lengths be skipped.

    A scikit-learn search (``BaseSearchCV``, as ``HalvingGridSearchCV`` is,
    each round one length): ``cv_results_`` holds the lengths trained, longest
    first, under the names ``GridSearchCV`` gives them, with the one metric
    ``memory_capacity``; with ``refit`` the recommended length is refitted on
    the whole data as ``best_estimator_``, and the search predicts and scores
    with it.

    Parameters
    ----------
    estimator : estimator or Pipeline
        A :class:`~sklearn_rnnmemory.RecurrentMemoryRegressor`, or a Pipeline
        ending in one; a fixed integer ``random_state`` makes each length's
        models the ones the full grid would train.
    seq_lens : iterable of int
        Candidate training lengths.
    param : str, default="seq_len"
        The length parameter's name, e.g. ``"model__seq_len"`` in a Pipeline.
    %(rule)s
    %(tol)s
    cv : int, cross-validation generator or iterable, default=5
        As in ``GridSearchCV``; use a splitter without shuffling, or with a
        fixed seed, to compare with a grid search.
    refit : bool, default=True
        Refit the estimator at the recommended length on the whole data.
    n_jobs : int, default=None
        Folds trained in parallel.
    verbose : int, default=0
        As in ``GridSearchCV``.
    pre_dispatch : int or str, default="2*n_jobs"
        As in ``GridSearchCV``.
    error_score : "raise" or float, default=np.nan
        The score of a fit that fails; a length with a failed fold bounds
        nothing.
    return_train_score : bool, default=False
        Also score each model on its training folds.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As ``GridSearchCV``'s, one candidate per length trained, longest
        first: ``params``, ``param_<param>``, ``mean_test_memory_capacity``,
        ``std_test_memory_capacity``, ``rank_test_memory_capacity``,
        ``split<i>_test_memory_capacity``, the fit and score times.
    recommended_seq_len_ : int
        The recommended training length.
    skipped_ : list of int
        Lengths never trained: their capacity could not matter to the rule.
    best_estimator_ : estimator
        With ``refit``: the estimator refitted at the recommended length.
    best_index_ : int
        With ``refit``: the recommended length's row of ``cv_results_``.
    best_params_ : dict
        With ``refit``: ``{param: recommended_seq_len_}``.
    best_score_ : float
        With ``refit``: the recommended length's mean capacity.
    scorer_ : dict
        ``{"memory_capacity": scorer}``.
    n_splits_ : int
        Cross-validation folds.
    refit_time_ : float
        With ``refit``: seconds spent refitting.
    multimetric_ : bool
        True: the one metric is named.

    See Also
    --------
    search_seq_len : The same search as a function, without the refit.
    recommend_seq_len : The rule, read off any search's ``cv_results_``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory import RecurrentMemoryRegressor
    >>> from sklearn_rnnmemory.selection import SequentialLengthSearchCV
    >>> X = np.random.default_rng(0).normal(size=(64, 20, 3)).astype("float32")
    >>> model = RecurrentMemoryRegressor("gru", hidden_size=8, max_epochs=2,
    ...                                  random_state=0, device="cpu")
    >>> search = SequentialLengthSearchCV(model, [5, 10, 20], cv=2).fit(X)
    >>> trained = [p["seq_len"] for p in search.cv_results_["params"]]
    >>> sorted(trained + search.skipped_) == [5, 10, 20]
    True
    >>> search.best_params_ == {"seq_len": search.recommended_seq_len_}
    True
    """

    _parameter_constraints: dict = {
        **{
            name: constraint
            for name, constraint in BaseSearchCV._parameter_constraints.items()
            if name != "scoring"
        },
        "seq_lens": [Iterable],
        "param": [str],
        "rule": [StrOptions(set(RULES))],
        "tol": [Interval(Real, 0, 1, closed="left")],
        "refit": ["boolean"],
    }

    def __init__(
        self,
        estimator: Any,
        seq_lens: Iterable[int],
        *,
        param: str = "seq_len",
        rule: str = "saturation",
        tol: float = DEFAULT_TOL,
        cv: Any = 5,
        refit: bool = True,
        n_jobs: int | None = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
        error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        # Not BaseSearchCV.__init__: the scoring is the search's own.
        self.estimator = estimator
        self.seq_lens = seq_lens
        self.param = param
        self.rule = rule
        self.tol = tol
        self.cv = cv
        self.refit = refit
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.error_score = error_score
        self.return_train_score = return_train_score

    @property
    def scoring(self) -> dict:
        """The one scorer: memory capacity read at each candidate's own length.

        The bound capacity <= k holds there only: at a common ``L``, a model
        trained at ``k`` may hold more than ``k``.
        """
        return {_METRIC: make_memory_scorer(_METRIC, eval_len=None)}

    @property
    def n_features_in_(self) -> int:
        """Features per step of the sequences the refitted estimator saw.

        Only with ``refit``.
        """
        return BaseSearchCV.n_features_in_.fget(self)

    def _get_scorers(self):
        # One named metric, whatever refit is: BaseSearchCV would take a
        # boolean refit for a metric's name.
        scorers = _check_multimetric_scoring(self.estimator, self.scoring)
        return (
            _MultimetricScorer(
                scorers=scorers, raise_exc=(self.error_score == "raise")
            ),
            _METRIC,
        )

    def _run_search(self, evaluate_candidates):
        """Evaluate the lengths from the longest down, one per round, skipping
        those too short to reach what the rule needs."""
        lengths = _check_lengths(self.seq_lens)
        results, skipped = None, []
        best = -np.inf
        for k in reversed(lengths):
            if k < _needed(best, self.rule, self.tol):
                skipped.append(k)  # capacity <= k < needed: cannot matter
                continue
            results = evaluate_candidates([{self.param: k}])
            folds = [
                results[f"split{i}_test_{_METRIC}"][-1] for i in range(self.n_splits_)
            ]
            if np.isfinite(folds).all():  # a failed length bounds nothing
                best = max(best, float(np.mean(folds)))
        self.skipped_ = sorted(skipped)
        found = recommend_seq_len(results, rule=self.rule, tol=self.tol).get(None)
        if found is None:
            raise ValueError(
                "Every length failed to train or score (see the warnings above); "
                "there is no length to recommend."
            )
        self.recommended_seq_len_ = found

    def _select_best_index(self, refit, refit_metric, results):
        # The recommended length's row, not the highest score's.
        lengths = [params[self.param] for params in results["params"]]
        return lengths.index(self.recommended_seq_len_)

    def score(self, X: ArrayLike, y: None = None, **params: Any) -> float:
        """Memory capacity of ``best_estimator_`` on ``X``, read at its length.

        Parameters
        ----------
        X : array-like
            Sequences, as the estimator takes them.
        y : None
            Ignored.
        **params : dict
            Passed to the scorer.

        Returns
        -------
        capacity : float
            The memory capacity over windows of the recommended length.
        """
        _check_refit(self, "score")
        check_is_fitted(self)
        return self.scorer_[_METRIC](self.best_estimator_, X, y, **params)


@_fill_docs
def search_seq_len(
    estimator: Any,
    X: ArrayLike,
    seq_lens: Iterable[int],
    *,
    cv: Any = 5,
    rule: str = "saturation",
    tol: float = DEFAULT_TOL,
    param: str = "seq_len",
    n_jobs: int | None = None,
) -> LengthSearch:
    """Find the recommended training length, skipping lengths that cannot win.

    A :class:`SequentialLengthSearchCV` without the refit: lengths are
    cross-validated from the longest down, scored by memory capacity at the
    length itself. Memory capacity over windows of ``k`` steps is at most
    ``k``; so once the best mean capacity found is ``C``, every length below
    ``C`` (rule ``best``) or below ``C - tol |C|`` (rule ``saturation``) can
    neither be the best nor within ``tol`` of it, and is not trained. The
    recommendation is the one a full ``GridSearchCV`` over ``seq_lens`` with
    the same ``cv``, scored the same way
    (``make_memory_scorer("memory_capacity", eval_len=None)``), gives to
    :func:`recommend_seq_len`, for a fraction of the fits. It answers "which
    length is best read at its own length"; the default scorers of a search
    answer "which length is best on the same windows" (a common length ``L``),
    where no such bound lets lengths be skipped.

    Parameters
    ----------
    estimator : estimator or Pipeline
        A :class:`~sklearn_rnnmemory.RecurrentMemoryRegressor`, or a Pipeline
        ending in one; a fixed integer ``random_state`` makes each length's
        models the ones the full grid would train.
    X : array-like
        Training sequences, as the estimator takes them.
    seq_lens : iterable of int
        Candidate training lengths.
    cv : int or cross-validation splitter, default=5
        As in ``cross_val_score``; use a splitter without shuffling, or with
        a fixed seed, to compare with a grid search.
    %(rule)s
    %(tol)s
    param : str, default="seq_len"
        The length parameter's name, e.g. ``"model__seq_len"`` in a Pipeline.
    n_jobs : int, default=None
        Folds trained in parallel (``cross_val_score``'s ``n_jobs``).

    Returns
    -------
    search : LengthSearch
        The recommended length, the scores of the lengths trained, the
        lengths skipped and the number of fits.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory import RecurrentMemoryRegressor
    >>> from sklearn_rnnmemory.selection import search_seq_len
    >>> X = np.random.default_rng(0).normal(size=(64, 20, 3)).astype("float32")
    >>> model = RecurrentMemoryRegressor("gru", hidden_size=8, max_epochs=2,
    ...                                  random_state=0, device="cpu")
    >>> search = search_seq_len(model, X, [5, 10, 20], cv=2)
    >>> trained = [p["seq_len"] for p in search.cv_results["params"]]
    >>> sorted(trained + search.skipped), search.n_fits == 2 * len(trained)
    ([5, 10, 20], True)
    """
    _check_rule(rule, tol)
    search = SequentialLengthSearchCV(
        estimator,
        _check_lengths(seq_lens),  # a generator is read once, here
        param=param,
        rule=rule,
        tol=tol,
        cv=cv,
        refit=False,
        n_jobs=n_jobs,
    ).fit(X)
    results = search.cv_results_
    return LengthSearch(
        recommended=search.recommended_seq_len_,
        cv_results=results,
        skipped=search.skipped_,
        n_fits=len(results["params"]) * search.n_splits_,
    )


__all__ = [
    "LengthRecommendation",
    "LengthSearch",
    "SeqLenRefit",
    "SequentialLengthSearchCV",
    "recommend_seq_len",
    "refit_seq_len",
    "search_seq_len",
    "seq_len_guidance",
    "significantly_below",
]
