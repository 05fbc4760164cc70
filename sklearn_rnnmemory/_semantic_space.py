"""The Semantic Euclidean Space: every token a point in R^d (definitions §3.1).

The transformer; how it reads token sequences and vocabularies is in
:mod:`._tokens`, how tokens become points in :mod:`._bases`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any, cast

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._bases import BASES, as_numbers, generated_points, user_points
from ._docstring import Substitution, parameter_snippets
from ._tokens import fixed_vocabulary, learn_vocabulary, read_sequences
from ._typing import ArrayLike, RandomStateLike
from ._validation import check_memory, check_random_state, is_positive_int

_POSITIVE_INT = Interval(Integral, 1, None, closed="left")

#: The sequences the transformer reads, as every method takes them.
_SEQUENCES = parameter_snippets(
    "X",
    "X : list of str, list of token sequences, or 2-D int array\n"
    "    Sequences, read as in :meth:`fit`.",
)


@Substitution(**_SEQUENCES)
class SemanticEuclideanSpace(
    TransformerMixin,
    BaseEstimator,
    # scikit-learn's set_output mixin takes it; scikit-learn ships no types.
    auto_wrap_output_keys=None,  # type: ignore[call-arg]
):
    """Map token sequences to semantic points in a Euclidean space.

    Every vocabulary token gets a point ``e`` in ``R^d``; a sequence becomes the
    ``(T, d)`` array of its tokens' points. Sequences of unequal length are
    NaN-padded at the end, so their lengths survive every Pipeline step.

    Parameters
    ----------
    basis : {"onehot", "orthogonal", "random", "cooccurrence"}, ndarray or \
            mapping, default="onehot"
        How tokens become points:

        - ``"onehot"``: the exact axes, ``d = |V|``;
        - ``"orthogonal"``: random orthonormal rows, ``d >= |V|``;
        - ``"random"``: i.i.d. Gaussian rows scaled to unit norm (nearly
          orthogonal), any ``d``;
        - ``"cooccurrence"``: learned from the fitted corpus, positive PMI of
          co-occurrence counts within ``context_size`` tokens, then truncated
          SVD, rows scaled to unit norm; a token with no context gets the zero
          point;
        - an array of shape ``(|V|, d)``: row ``i`` is the point of
          ``vocabulary[i]`` (of token ``i`` if ``vocabulary`` is None);
        - a mapping token -> vector.
    dim : int, default=None
        Dimension ``d``. ``None``: ``|V|`` for ``onehot`` and ``orthogonal``,
        ``min(64, |V|)`` for ``random`` and ``cooccurrence``. Must equal
        ``|V|`` for ``onehot``; ignored for user-given points.
    vocabulary : sequence of hashable or mapping, default=None
        A fixed vocabulary, in row order, or a mapping token -> row index
        ``0 .. |V| - 1`` (as scikit-learn's ``CountVectorizer`` takes it).
        ``None`` learns it from the data passed to ``fit`` (in order of first
        appearance), or takes it from a mapping ``basis``.
    tokenizer : callable, default=None
        Splits a string into a list of tokens; ``None`` uses lower-cased words.
        Used only for sequences given as strings: the items of a list, or the
        cells of a 2-D array with a single column of strings (a one-column
        DataFrame of texts).
    min_count : int, default=1
        Tokens seen fewer times in ``fit`` are left out of a learned vocabulary.
    max_vocab : int, default=None
        Keep only the ``max_vocab`` most frequent tokens of a learned
        vocabulary (ties: first seen first).
    context_size : int, default=2
        Co-occurrence window, in tokens on each side, for ``"cooccurrence"``;
        a window wider than the longest sequence counts every pair of a
        sequence, as that sequence's length would.
    pad_value : int, str or None, default=-1
        In a 2-D array of tokens, the value that marks padding at the end of a
        row. NaN and None also do, and so does the empty string in an array of
        strings or objects (a DataFrame of ragged rows). Any other value is a
        token: a float array is read as token ids, not as real-valued inputs.
    handle_unknown : {"error", "ignore"}, default="error"
        A token outside the vocabulary raises a ValueError naming it, or (with
        ``"ignore"``) becomes the zero point, which the indicators skip.
    random_state : int, RandomState instance or None, default=None
        Seeds the ``orthogonal``, ``random`` and ``cooccurrence`` bases.

    Attributes
    ----------
    vocabulary_ : dict
        Token -> row index in ``points_``.
    tokens_ : ndarray of shape (n_tokens,), dtype=object
        The tokens in row order.
    points_ : ndarray of shape (n_tokens, d)
        The token points.
    dim_ : int
        Dimension ``d`` of the space.

    See Also
    --------
    sklearn_rnnmemory.indicators.memory_profile : Indicators measured in the space.

    Examples
    --------
    >>> from sklearn_rnnmemory import SemanticEuclideanSpace
    >>> space = SemanticEuclideanSpace().fit(["the cat sat", "the dog"])
    >>> space.transform(["the dog sat"]).shape
    (1, 3, 4)
    >>> space.transform(["the cat", "dog"])[1, :, 0]
    array([ 0., nan], dtype=float32)
    >>> space.nearest_tokens(space.points_[[1]])
    array([['cat']], dtype=object)
    """

    def __init__(
        self,
        basis: str | ArrayLike | Mapping[Hashable, ArrayLike] = "onehot",
        *,
        dim: int | None = None,
        vocabulary: Sequence[Hashable] | Mapping[Hashable, int] | None = None,
        tokenizer: Callable[[str], list[Hashable]] | None = None,
        min_count: int = 1,
        max_vocab: int | None = None,
        context_size: int = 2,
        pad_value: float | str | None = -1,
        handle_unknown: str = "error",
        random_state: RandomStateLike = None,
    ) -> None:
        self.basis = basis
        self.dim = dim
        self.vocabulary = vocabulary
        self.tokenizer = tokenizer
        self.min_count = min_count
        self.max_vocab = max_vocab
        self.context_size = context_size
        self.pad_value = pad_value
        self.handle_unknown = handle_unknown
        self.random_state = random_state

    # -- input --------------------------------------------------------------

    _parameter_constraints: dict = {
        "basis": [StrOptions(set(BASES)), "array-like", "sparse matrix", Mapping],
        "dim": [_POSITIVE_INT, None],
        "vocabulary": ["array-like", Mapping, None],
        "tokenizer": [callable, None],
        "min_count": [_POSITIVE_INT],
        "max_vocab": [_POSITIVE_INT, None],
        "context_size": [_POSITIVE_INT],
        "pad_value": [Real, str, None],
        "handle_unknown": [StrOptions({"error", "ignore"})],
        "random_state": ["random_state"],
    }

    def _sequences(self, X):
        """Read X as a list of token lists; every token hashable."""
        return read_sequences(X, self.tokenizer, self.pad_value)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: None = None) -> SemanticEuclideanSpace:
        """Learn the vocabulary and the token points.

        Parameters
        ----------
        X : list of str, list of token sequences, or 2-D int array
            The corpus. Strings are split by ``tokenizer``; rows of an integer
            array end in ``pad_value`` padding.
        y : None
            Ignored.

        Returns
        -------
        self : SemanticEuclideanSpace
            The fitted space.
        """
        # A fixed vocabulary and a basis of the user's own are checked before
        # the corpus is read.
        tokens = fixed_vocabulary(self.vocabulary)
        points = None
        if not isinstance(self.basis, str):
            tokens, points = user_points(self.basis, tokens)
        sequences = self._sequences(X)
        if points is None:
            if tokens is None:
                tokens = learn_vocabulary(sequences, self.min_count, self.max_vocab)
            rng = check_random_state(self.random_state)
            points = generated_points(
                cast(str, self.basis),  # a user's basis gave its points above
                tokens,
                sequences,
                dim=self.dim,
                context_size=self.context_size,
                rng=rng,
            )
        assert tokens is not None  # the fixed, the user's or the learnt ones
        vocabulary = {}
        for i, token in enumerate(tokens):
            if token in vocabulary:
                raise ValueError(f"Token {token!r} appears twice in the vocabulary.")
            vocabulary[token] = i
        self.vocabulary_ = vocabulary
        self.tokens_ = np.empty(len(tokens), dtype=object)
        self.tokens_[:] = tokens
        self.points_ = np.asarray(points, dtype=np.float64)
        self.dim_ = int(self.points_.shape[1])
        return self

    # -- transform ----------------------------------------------------------

    def transform(self, X: Any) -> np.ndarray:
        """Map sequences to their tokens' semantic points.

        %(parameters_X)s

        Returns
        -------
        points : ndarray of shape (n, T, d), dtype float32
            Token points, ``T`` the longest sequence, NaN-padded at the end.
            Unknown tokens are zero points under ``handle_unknown="ignore"``.
        """
        ids = self.token_ids(X)
        check_memory(
            ids.size * self.dim_ * 4,
            f"The points of X, {ids.shape[0]} sequences of up to {ids.shape[1]} "
            f"tokens, in dim_={self.dim_} dimensions",
            "transform the sequences in smaller batches.",
        )
        table = np.vstack(
            [self.points_, np.zeros(self.dim_), np.full(self.dim_, np.nan)]
        ).astype(np.float32)
        # Unknown (id |V|) maps to the zero row, padding (-1) to the NaN row.
        return table[np.where(ids >= 0, ids, len(self.tokens_) + 1)]

    def token_ids(self, X: Any) -> np.ndarray:
        """Map sequences to the row indices of their tokens in ``points_``.

        The ids suit :class:`~sklearn_rnnmemory.RecurrentLanguageModel`.

        %(parameters_X)s

        Returns
        -------
        ids : ndarray of shape (n, T), dtype int64
            Token ids, padded with -1 at the end. Under
            ``handle_unknown="ignore"`` an unknown token gets the id ``|V|``
            (one past the vocabulary).
        """
        check_is_fitted(self)
        sequences = self._sequences(X)
        width = max((len(s) for s in sequences), default=0)
        ids = np.full((len(sequences), width), -1, dtype=np.int64)
        unknown = len(self.tokens_)
        for i, seq in enumerate(sequences):
            row = [self.vocabulary_.get(token, unknown) for token in seq]
            if self.handle_unknown == "error" and unknown in row:
                token = seq[row.index(unknown)]
                raise ValueError(
                    f"Token {token!r} in X[{i}] is not in the vocabulary; set "
                    "handle_unknown='ignore' to map unknown tokens to the zero point."
                )
            ids[i, : len(row)] = row
        return ids

    def nearest_tokens(self, points: ArrayLike, k: int = 1) -> np.ndarray:
        """Return the vocabulary tokens closest to semantic points.

        Parameters
        ----------
        points : array-like of shape (..., d)
            Semantic points; NaN rows (padding) give ``None``.
        k : int, default=1
            Number of tokens per point, nearest first.

        Returns
        -------
        tokens : ndarray of shape (..., k), dtype=object
            The ``k`` nearest tokens by Euclidean distance.
        """
        check_is_fitted(self)
        points = as_numbers(points, "points")
        if points.ndim == 0 or points.shape[-1] != self.dim_:
            raise ValueError(
                f"points must have {self.dim_} values on the last axis (the space's "
                f"dim_); got shape {points.shape}."
            )
        if not is_positive_int(k) or k > len(self.tokens_):
            raise ValueError(
                f"k must be an integer in [1, {len(self.tokens_)}] (the vocabulary "
                f"size); got {k!r}."
            )
        if np.isinf(points).any():
            raise ValueError("points contains infinity; NaN rows give None.")
        flat = points.reshape(-1, self.dim_)
        missing = np.isnan(flat).any(axis=1)
        flat = np.where(missing[:, None], 0.0, flat)
        # A point so far out that its squared distances overflow is equally
        # far from every token at float64 precision: inf, never NaN, so that
        # the order stays defined.
        with np.errstate(over="ignore", invalid="ignore"):
            distance = (
                np.einsum("nd,nd->n", flat, flat)[:, None]
                - 2.0 * flat @ self.points_.T
                + np.einsum("vd,vd->v", self.points_, self.points_)[None, :]
            )
        distance[np.isnan(distance)] = np.inf
        nearest = np.argpartition(distance, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(distance, nearest, axis=1).argsort(
            axis=1, kind="stable"
        )
        nearest = np.take_along_axis(nearest, order, axis=1)
        out = self.tokens_[nearest]
        out[missing] = None
        return out.reshape(points.shape[:-1] + (k,))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = True
        tags.input_tags.allow_nan = True  # NaN pads rows of a float array
        tags.transformer_tags.preserves_dtype = []
        return tags
