"""All memory indicators of DESIGN 3.5 at once, from one retention pass."""

from dataclasses import dataclass, fields

import numpy as np

from .._validation import check_threshold
from ._retention import _by_lag, _nanmean, _RetentionTerms

#: Indicator names with whether greater is better, in report order.
INDICATORS = {
    "memory_capacity": True,
    "memory_span": True,
    "memory_rate": True,
    "semantic_error": False,
    "semantic_similarity": True,
    "token_recall": True,
}


@dataclass(frozen=True)
class MemoryProfile:
    """The memory indicators of a model on a set of evaluated windows.

    Attributes
    ----------
    retention_curve : ndarray of shape (T,)
        ``r(delta)``, mean retention of the token ``delta`` steps back at each
        window's last step.
    memory_capacity : float
        ``sum_delta clip(r(delta), 0, 1)``: token-equivalents of semantics
        retained (best: ``T``).
    memory_span : int
        Smallest lag with ``r(delta) < threshold``, or ``T`` if none: how many
        recent tokens are held at or above the threshold.
    memory_rate : float
        ``memory_capacity / T`` (best: 1).
    semantic_error : float
        Mean ``||S_T - S^_T|| / ||S_T||`` over windows (best: 0).
    semantic_similarity : float
        Mean cosine of ``S^_T`` and ``S_T`` over windows (best: 1).
    token_recall : float
        Mean over windows of the share of tokens with ``a_{T,p} >= threshold``
        (best: 1).
    window_length : int
        ``T``, the longest evaluated window.
    n_windows : int
        Number of evaluated windows.
    threshold : float
        The threshold ``tau`` used by ``memory_span`` and ``token_recall``.
    """

    retention_curve: np.ndarray
    memory_capacity: float
    memory_span: int
    memory_rate: float
    semantic_error: float
    semantic_similarity: float
    token_recall: float
    window_length: int
    n_windows: int
    threshold: float

    def to_dict(self):
        """Return the profile as a dict; the curve as a list of floats."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["retention_curve"] = [float(v) for v in self.retention_curve]
        return out


def _unit_rows(X):
    """Rows scaled to unit norm (zero rows stay zero), and the rows' norms;
    rescaled by their largest entry first, so that tiny rows do not underflow."""
    largest = np.abs(X).max(axis=1, keepdims=True)
    largest = np.where(largest > 0, largest, 1.0)
    X = X / largest
    norm = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norm > 0, norm, 1.0), (norm * largest)[:, 0]


def _ratio_mean(numerator, denominator):
    usable = denominator > 0
    if not usable.any():
        return float("nan")
    return float(np.mean(numerator[usable] / denominator[usable]))


def memory_profile(points, predicted, *, composition="sum", threshold=0.5):
    """Compute every memory indicator of a model on evaluated windows.

    Parameters
    ----------
    points : array-like of shape (n, T, d) or (n, T)
        Semantic points ``e_p`` of the evaluated windows, NaN-padded at the end.
    predicted : array-like of shape (n, T, d) or (n, T)
        The model's semantic points ``S^_t``; must be finite at every valid step.
    composition : {"sum", "mean"}, default="sum"
        How a sequence's semantics is composed from its tokens' points.
    threshold : float in (0, 1], default=0.5
        ``tau`` for ``memory_span`` and ``token_recall``.

    Returns
    -------
    profile : MemoryProfile
        All indicators; see :class:`MemoryProfile`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory.indicators import memory_profile
    >>> points = np.eye(4)[[[0, 1, 2, 3], [3, 2, 1, 0]]]
    >>> profile = memory_profile(points, np.cumsum(points, axis=1))
    >>> round(profile.memory_capacity, 6), profile.memory_span
    (4.0, 4)
    """
    threshold = check_threshold(threshold)
    return _profile(_RetentionTerms(points, predicted, composition), threshold)


def profile_and_matrix_of_windows(windows, predicted, composition, threshold):
    """:func:`memory_profile` and :func:`retention_matrix` of windows the
    library cut and read itself, from one set of retention terms.

    The windows come from validated input and the predictions from the model, so
    the checks on both arrays are skipped; the indicators are the same.
    """
    threshold = check_threshold(threshold)
    terms = _RetentionTerms(windows, predicted, composition, checked=True)
    return _profile(terms, threshold), _nanmean(terms.all_steps(), axis=0)


class _FinalStep:
    """Final-step terms of several batches of windows, put together; reads like
    the final-step side of ``_RetentionTerms``."""

    def __init__(self, parts):
        finals, lengths, semantics, predicted = zip(*parts, strict=True)
        width = max(final.shape[1] for final in finals)
        self._final = np.concatenate(
            [
                np.pad(
                    final, ((0, 0), (0, width - final.shape[1])), constant_values=np.nan
                )
                for final in finals
            ]
        )
        self.lengths = np.concatenate(lengths)
        self.last_semantics = np.concatenate(semantics)
        self._last_predicted = np.concatenate(predicted)

    def final_step(self):
        return self._final

    def last_predicted(self):
        return self._last_predicted


def streamed_profile(batches, token_stats, composition, threshold):
    """:func:`memory_profile` over batches of windows the library cut and read.

    Parameters
    ----------
    batches : iterable of (windows, predicted)
        Windows and the model's points, batch by batch, so that no more than one
        batch of predictions is held at once.
    token_stats : tuple
        ``(mu, scale)`` of all evaluated windows, from
        :func:`~sklearn_rnnmemory.indicators._retention.token_statistics`.
    composition : {"sum", "mean"}
        Composition rule.
    threshold : float in (0, 1]
        ``tau`` of memory span and token recall.

    Returns
    -------
    profile : MemoryProfile
        Equal to :func:`memory_profile` of all the windows at once.
    """
    threshold = check_threshold(threshold)
    parts = []
    for windows, predicted in batches:
        terms = _RetentionTerms(
            windows, predicted, composition, checked=True, token_stats=token_stats
        )
        parts.append(
            (
                terms.final_step(),
                terms.lengths,
                terms.last_semantics,
                terms.last_predicted(),
            )
        )
    if not parts:
        raise ValueError("There is no window to evaluate: every sequence is padding.")
    return _profile(_FinalStep(parts), threshold)


def _profile(terms, threshold):
    final = terms.final_step()
    curve = _nanmean(_by_lag(final, terms.lengths), axis=0)
    window_length = curve.shape[0]

    capacity = float(np.nansum(np.clip(curve, 0.0, 1.0)))
    below = np.flatnonzero(curve < threshold)
    span = int(below[0]) if below.size else window_length

    target = terms.last_semantics
    estimate = terms.last_predicted()
    has_steps = terms.lengths > 0
    if not has_steps.all():
        target, estimate = target[has_steps], estimate[has_steps]
    target_unit, target_norm = _unit_rows(target)
    error = _ratio_mean(np.linalg.norm(target - estimate, axis=1), target_norm)
    # A zero estimate has no direction: cosine 0 rather than undefined.
    cosine = np.einsum("nd,nd->n", target_unit, _unit_rows(estimate)[0])
    similarity = (
        float(np.mean(cosine[target_norm > 0]))
        if (target_norm > 0).any()
        else float("nan")
    )

    defined = ~np.isnan(final)
    recalled = (final >= threshold).sum(axis=1)  # NaN compares False
    recall = _ratio_mean(recalled.astype(float), defined.sum(axis=1).astype(float))

    return MemoryProfile(
        retention_curve=curve,
        memory_capacity=capacity,
        memory_span=span,
        memory_rate=capacity / window_length if window_length else float("nan"),
        semantic_error=error,
        semantic_similarity=similarity,
        token_recall=recall,
        window_length=window_length,
        n_windows=int(has_steps.sum()),
        threshold=threshold,
    )


def retention_matrix(points, predicted, *, composition="sum"):
    """Mean token retention ``a_{t,p}`` over windows, for every ``t`` and ``p``.

    Parameters
    ----------
    points : array-like of shape (n, T, d) or (n, T)
        Semantic points ``e_p`` of the evaluated windows, NaN-padded at the end.
    predicted : array-like of shape (n, T, d) or (n, T)
        The model's semantic points ``S^_t``.
    composition : {"sum", "mean"}, default="sum"
        How a sequence's semantics is composed from its tokens' points.

    Returns
    -------
    matrix : ndarray of shape (T, T)
        ``matrix[t, p]`` (0-based steps); NaN above the diagonal. Memory is
        ``O(n T^2)``.
    """
    terms = _RetentionTerms(points, predicted, composition)
    return _nanmean(terms.all_steps(), axis=0)
