"""Length guidance: which training length ``k`` suits each unit (DESIGN 3.7).

For each unit, over a grid of training lengths:

- ``best``: the ``k`` with the highest mean score;
- ``saturation``: the smallest ``k`` whose mean score is within ``tol`` of the
  best (``score >= best - tol * |best|``).

The rules read a ``cv_results_`` dict of a search over ``seq_len`` (and
optionally ``unit``); they are available as a function,
:func:`recommend_seq_len`, and as ``GridSearchCV(refit=...)`` callables,
:func:`refit_seq_len`. Both share one implementation.
"""

from numbers import Integral, Real

import numpy as np

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
        best = max(means.values())
        if rule == "best":
            k = min(k for k, m in means.items() if m == best)
        else:
            k = min(k for k, m in means.items() if m >= best - tol * abs(best))
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
