"""Every memory indicator of definitions §3.5 from one retention regression.

The retention curve is the regression of :mod:`._regression` at the windows'
last step ``T``; the capacity and its interval are those of :mod:`._capacity`
(a lag counts as retained only where ``r(delta)`` is significantly above 0,
and each retained lag contributes its ``credit``, so that over-response
(``r > 1``) is distortion rather than extra memory). The memory span counts
every lag's credit, significant or not (:mod:`._span`). The semantic
error, similarity and skill are measured at the same step, each beside what a
memoryless model (the mean semantics of the windows) scores.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from .._composition import check_composition
from .._docstring import Substitution
from .._sequences import check_sequences, valid_steps
from .._typing import ArrayLike, RandomStateLike
from .._validation import (
    check_groups,
    check_random_state,
    check_real,
    check_threshold,
)
from ._capacity import credit, estimate_capacity
from ._floor import min_clusters
from ._probe import probe_last_step
from ._regression import regress_every_step, regress_last_step
from ._span import memory_span

if TYPE_CHECKING:  # pandas is optional
    import pandas

#: Scalar indicators with whether greater is better, in report order.
INDICATORS = {
    "memory_capacity": True,
    "memory_span": True,
    "memory_rate": True,
    "semantic_skill": True,
    "semantic_error": False,
    "semantic_similarity": True,
    "probe_capacity": True,
    "probe_net_capacity": True,
}

#: What a profile's repr and summary() show, in order: field -> what a model
#: that remembers nothing scores there (a number, the field that holds it, or
#: None where none applies). A new field shows with one entry here.
SHOWN = {
    "memory_capacity": 0.0,
    "memory_capacity_ci": None,
    "memory_span": 0.0,
    "span_start": None,
    "memory_rate": 0.0,
    "explained_share": None,
    "semantic_skill": 0.0,
    "semantic_error": "baseline_error",
    "semantic_similarity": "baseline_similarity",
    "probe_capacity": "probe_baseline",
    "probe_net_capacity": 0.0,
    "window_length": None,
    "n_windows": None,
    "n_clusters": None,
}

# Semantics whose spread across windows is this small against their size do
# not vary: the memoryless model is exact there, and skill is undefined.
_NO_SPREAD = 1e-20
_ALL_PADDING = "There is no window to evaluate: every sequence is padding."

_COMPOSITION = (
    'composition : {"sum", "mean"}, default="sum"\n'
    "    How a sequence's semantics is composed from its tokens' points."
)
_WINDOWS = (
    "points : array-like of shape (n, T, d) or (n, T)\n"
    "    Semantic points ``e_p`` of the evaluated windows, NaN-padded at the end.\n"
    "predicted : array-like of shape (n, T, d) or (n, T)\n"
    "    The model's semantic points ``S^_t``; finite at every valid step.\n"
    + _COMPOSITION
)
#: What the indicators take, documented once.
_fill_docs = Substitution(
    composition=_COMPOSITION,
    windows=_WINDOWS,
    parameters_windows="Parameters\n----------\n" + _WINDOWS,
    profile_options="""threshold : float in (0, 1], default=0.5
    Credit at which a lag counts one half toward the memory span.
alpha : float in (0, 1), default=0.025
    Level of the one-sided tests that a lag's retention is above 0 (0.025:
    ``r > 1.96 stderr`` for a single lag), made together over the lags by
    the Benjamini-Hochberg rule.
confidence : float in (0, 1), default=0.95
    Level of ``memory_capacity_ci``.
random_state : int, RandomState instance or None, default=0
    Seeds the draws of the capacity interval and the probe's split.""",
    groups="""groups : array-like of shape (n,), default=None
    One label per window: windows of one label (cut from one document, or
    overlapping windows of one text) are one cluster of the retention's
    covariance, and the clusters are counted against the floor of
    :func:`min_clusters`. None: every window is its own cluster.""",
)


@dataclass(frozen=True)
class MemoryProfile:
    """The memory indicators of a model on a set of evaluated windows.

    All are measured at the windows' last step ``T``, over the windows that
    reach it.

    Attributes
    ----------
    retention_curve : ndarray of shape (T,)
        ``r(delta)``, the retention of the token ``delta`` steps back: its
        coefficient in the joint least-squares account of the model's point
        by the tokens read. NaN where the windows do not identify a lag.
    retention_stderr : ndarray of shape (T,)
        Cluster-jackknife standard error of each ``r(delta)``, with
        ``n_clusters - 1`` degrees of freedom.
    retained : ndarray of bool, shape (T,)
        Lags whose retention is significantly above 0: one-sided t-tests at
        level ``alpha``, made together over the lags (Benjamini-Hochberg).
    memory_capacity : float
        Token-equivalents of semantics retained, ``sum credit(r(delta))``
        (best: ``T``): estimated over the retained lags, each lag's credit
        corrected for the bias that noise gives it near full retention.
    memory_capacity_ci : tuple of float
        ``(low, high)``: the capacity's ``confidence`` interval, from draws
        of ``r`` reflected about the estimate, widened by the largest bias
        the credit's correction can leave and by the faint lags not retained
        (definitions §3.4b); it always holds ``memory_capacity``.
    memory_span : float
        How many lags are held: each lag counts
        ``clip(1/2 + ln(credit / threshold) / ln(1 / threshold), 0, 1)``, so
        1 where fully held, 0 where forgotten, 1/2 at the threshold, and the
        counts are summed (significant or not, so the span moves continuously
        with the retention). Keeping the last ``m`` tokens gives ``m``, a band
        of ``m`` lags ``m``, decay ``lambda^delta`` the lag where the credit
        falls to the threshold, plus at most one.
    span_start : float
        The lag the span starts at: for each level of credit between
        ``threshold^{3/2}`` and ``threshold^{1/2}``, the first lag above it,
        averaged over the levels (log-uniformly). 0 for a model that keeps the
        last tokens, ``a`` for a band of lags ``a .. b``; NaN where the span
        is 0.
    memory_rate : float
        ``memory_capacity / T`` (best: 1).
    semantic_skill : float
        ``1 - MSE(S^_T) / MSE(memoryless)``, the memoryless model being the
        mean of ``S_T`` over windows: 1 perfect, 0 no better than knowing
        nothing of the window, negative worse.
    semantic_error : float
        ``sum ||S_T - S^_T|| / sum ||S_T||``, sums over windows: the error
        relative to the size of the semantics (best: 0). A window of unknown
        tokens only (``S_T = 0``) adds its error to the numerator alone.
    baseline_error : float
        The semantic error of the memoryless model.
    semantic_similarity : float
        Cosine of ``S^_T`` and ``S_T``, averaged over windows with weights
        ``||S_T||`` (best: 1); a window of unknown tokens only weighs 0.
    baseline_similarity : float
        The semantic similarity of the memoryless model.
    probe_capacity : float
        Sum over lags ``1 .. T-1`` of the decodability of the input points from
        the hidden states at ``T``, chance level removed; NaN when no states
        were given.
    probe_baseline : float
        The probe capacity of a state that holds the current input point
        ``e_T`` and nothing else, on the same windows and split: what the
        points' own correlations over time give (real text: about 0.3;
        independent tokens: 0).
    probe_net_capacity : float
        ``probe_capacity - probe_baseline``: what the states hold of past
        inputs beyond the current one; the probe value that ranks models.
    window_length : int
        ``T``, the longest evaluated window.
    n_windows : int
        Windows that reach ``T``: the observations of the regression.
    n_clusters : int
        Independent clusters among them: the windows, or their distinct
        ``groups``.
    explained_share : float
        The share of the model's variance across windows at ``T`` that the
        joint linear account by the tokens explains (the regression's
        ``R^2``): 1 for a model linear in its tokens; where it is low, the
        capacity is only the best linear account of a nonlinear model. NaN
        where the model's point does not vary.
    threshold : float
        The credit at which a lag counts one half toward the memory span.
    alpha : float
        The level of the tests behind ``retained``.
    """

    retention_curve: np.ndarray
    retention_stderr: np.ndarray
    retained: np.ndarray
    memory_capacity: float
    memory_capacity_ci: tuple
    memory_span: float
    span_start: float
    memory_rate: float
    semantic_skill: float
    semantic_error: float
    baseline_error: float
    semantic_similarity: float
    baseline_similarity: float
    probe_capacity: float
    probe_baseline: float
    probe_net_capacity: float
    window_length: int
    n_windows: int
    n_clusters: int
    explained_share: float
    threshold: float
    alpha: float

    def to_dict(self) -> dict[str, Any]:
        """Return the profile as a dict of plain Python values, ready for JSON.

        Returns
        -------
        values : dict
            Each field by name; arrays as lists.
        """
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("retention_curve", "retention_stderr"):
            out[name] = [float(v) for v in out[name]]
        out["retained"] = [bool(v) for v in self.retained]
        out["memory_capacity_ci"] = [float(v) for v in self.memory_capacity_ci]
        return out

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={_format(getattr(self, name), '.4g', '()')}" for name in SHOWN
        )
        return f"{type(self).__name__}({shown})"

    def summary(self) -> str:
        """Return the indicators as one table, beside a memoryless model's.

        The memoryless model predicts the mean semantics of the windows for the
        semantic indicators, and holds only the current input for the probe
        (``probe_baseline``).

        Returns
        -------
        table : str
            One line per indicator: name, value, memoryless value.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_rnnmemory.indicators import memory_profile
        >>> points = np.eye(5)[np.random.default_rng(0).integers(0, 5, (50, 4))]
        >>> print(memory_profile(points, np.cumsum(points, axis=1)).summary())
        indicator                     value  memoryless
        memory_capacity               4.000       0.000
        memory_capacity_ci   [4.000, 4.000]
        memory_span                   4.000       0.000
        span_start                    0.000
        memory_rate                   1.000       0.000
        explained_share               1.000
        semantic_skill                1.000       0.000
        semantic_error                0.000       0.676
        semantic_similarity           1.000       0.721
        probe_capacity                  nan         nan
        probe_net_capacity              nan       0.000
        window_length                     4
        n_windows                        50
        n_clusters                       50
        """
        rows = [("indicator", "value", "memoryless")]
        for name, memoryless in SHOWN.items():
            if isinstance(memoryless, str):
                memoryless = getattr(self, memoryless)
            rows.append(
                (
                    name,
                    _format(getattr(self, name), ".3f", "[]"),
                    "" if memoryless is None else _format(memoryless, ".3f", "[]"),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        return "\n".join(
            f"{name:<{widths[0]}}  {value:>{widths[1]}}  {base:>{widths[2]}}".rstrip()
            for name, value, base in rows
        )

    def to_frame(self, index: Any = None) -> pandas.DataFrame:
        """Return the profile as a one-row pandas DataFrame of its scalars.

        Rows of several profiles stack with ``pandas.concat``; the interval
        is split into ``capacity_ci_low`` and ``capacity_ci_high`` (as in a
        study's rows) and the per-lag arrays are left to :meth:`to_dict`.

        Parameters
        ----------
        index : hashable, default=None
            The row's label (the model's name, say); None numbers it 0.

        Returns
        -------
        row : pandas.DataFrame
            One row, one column per scalar field.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "MemoryProfile.to_frame needs pandas: pip install pandas (or "
                "sklearn-rnnmemory[pandas])."
            ) from None
        row = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "memory_capacity_ci":
                row["capacity_ci_low"], row["capacity_ci_high"] = map(float, value)
            elif not isinstance(value, np.ndarray):
                row[field.name] = value
        return pd.DataFrame([row], index=[0 if index is None else index])


def _format(value, spec, brackets):
    """A shown value: integers as they are, numbers by ``spec``, an interval
    between ``brackets``."""
    if isinstance(value, tuple):
        inner = ", ".join(_format(v, spec, brackets) for v in value)
        return f"{brackets[0]}{inner}{brackets[1]}"
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return str(int(value))
    text = format(float(value), spec)
    # A float reads as one: 4.0, not 4.
    return text + ".0" if text.lstrip("-").isdigit() else text


def _unit_rows(X):
    """Rows scaled to unit norm (zero rows stay zero), and the rows' norms;
    rescaled by their largest entry first, so that tiny rows do not underflow."""
    largest = np.abs(X).max(axis=1, keepdims=True)
    largest = np.where(largest > 0, largest, 1.0)
    X = X / largest
    norm = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norm > 0, norm, 1.0), (norm * largest)[:, 0]


def _semantic_scores(target, estimate):
    """Semantic error and similarity of ``estimate`` against ``target``.

    Both are ratios of sums over windows, ``sum ||S - S^|| / sum ||S||`` and
    ``sum ||S|| cos(S^, S) / sum ||S||``, so that no window's own norm is a
    denominator: a window of unknown tokens only (``S = 0``) adds its error
    and nothing else, and a window of tiny semantics weighs as little as it
    holds. NaN when every window's semantics is zero.
    """
    target_unit, target_norm = _unit_rows(target)
    largest = target_norm.max(initial=0.0)
    if not largest > 0:
        return float("nan"), float("nan")
    # Norms relative to the largest, so that their sums cannot overflow.
    weight = target_norm / largest
    estimate = np.broadcast_to(estimate, target.shape)
    _, error_norm = _unit_rows(target - estimate)
    # A zero estimate has no direction: cosine 0 rather than undefined.
    cosine = np.einsum("nd,nd->n", target_unit, _unit_rows(estimate)[0])
    total = weight.sum()
    return (
        float(np.sum(error_norm / largest) / total),
        float(weight @ cosine / total),
    )


def _skill(target, estimate):
    """``1 - MSE(estimate) / MSE(mean of target)``, scale-free; NaN where the
    semantics do not vary across windows beyond rounding."""
    scale = np.abs(target).max(initial=0.0)
    if not scale > 0:
        return float("nan")
    target, estimate = target / scale, estimate / scale
    memoryless = np.sum((target - target.mean(axis=0)) ** 2)
    if not memoryless > _NO_SPREAD * np.sum(target**2):
        return float("nan")
    return float(1.0 - np.sum((target - estimate) ** 2) / memoryless)


@_fill_docs
def last_step_profile(
    points: ArrayLike,
    last_predicted: ArrayLike,
    *,
    composition: str = "sum",
    last_states: ArrayLike | None = None,
    threshold: float = 0.5,
    alpha: float = 0.025,
    confidence: float = 0.95,
    random_state: RandomStateLike = 0,
    groups: ArrayLike | None = None,
) -> MemoryProfile:
    """Every memory indicator from the model's points at the windows' last step.

    The one entry through which the estimators, the scorers and the studies
    measure memory: it needs the evaluated windows and, for each, the model's
    point ``S^_T`` (and optionally its hidden state) at step ``T``, the longest
    window length, only; windows shorter than ``T`` are skipped. Arrays are read
    in chunks, so the memory used beyond the inputs is bounded.

    Parameters
    ----------
    points : array-like of shape (n, L, d)
        Semantic points of the evaluated windows, NaN-padded at the end;
        zero points are unknown tokens.
    last_predicted : array-like of shape (n, d)
        ``S^_T`` of each window; rows of windows shorter than ``T`` are ignored.
    %(composition)s
    last_states : array-like of shape (n, H), default=None
        The hidden states at ``T``, for ``probe_capacity`` and
        ``probe_baseline``; None leaves them NaN.
    %(profile_options)s
    %(groups)s

    Returns
    -------
    profile : MemoryProfile
        Every indicator, read at the windows' last step.
    """
    threshold, alpha, confidence, rng = _check_options(
        composition, threshold, alpha, confidence, random_state
    )
    points = check_sequences(points, name="points", dtype=_float_type(points))
    last_predicted = np.asarray(last_predicted)
    if last_predicted.shape != (points.shape[0], points.shape[2]):
        raise ValueError(
            f"last_predicted must have shape (n, d) = "
            f"{(points.shape[0], points.shape[2])}; got {last_predicted.shape}."
        )
    groups = check_groups(groups, points.shape[0], of="window")
    return _profile(
        points,
        last_predicted,
        composition,
        last_states,
        threshold=threshold,
        alpha=alpha,
        confidence=confidence,
        rng=rng,
        groups=groups,
    )


def _float_type(X):
    """float32 arrays stay float32 (half the memory); all else float64."""
    return np.float32 if getattr(X, "dtype", None) == np.float32 else np.float64


def _check_options(composition, threshold, alpha, confidence, random_state):
    """The options every profile takes, checked: ``threshold``, ``alpha``,
    ``confidence`` as floats and ``random_state`` as a ``RandomState``."""
    threshold = check_threshold(threshold)
    check_composition(composition)
    alpha = check_real(alpha, "alpha", low=0.0, high=1.0)
    confidence = check_real(confidence, "confidence", low=0.0, high=1.0)
    return threshold, alpha, confidence, check_random_state(random_state)


def _profile(
    points,
    last_predicted,
    composition,
    last_states,
    *,
    threshold,
    alpha,
    confidence,
    rng,
    groups,
):
    lengths = valid_steps(points).sum(axis=1)
    if not lengths.any():
        raise ValueError(_ALL_PADDING)
    step = int(lengths.max())
    rows = np.flatnonzero(lengths == step)
    _check_floor(rows, groups, step, points.shape[2])
    final = np.asarray(last_predicted[rows], dtype=np.float64)
    if not np.isfinite(final).all():
        raise ValueError(
            "The model's semantic points at the last step must be finite; got NaN "
            "or infinity."
        )
    regression, rows, target = regress_last_step(
        points, last_predicted, composition, lengths, groups
    )
    curve, stderr = regression.retention, regression.stderr
    if not np.isfinite(curve).any():
        raise ValueError(
            "Retention is undefined on these windows: at every position all "
            "windows that reach the last step hold the same token point, so no "
            "lag's effect can be told apart. Evaluate on more varied sequences."
        )
    # One stream each, so that the probe's split does not hang on how many
    # draws the interval takes.
    interval_rng, probe_rng = (
        np.random.RandomState(seed) for seed in rng.randint(2**31 - 1, size=2)
    )
    estimate = estimate_capacity(
        curve,
        regression.covariance,
        df=regression.n_clusters - 1,
        alpha=alpha,
        confidence=confidence,
        rng=interval_rng,
    )
    held = estimate.retained
    # On every lag's credit, significant or not, so that it moves continuously.
    span, span_start = memory_span(curve, threshold=threshold)

    error, similarity = _semantic_scores(target, final)
    memoryless = target.mean(axis=0)
    baseline_error, baseline_similarity = _semantic_scores(target, memoryless)

    probe_capacity = probe_baseline = float("nan")
    if last_states is not None:
        states = np.asarray(last_states, dtype=np.float64)[rows]
        probe_capacity, probe_baseline = probe_last_step(
            points, states, rng=probe_rng, rows=rows, step=step
        )

    return MemoryProfile(
        retention_curve=curve,
        retention_stderr=stderr,
        retained=held,
        memory_capacity=estimate.capacity,
        memory_capacity_ci=estimate.interval,
        memory_span=span,
        span_start=span_start,
        memory_rate=estimate.capacity / step,
        semantic_skill=_skill(target, final),
        semantic_error=error,
        baseline_error=baseline_error,
        semantic_similarity=similarity,
        baseline_similarity=baseline_similarity,
        probe_capacity=probe_capacity,
        probe_baseline=probe_baseline,
        probe_net_capacity=probe_capacity - probe_baseline,
        window_length=step,
        n_windows=int(rows.size),
        n_clusters=regression.n_clusters,
        explained_share=regression.explained_share,
        threshold=threshold,
        alpha=alpha,
    )


def _check_floor(rows, groups, step, n_dims):
    """Refuse windows whose clusters at ``T`` are fewer than the floor."""
    floor = min_clusters(step, n_dims)
    if groups is None:
        clusters, kind = rows.size, "window(s)"
    else:
        clusters, kind = np.unique(groups[rows]).size, "group(s) of windows"
    if clusters < floor:
        raise ValueError(
            f"Only {clusters} {kind} reach step T = {step}, the longest window "
            f"length; the indicators need at least {floor} at T = {step} and "
            f"d = {n_dims} (fewer give chance retention the look of memory). "
            "Evaluate on shorter windows (a smaller eval_len) or more sequences."
        )


def _check_pair(points, predicted):
    points = check_sequences(points, name="points", dtype=_float_type(points))
    predicted = check_sequences(
        predicted, name="predicted", dtype=_float_type(predicted)
    )
    if predicted.shape != points.shape:
        raise ValueError(
            f"predicted must have the shape of points {points.shape}; got "
            f"{predicted.shape}."
        )
    valid = valid_steps(points)
    if not valid.any():
        raise ValueError(_ALL_PADDING)
    missing = valid & np.isnan(predicted).all(axis=2)
    if missing.any():
        i, t = np.argwhere(missing)[0]
        raise ValueError(
            f"predicted[{i}, {t}] is NaN where points holds a valid token; the "
            "model's semantic points must be defined at every valid step."
        )
    return points, predicted, valid


def _last_rows(predicted, valid):
    """Each window's value at its last valid step, ``(n, ...)``."""
    last = np.maximum(valid.sum(axis=1) - 1, 0)
    return predicted[np.arange(predicted.shape[0]), last]


@_fill_docs
def memory_profile(
    points: ArrayLike,
    predicted: ArrayLike,
    *,
    composition: str = "sum",
    states: ArrayLike | None = None,
    threshold: float = 0.5,
    alpha: float = 0.025,
    confidence: float = 0.95,
    random_state: RandomStateLike = 0,
    groups: ArrayLike | None = None,
) -> MemoryProfile:
    """Compute every memory indicator of a model on evaluated windows.

    Parameters
    ----------
    %(windows)s
    states : array-like of shape (n, T, H), default=None
        The model's hidden states, for ``probe_capacity``.
    %(profile_options)s
    %(groups)s

    Returns
    -------
    profile : MemoryProfile
        All indicators; see :class:`MemoryProfile`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory.indicators import memory_profile
    >>> rng = np.random.default_rng(0)
    >>> points = np.eye(5)[rng.integers(0, 5, size=(50, 4))]
    >>> keep_last_two = np.cumsum(points, axis=1)
    >>> keep_last_two[:, 2:] -= np.cumsum(points, axis=1)[:, :-2]
    >>> profile = memory_profile(points, keep_last_two)
    >>> round(profile.memory_capacity, 6), profile.memory_span, profile.span_start
    (2.0, 2.0, 0.0)
    """
    _check_options(composition, threshold, alpha, confidence, random_state)
    points, predicted, valid = _check_pair(points, predicted)
    last_states = None
    if states is not None:
        states = np.asarray(states, dtype=np.float64)
        if states.ndim != 3 or states.shape[:2] != points.shape[:2]:
            raise ValueError(
                f"states must have shape (n, T, H) with (n, T) = "
                f"{points.shape[:2]}; got {states.shape}."
            )
        last_states = _last_rows(states, valid)
    # The indicators read only each window's last step: the one entry.
    return last_step_profile(
        points,
        _last_rows(predicted, valid),
        composition=composition,
        last_states=last_states,
        threshold=threshold,
        alpha=alpha,
        confidence=confidence,
        random_state=random_state,
        groups=groups,
    )


@_fill_docs
def retention_curve(
    points: ArrayLike, predicted: ArrayLike, *, composition: str = "sum"
) -> np.ndarray:
    """Retention ``r(delta)`` of the token ``delta`` steps back, at the last step.

    The model's point at the windows' last step ``T`` is regressed, across the
    windows that reach ``T``, on the points of the tokens read (centred per
    lag), all lags at once, with a free intercept vector; ``r(delta)`` is the
    coefficient of lag ``delta``. Exact for any output linear in its tokens:
    keeping the last ``m`` tokens gives 1 for ``delta < m`` and 0 beyond,
    whatever is output in place of the others.

    %(parameters_windows)s

    Returns
    -------
    curve : ndarray of shape (T,)
        ``curve[delta]`` for ``delta = 0 .. T - 1``; NaN at a lag the windows
        do not identify.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory.indicators import retention_curve
    >>> rng = np.random.default_rng(0)
    >>> points = np.eye(4)[rng.integers(0, 4, size=(30, 3))]
    >>> decay = points[:, 2] + 0.5 * points[:, 1] + 0.25 * points[:, 0]
    >>> predicted = np.cumsum(points, axis=1)
    >>> predicted[:, 2] = decay
    >>> retention_curve(points, predicted).round(6)
    array([1.  , 0.5 , 0.25])
    """
    check_composition(composition)
    points, predicted, valid = _check_pair(points, predicted)
    regression, _, _ = regress_last_step(
        points, _last_rows(predicted, valid), composition, valid.sum(axis=1)
    )
    return regression.retention


@_fill_docs
def retention_matrix(
    points: ArrayLike, predicted: ArrayLike, *, composition: str = "sum"
) -> np.ndarray:
    """Retention ``r_t(t - p)`` at every reading step ``t``.

    One regression per step ``t`` (as :func:`retention_curve` does at the last
    step), over the windows that reach ``t``.

    %(parameters_windows)s

    Returns
    -------
    matrix : ndarray of shape (T, T)
        ``matrix[t, p]`` (0-based steps and positions): the retention of the
        token at position ``p`` after reading step ``t``; NaN above the
        diagonal.
    """
    check_composition(composition)
    points, predicted, _ = _check_pair(points, predicted)
    return regress_every_step(points, predicted, composition)


__all__ = [
    "INDICATORS",
    "MemoryProfile",
    "credit",
    "last_step_profile",
    "memory_profile",
    "retention_curve",
    "retention_matrix",
]
