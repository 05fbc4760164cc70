"""Length guidance: which training length ``k`` suits each unit (DESIGN 3.7).

For each unit, over a grid of training lengths:

- ``best``: the ``k`` with the highest mean score;
- ``saturation``: the smallest ``k`` whose mean score is within ``tol`` of the
  best (``score >= best - tol * |best|``).

The rules read a ``cv_results_`` dict of a search over ``seq_len`` (and
optionally ``unit``); they are available as a function,
:func:`recommend_seq_len`, and as ``GridSearchCV(refit=...)`` callables,
:func:`refit_seq_len`. Both share one implementation.

:func:`search_seq_len` reaches the full grid's recommendation without training
every length: memory capacity at length ``k`` is at most ``k``, so once a
length scores ``C``, every length too short to reach what the rule needs is
skipped.
"""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import cross_val_score

from ._validation import check_positive_int
from .scoring import make_memory_scorer

RULES = ("saturation", "best")


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
    if not isinstance(tol, Real) or not 0 <= tol < 1:
        raise ValueError(f"tol must be a number in [0, 1); got {tol!r}.")


def _needed(best, rule, tol):
    """The lowest mean score a length may have and still be recommended."""
    return best if rule == "best" else best - tol * abs(best)


def _choose(cv_results, metric, rule, tol):
    """Per unit: the recommended length and the candidate index to refit."""
    _check_rule(rule, tol)
    params = list(cv_results["params"])
    scores = _scores(cv_results, metric)
    length_key = _param_key(params[0], "seq_len")
    if length_key is None:
        raise ValueError(
            "cv_results holds no search over seq_len: no parameter name ends in "
            "'seq_len'."
        )
    unit_key = _param_key(params[0], "unit")
    by_unit = {}
    for index, candidate in enumerate(params):
        length = candidate[length_key]
        if not isinstance(length, Integral) or isinstance(length, bool):
            raise ValueError(
                f"Length guidance needs integer training lengths; candidate {index} "
                f"has {length_key}={length!r}."
            )
        unit = candidate.get(unit_key) if unit_key else None
        by_unit.setdefault(unit, {}).setdefault(int(length), []).append(index)

    chosen = {}
    for unit, lengths in by_unit.items():
        # Mean over the candidates that share (unit, length), e.g. other params.
        means = {k: float(np.nanmean(scores[idx])) for k, idx in lengths.items()}
        needed = _needed(max(means.values()), rule, tol)
        k = min(k for k, m in means.items() if m >= needed)
        index = max(lengths[k], key=lambda i: scores[i])
        chosen[unit] = (k, means[k], index)
    return chosen


def recommend_seq_len(
    cv_results, *, metric="memory_capacity", rule="saturation", tol=0.05
):
    """Recommend a training length per unit from a search's ``cv_results_``.

    Parameters
    ----------
    cv_results : dict
        ``GridSearchCV.cv_results_`` (or a dict with ``params`` and
        ``mean_test_<metric>``) of a search over a parameter named ``seq_len``
        (``"seq_len"`` or ``"<step>__seq_len"``), optionally also over ``unit``.
        Scores of candidates that share unit and length (other parameters
        differing) are averaged.
    metric : str, default="memory_capacity"
        The score to read, ``mean_test_<metric>``; ``mean_test_score`` when the
        search had a single metric.
    rule : {"saturation", "best"}, default="saturation"
        ``best``: the length with the highest mean score. ``saturation``: the
        smallest length whose mean score is within ``tol`` of the best.
    tol : float in [0, 1), default=0.05
        Relative tolerance of the ``saturation`` rule.

    Returns
    -------
    lengths : dict
        Unit -> recommended length; the key is ``None`` when ``unit`` was not
        searched.

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
    chosen = _choose(cv_results, metric, rule, tol)
    return {unit: k for unit, (k, _, _) in chosen.items()}


class SeqLenRefit:
    """A ``GridSearchCV(refit=...)`` rule that picks the recommended length.

    Build instances with :func:`refit_seq_len`. Called with ``cv_results_``, it
    returns the index of the candidate to refit: among units, the one whose
    recommended length scores highest; at that unit and length, the best
    candidate.
    """

    def __init__(self, rule="saturation", *, metric="memory_capacity", tol=0.05):
        self.rule = rule
        self.metric = metric
        self.tol = tol

    def __call__(self, cv_results):
        chosen = _choose(cv_results, self.metric, self.rule, self.tol)
        _, _, index = max(chosen.values(), key=lambda c: c[1])
        return int(index)

    def __repr__(self):
        return f"refit_seq_len({self.rule!r}, metric={self.metric!r}, tol={self.tol!r})"


def refit_seq_len(rule="saturation", *, metric="memory_capacity", tol=0.05):
    """Make a ``GridSearchCV(refit=...)`` callable that applies a length rule.

    Parameters
    ----------
    rule : {"saturation", "best"}, default="saturation"
        See :func:`recommend_seq_len`.
    metric : str, default="memory_capacity"
        See :func:`recommend_seq_len`.
    tol : float in [0, 1), default=0.05
        See :func:`recommend_seq_len`.

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
        ``params``, ``mean_test_memory_capacity``,
        ``std_test_memory_capacity`` and ``split<i>_test_memory_capacity`` of
        the lengths that were trained, longest first, as ``GridSearchCV``
        names them, so :func:`recommend_seq_len` reads it.
    skipped : list of int
        Lengths never trained: their capacity could not matter to the rule.
    n_fits : int
        Models trained (lengths trained times folds).
    """

    recommended: int
    cv_results: dict
    skipped: list
    n_fits: int


def search_seq_len(
    estimator,
    X,
    seq_lens,
    *,
    cv=5,
    rule="saturation",
    tol=0.05,
    param="seq_len",
    n_jobs=None,
):
    """Find the recommended training length, skipping lengths that cannot win.

    Lengths are cross-validated from the longest down, scored by memory
    capacity at the length itself. Memory capacity over windows of ``k``
    steps is at most ``k``; so once the best mean capacity found is ``C``,
    every length below ``C`` (rule ``best``) or below ``C - tol |C|`` (rule
    ``saturation``) can neither be the best nor within ``tol`` of it, and is
    not trained. The recommendation is the one a full
    ``GridSearchCV`` over ``seq_lens`` with the same ``cv`` gives to
    :func:`recommend_seq_len`, for a fraction of the fits.

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
    rule : {"saturation", "best"}, default="saturation"
        See :func:`recommend_seq_len`.
    tol : float in [0, 1), default=0.05
        See :func:`recommend_seq_len`.
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
    lengths = sorted({int(check_positive_int(k, "each of seq_lens")) for k in seq_lens})
    if not lengths:
        raise ValueError("seq_lens holds no length.")
    scorer = make_memory_scorer("memory_capacity")
    trained, folds, skipped = [], [], []
    best = -np.inf
    for k in reversed(lengths):
        if k < _needed(best, rule, tol):  # capacity <= k < needed: cannot matter
            skipped.append(k)
            continue
        model = clone(estimator).set_params(**{param: k})
        scores = cross_val_score(model, X, scoring=scorer, cv=cv, n_jobs=n_jobs)
        trained.append(k)
        folds.append(scores)
        best = max(best, float(np.mean(scores)))
    folds = np.asarray(folds)
    cv_results = {
        "params": [{param: k} for k in trained],
        "mean_test_memory_capacity": folds.mean(axis=1),
        "std_test_memory_capacity": folds.std(axis=1),
        **{
            f"split{i}_test_memory_capacity": folds[:, i] for i in range(folds.shape[1])
        },
    }
    recommended = recommend_seq_len(cv_results, rule=rule, tol=tol)[None]
    return LengthSearch(
        recommended=recommended,
        cv_results=cv_results,
        skipped=sorted(skipped),
        n_fits=int(folds.size),
    )
