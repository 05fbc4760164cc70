"""Memory indicators as scikit-learn scorers.

A scorer is a callable ``scorer(estimator, X, y=None) -> float``, greater is
better, for ``GridSearchCV(scoring=...)`` and ``cross_validate``. Error-like
indicators are negated and named ``neg_...``. Every memory scorer computes its
indicator through :meth:`RecurrentMemoryRegressor.memory_profile`, hence through
:func:`sklearn_rnnmemory.indicators.last_step_profile` only, as the study does
(definitions §3.5).

By default (``eval_len="auto"``) every candidate of a search is measured on the
same windows of its test fold, of one length ``L`` that depends on the fold
alone (:func:`common_eval_len`), never on the candidate's ``seq_len``: a
capacity over windows of ``k`` tokens is at most ``k``, so candidates read at
their own lengths would partly be compared on window length (definitions
§3.7). The ``eval_len`` scorer records the ``L`` of each candidate and fold in
``cv_results_``, where the length guidance reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.metadata_routing import MetadataRequest

from ._sequences import check_sequences, sequence_lengths
from ._typing import ArrayLike, RandomStateLike
from ._validation import check_positive_int, check_threshold, is_positive_int
from .indicators import INDICATORS, check_probe_params, min_clusters, probe_memory

#: The ``eval_len`` of a scorer that picks the common length of each test fold.
AUTO = "auto"

#: Indicators read from the probe, decoded only when a scorer reads one.
_PROBE_INDICATORS = frozenset({"probe_capacity", "probe_net_capacity"})

#: Scorer name -> (profile attribute, sign). ``eval_len`` is the record of the
#: evaluated window length ``L``, not a score to maximise.
SCORER_NAMES = {
    **{
        (name if greater_is_better else f"neg_{name}"): (
            name,
            1 if greater_is_better else -1,
        )
        for name, greater_is_better in INDICATORS.items()
    },
    "eval_len": ("window_length", 1),
}


def common_eval_len(X: ArrayLike) -> int:
    """The longest window length at which sequences give enough windows.

    Cut into consecutive windows of ``L`` tokens, a sequence of ``n`` valid
    steps gives ``n // L`` windows that reach ``L``, the windows the
    indicators measure; below
    :func:`~sklearn_rnnmemory.indicators.min_clusters` ``(L, d)`` of them they
    refuse. The default scorers (``eval_len="auto"``) measure every candidate
    of a search at this length of its test fold: it depends on the fold's
    sequences alone, so every candidate is read on the same windows.

    Parameters
    ----------
    X : array-like of shape (n, T, d) or (n, T)
        Semantic points of the sequences, NaN-padded at the end.

    Returns
    -------
    eval_len : int
        The longest ``L`` with at least ``min_clusters(L, d)`` windows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory.indicators import min_clusters
    >>> from sklearn_rnnmemory.scoring import common_eval_len
    >>> X = np.ones((100, 30, 4))
    >>> L = common_eval_len(X)
    >>> 100 * (30 // L) >= min_clusters(L, 4)
    True
    """
    X = check_sequences(X)
    lengths, counts = np.unique(sequence_lengths(X), return_counts=True)
    longest = int(lengths[-1]) if lengths.size else 0
    d = X.shape[2]
    # Windows reaching L only fall as L grows: the first L from the top that
    # has enough is the longest.
    for length in range(longest, 0, -1):
        if int((lengths // length) @ counts) >= min_clusters(length, d):
            return length
    n_steps = int(lengths @ counts)
    raise ValueError(
        f"X gives too few windows at every evaluation length: {n_steps} windows "
        f"of 1 step, where the indicators need {min_clusters(1, d)} at d = {d}. "
        "Evaluate on more sequences."
    )


def _check_eval_len(eval_len):
    if eval_len is None or (isinstance(eval_len, str) and eval_len == AUTO):
        return eval_len
    if is_positive_int(eval_len):
        return int(eval_len)
    raise ValueError(
        f"eval_len must be 'auto', None or a positive integer; got {eval_len!r}."
    )


def _final_step(estimator, X, method, example):
    """The estimator that has ``method``, and X transformed up to it."""
    if isinstance(estimator, Pipeline):
        if len(estimator.steps) > 1:
            X = estimator[:-1].transform(X)
        estimator = estimator.steps[-1][1]
    if not hasattr(estimator, method):
        raise ValueError(
            f"This scorer needs an estimator with a {method} method (such as "
            f"{example}), or a Pipeline ending in one; got "
            f"{type(estimator).__name__}."
        )
    return estimator, X


def _fitted_model(estimator):
    """The fitted network behind an estimator or a Pipeline's last step."""
    final = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator
    return getattr(final, "net_", None)


class _SharedProfile:
    """One memory profile per (estimator, X), shared by the scorers of a dict.

    A multi-metric search calls every scorer of a ``memory_scorers()`` dict once
    on the same fitted estimator and test fold; they share one forward pass.
    An entry serves each scorer once and then lapses, so a later call, even on
    the same objects, computes afresh.
    """

    def __init__(self, names):
        self.names = frozenset(names)
        self._entry = None

    def get(self, name, estimator, X, compute, groups=None):
        entry = self._entry
        fresh = (
            entry is None
            or entry["estimator"] is not estimator
            or entry["X"] is not X
            or entry["groups"] is not groups
            or entry["model"] is not _fitted_model(estimator)
            or name in entry["served"]
        )
        if fresh:
            entry = {
                "estimator": estimator,
                "X": X,
                "groups": groups,
                "model": _fitted_model(estimator),
                "profile": compute(),
                "served": set(),
            }
        entry["served"].add(name)
        self._entry = None if entry["served"] >= self.names else entry
        return entry["profile"]

    def __getstate__(self):
        return {"names": self.names, "_entry": None}


class MemoryScorer:
    """Score a fitted memory model by one indicator (greater is better).

    Build instances with :func:`make_memory_scorer` or :func:`memory_scorers`;
    the parameters are checked when the scorer is made.

    Parameters
    ----------
    name : str
        Scorer name, a key of ``SCORER_NAMES``.
    eval_len : "auto", int or None, default="auto"
        Evaluation window length: ``"auto"`` the test fold's
        :func:`common_eval_len`, an int that length, ``None`` the estimator's
        own ``seq_len``.
    threshold : float in (0, 1], default=0.5
        Credit at which a lag counts one half toward the memory span.

    Notes
    -----
    With scikit-learn's metadata routing on
    (``sklearn.set_config(enable_metadata_routing=True)``), ``groups`` given to a
    search's or ``cross_validate``'s ``fit`` reach the scorer, one label per
    test sequence (its document, say): the windows of one label are one
    cluster of the retention's covariance. The scorer requests ``groups`` by
    default, as scikit-learn's group splitters do; ``set_score_request(groups=
    False)`` declines them.
    """

    def __init__(
        self, name: str, *, eval_len: int | str | None = AUTO, threshold: float = 0.5
    ) -> None:
        if not isinstance(name, str) or name not in SCORER_NAMES:
            hint = ""
            if isinstance(name, str) and f"neg_{name}" in SCORER_NAMES:
                hint = f" Lower {name} is better, so its scorer is 'neg_{name}'."
            raise ValueError(
                f"Unknown memory scorer {name!r}; choose one of "
                f"{list(SCORER_NAMES)}." + hint
            )
        self.name = name
        self.eval_len = _check_eval_len(eval_len)
        self.threshold = check_threshold(threshold)
        self._shared: _SharedProfile | None = None
        self._groups_request: bool | None = True

    def set_score_request(self, *, groups: bool | None = True) -> MemoryScorer:
        """Say whether the scorer takes ``groups`` through metadata routing.

        Parameters
        ----------
        groups : bool or None, default=True
            True: take them; False: do not; None: refuse them if given.

        Returns
        -------
        self : MemoryScorer
            The scorer, its request set.
        """
        if groups not in (True, False, None):
            raise ValueError(f"groups must be True, False or None; got {groups!r}.")
        self._groups_request = groups
        return self

    def get_metadata_routing(self) -> MetadataRequest:
        """The metadata this scorer takes: ``groups``, at ``score``.

        Returns
        -------
        request : sklearn.utils.metadata_routing.MetadataRequest
            ``groups`` at ``score``, as :meth:`set_score_request` set it.
        """
        request = MetadataRequest(owner=type(self).__name__)
        request.score.add_request(param="groups", alias=self._groups_request)
        return request

    def _profile(self, estimator, X, groups=None):
        model, X = _final_step(
            estimator, X, "memory_profile", "RecurrentMemoryRegressor"
        )
        # The probe is decoded only when a scorer of the set reads it.
        names = self._shared.names if self._shared is not None else {self.name}
        eval_len = common_eval_len(X) if self.eval_len == AUTO else self.eval_len
        return model.memory_profile(
            X,
            eval_len=eval_len,
            threshold=self.threshold,
            probe=bool(names & _PROBE_INDICATORS),
            groups=groups,
        )

    def __call__(
        self,
        estimator: Any,
        X: ArrayLike,
        y: None = None,
        groups: ArrayLike | None = None,
    ) -> float:
        """Score ``estimator`` on the sequences ``X``.

        Parameters
        ----------
        estimator : RecurrentMemoryRegressor or Pipeline ending in one
            The fitted model.
        X : array-like
            The test sequences, as the estimator (or pipeline) reads them.
        y : None
            Ignored.
        groups : array-like of shape (n_sequences,), default=None
            One label per sequence: windows of one label are one cluster.

        Returns
        -------
        score : float
            The indicator, negated where lower is better.
        """
        indicator, sign = SCORER_NAMES[self.name]
        if self._shared is None:
            profile = self._profile(estimator, X, groups)
        else:
            profile = self._shared.get(
                self.name,
                estimator,
                X,
                lambda: self._profile(estimator, X, groups),
                groups,
            )
        return sign * float(getattr(profile, indicator))

    def __repr__(self):
        return (
            f"make_memory_scorer({self.name!r}, eval_len={self.eval_len!r}, "
            f"threshold={self.threshold!r})"
        )


def make_memory_scorer(
    name: str, *, eval_len: int | str | None = AUTO, threshold: float = 0.5
) -> MemoryScorer:
    """Make a scorer from a memory indicator.

    Parameters
    ----------
    name : str
        One of ``"memory_capacity"``, ``"memory_span"``, ``"memory_rate"``,
        ``"semantic_skill"``, ``"neg_semantic_error"``,
        ``"semantic_similarity"``, ``"probe_capacity"``,
        ``"probe_net_capacity"`` (the probe capacity less what the current
        input alone decodes: the one to rank models by); or ``"eval_len"``,
        the evaluated window length ``L`` itself: a record (in
        ``cv_results_``) for the length guidance, not a score to maximise.
    eval_len : "auto", int or None, default="auto"
        Cut the test sequences into windows of this length. ``"auto"``: the
        longest length the test sequences fill with enough windows
        (:func:`common_eval_len`), the same for every candidate of a search.
        ``None``: the estimator's own ``seq_len``, so that a model trained at
        ``k`` is read at ``k``; across training lengths such scores compare
        window lengths as much as memory.
    threshold : float in (0, 1], default=0.5
        Credit at which a lag counts one half toward the memory span.

    Returns
    -------
    scorer : MemoryScorer
        A picklable callable ``scorer(estimator, X, y=None) -> float``; it works
        on a fitted ``RecurrentMemoryRegressor`` and on a Pipeline ending in one.

    Examples
    --------
    >>> from sklearn_rnnmemory.scoring import make_memory_scorer
    >>> make_memory_scorer("memory_capacity", eval_len=20)
    make_memory_scorer('memory_capacity', eval_len=20, threshold=0.5)
    """
    return MemoryScorer(name, eval_len=eval_len, threshold=threshold)


def memory_scorers(
    *, eval_len: int | str | None = AUTO, threshold: float = 0.5
) -> dict[str, MemoryScorer]:
    """Every memory scorer, as a dict for multi-metric ``scoring=``.

    With the default ``eval_len="auto"``, every candidate of a search is read
    on the same windows of its test fold (:func:`common_eval_len`), and the
    ``eval_len`` entry records that length in ``cv_results_``
    (``split<i>_test_eval_len``), where
    :func:`~sklearn_rnnmemory.selection.seq_len_guidance` reports it.

    Parameters
    ----------
    eval_len : "auto", int or None, default="auto"
        See :func:`make_memory_scorer`.
    threshold : float in (0, 1], default=0.5
        See :func:`make_memory_scorer`.

    Returns
    -------
    scorers : dict
        Scorer name -> :class:`MemoryScorer`. When a multi-metric search calls
        them on one fitted estimator and test fold, they share one forward pass.

    Examples
    --------
    >>> from sklearn_rnnmemory.scoring import memory_scorers
    >>> sorted(memory_scorers())[:3]
    ['eval_len', 'memory_capacity', 'memory_rate']
    """
    scorers = {
        name: make_memory_scorer(name, eval_len=eval_len, threshold=threshold)
        for name in SCORER_NAMES
    }
    shared = _SharedProfile(scorers)
    for scorer in scorers.values():
        scorer._shared = shared
    return scorers


#: Probe scorer metrics, attributes of ProbeMemory.
PROBE_METRICS = ("net_capacity", "memory_capacity", "lag0")

# The options of probe_memory a probe scorer passes on, with their defaults.
_PROBE_DEFAULTS = {
    "ridge": 1e-6,
    "test_size": 0.2,
    "washout": 0,
    "surrogate": False,
    "random_state": None,
}


class ProbeScorer:
    """Score any fitted recurrent estimator by what its states hold of past inputs.

    Build instances with :func:`make_probe_scorer`; the parameters are
    checked when the scorer is made.
    """

    def __init__(
        self,
        max_lag: int,
        *,
        metric: str = "net_capacity",
        eval_len: int | None = None,
        probe_params: Mapping[str, Any] | None = None,
    ) -> None:
        self.max_lag = check_positive_int(max_lag, "max_lag")
        self.eval_len = check_positive_int(eval_len, "eval_len", allow_none=True)
        if not isinstance(metric, str) or metric not in PROBE_METRICS:
            raise ValueError(f"metric must be one of {PROBE_METRICS}; got {metric!r}.")
        self.metric = metric
        if probe_params is not None and not isinstance(probe_params, Mapping):
            raise TypeError(
                f"probe_params must be a dict of probe_memory options or None; got "
                f"{probe_params!r}."
            )
        probe_params = dict(probe_params or {})
        unknown = sorted(set(probe_params) - set(_PROBE_DEFAULTS), key=str)
        if unknown:
            raise TypeError(
                f"probe_params takes {sorted(_PROBE_DEFAULTS)}; got {unknown[0]!r}."
            )
        # Checked now, not at the first score: a search would otherwise fit
        # every candidate and end with NaN scores.
        check_probe_params(**{**_PROBE_DEFAULTS, **probe_params})
        self.probe_params = probe_params

    def __call__(
        self, estimator: Any, X: ArrayLike, y: ArrayLike | None = None
    ) -> float:
        model, X = _final_step(estimator, X, "hidden_states", "RecurrentClassifier")
        states = model.hidden_states(X, eval_len=self.eval_len)
        inputs = model.probe_inputs(X) if hasattr(model, "probe_inputs") else X
        probe = probe_memory(inputs, states, max_lag=self.max_lag, **self.probe_params)
        return float(getattr(probe, self.metric))

    def __repr__(self):
        options = "".join(f", {k}={v!r}" for k, v in self.probe_params.items())
        return (
            f"make_probe_scorer({self.max_lag!r}, metric={self.metric!r}, "
            f"eval_len={self.eval_len!r}{options})"
        )


def make_probe_scorer(
    max_lag: int,
    *,
    metric: str = "net_capacity",
    eval_len: int | None = None,
    ridge: float = 1e-6,
    test_size: float = 0.2,
    washout: int = 0,
    surrogate: bool = False,
    random_state: RandomStateLike = 0,
) -> ProbeScorer:
    """Make a scorer from the probe indicators, for any recurrent estimator.

    The scorer reads the test sequences with the estimator's
    ``hidden_states(X, eval_len=...)``, takes the inputs the network reads
    (``probe_inputs(X)`` where the estimator has it, else ``X``) and returns
    :func:`~sklearn_rnnmemory.indicators.probe_memory`'s ``metric``.

    Parameters
    ----------
    max_lag : int
        Largest lag decoded.
    metric : {"net_capacity", "memory_capacity", "lag0"}, default="net_capacity"
        The probe memory capacity (lags 1..max_lag) less its baseline, the
        capacity the current input alone gives (what ranks models by their
        memory, whatever the inputs' correlations over time); the probe
        memory capacity itself; or the lag-0 decodability.
    eval_len : int, default=None
        Window length of ``hidden_states``; ``None`` uses the estimator's
        ``seq_len``.
    ridge, test_size, washout, surrogate, random_state : optional
        Passed to :func:`~sklearn_rnnmemory.indicators.probe_memory`;
        ``random_state`` defaults to 0 so that a score is reproducible.

    Returns
    -------
    scorer : ProbeScorer
        A picklable callable ``scorer(estimator, X, y=None) -> float``, greater
        is better.

    Examples
    --------
    >>> from sklearn_rnnmemory.scoring import make_probe_scorer
    >>> make_probe_scorer(10, surrogate=True)
    make_probe_scorer(10, metric='net_capacity', eval_len=None, ridge=1e-06, \
test_size=0.2, washout=0, surrogate=True, random_state=0)
    """
    return ProbeScorer(
        max_lag,
        metric=metric,
        eval_len=eval_len,
        probe_params={
            "ridge": ridge,
            "test_size": test_size,
            "washout": washout,
            "surrogate": surrogate,
            "random_state": random_state,
        },
    )


__all__ = [
    "MemoryScorer",
    "ProbeScorer",
    "common_eval_len",
    "make_memory_scorer",
    "make_probe_scorer",
    "memory_scorers",
]
