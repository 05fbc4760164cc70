"""The Semantic Euclidean Space: every token a point in R^d (definitions §3.1)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from numbers import Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.extmath import randomized_svd
from sklearn.utils.validation import check_is_fitted

from ._docstring import Substitution, parameter_snippets
from ._text import word_tokenize
from ._typing import ArrayLike, RandomStateLike
from ._validation import (
    check_memory,
    check_not_sparse,
    check_positive_int,
    check_random_state,
    is_positive_int,
    untensor,
)

BASES = ("onehot", "orthogonal", "random", "cooccurrence")
_DEFAULT_DIM = 64
# Context-distribution smoothing of PPMI (Levy, Goldberg & Dagan, 2015).
_CONTEXT_SMOOTHING = 0.75


def _is_number(value):
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


def _hashable(token):
    # isinstance(token, Hashable) passes a tuple that holds a list.
    try:
        hash(token)
    except TypeError:
        return False
    return True


def _is_nan(value):
    return isinstance(value, float | np.floating) and math.isnan(value)


def _numbers(values, name):
    """``values`` as a float64 array, or an error naming ``name``."""
    if sp.issparse(values):
        values = values.toarray()
    try:
        return np.asarray(untensor(values), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"{name} must hold numbers (the coordinates of token points); got "
            f"values that cannot be read as numbers: {exc}"
        ) from None


def _check_points_memory(n_tokens, dim, copies):
    check_memory(
        copies * n_tokens * dim * 8,
        f"The points of {n_tokens} tokens in {dim} dimensions (dim={dim})",
        "choose a smaller dim.",
    )


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

    def _sequences(self, X):
        """Read X as a list of token lists; every token hashable."""
        if isinstance(X, str | bytes):
            raise ValueError(
                "X must be a collection of sequences (e.g. a list of strings); got a "
                "single string."
            )
        check_not_sparse(X)
        X = untensor(X)
        if not isinstance(X, list | tuple | np.ndarray) and hasattr(X, "__array__"):
            X = np.asarray(X)  # a DataFrame, a Series, ...
        if isinstance(X, np.ndarray):
            X = self._array_items(X)
            if isinstance(X, list) and X and isinstance(X[0], list):
                return self._hashable(X)
        if isinstance(X, Mapping | set | frozenset):
            raise ValueError(
                f"X must be an ordered collection of sequences (a list, a tuple, "
                f"an array); got {type(X).__name__}."
            )
        try:
            items = list(X)
        except TypeError:
            raise ValueError(
                f"X must be a collection of sequences; got {type(X).__name__}."
            ) from None
        if not items:
            raise ValueError("X holds no sequences.")
        tokenize = word_tokenize if self.tokenizer is None else self.tokenizer
        sequences = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                tokens = tokenize(item)
                if isinstance(tokens, str | bytes) or not isinstance(tokens, Iterable):
                    raise TypeError(
                        f"tokenizer must return a list of tokens; it returned "
                        f"{type(tokens).__name__} {tokens!r:.40} for X[{i}]."
                    )
                sequences.append(list(tokens))
            elif isinstance(item, np.ndarray) and item.ndim == 1:
                sequences.append(item.tolist())
            elif isinstance(item, list | tuple):
                sequences.append(list(item))
            else:
                raise ValueError(
                    f"X[{i}] must be a string or a sequence of tokens; got "
                    f"{type(item).__name__}."
                )
        return self._hashable(sequences)

    @staticmethod
    def _hashable(sequences):
        """``sequences``, once every token is known to be usable as a key."""
        for i, seq in enumerate(sequences):
            for token in seq:
                if not _hashable(token):
                    raise TypeError(
                        f"X[{i}] holds the token {token!r:.40} of type "
                        f"{type(token).__name__}, which is not hashable; tokens "
                        "must be strings, numbers or other hashable values."
                    )
                if _is_nan(token):
                    raise ValueError(
                        f"X[{i}] holds NaN, which cannot be a token (it is not "
                        "equal to itself). NaN pads only the rows of a 2-D array, "
                        "at their end; drop it from a list of tokens."
                    )
        return sequences

    def _array_items(self, X):
        """An array's sequences: token lists for a 2-D array of tokens, the
        array itself where its items are sequences or texts."""
        if X.dtype.kind == "c":
            raise ValueError("Complex data not supported; tokens must be hashable ids.")
        if X.ndim == 0 or X.ndim > 2:
            raise ValueError(
                f"X must be a list of sequences or a 2-D array of token ids; got an "
                f"array of shape {X.shape}."
            )
        if X.ndim == 1:
            if X.dtype.kind in "iuf":
                raise ValueError(
                    "Expected a 2-D array of token ids or a list of sequences; got "
                    "a 1-D array of numbers. Reshape your data with "
                    "X.reshape(1, -1) if it holds a single sequence."
                )
            return X
        if (
            X.shape[1] == 1
            and X.dtype.kind in "OUS"
            and all(isinstance(cell, str) for cell in X[:, 0])
        ):
            # One column of texts (a one-column DataFrame): each cell is a
            # sequence to tokenize, as in a 1-D array, not a single token.
            return X[:, 0]
        return self._array_rows(X)

    def _padding(self, X):
        """Boolean mask of the padding cells of a 2-D array of tokens."""
        pad_value = self.pad_value
        if X.dtype.kind in "iufb":
            pad = np.zeros(X.shape, dtype=bool)
            if _is_number(pad_value):
                pad |= X == pad_value
            if X.dtype.kind == "f":
                pad |= np.isnan(X)
            return pad
        if X.dtype.kind in "US":
            empty = "" if X.dtype.kind == "U" else b""
            pad = X == empty
            if isinstance(pad_value, str | bytes):
                pad |= X == pad_value
            return pad

        def is_pad(cell):
            if cell is None or _is_nan(cell):
                return True
            if isinstance(cell, str | bytes) and not cell:
                return True
            if _is_number(cell) and _is_number(pad_value):
                return bool(cell == pad_value)
            both_text = isinstance(cell, str) and isinstance(pad_value, str)
            return both_text and cell == pad_value

        return np.frompyfunc(is_pad, 1, 1)(X).astype(bool)

    def _array_rows(self, X):
        """Rows of a 2-D array of tokens, each cut at its trailing padding."""
        if X.shape[0] == 0:
            raise ValueError(f"X holds no sequences (shape {X.shape}).")
        if X.shape[1] == 0:
            raise ValueError(
                f"X has 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
                "required: every sequence is empty."
            )
        if X.dtype.kind == "f" and np.isinf(X).any():
            raise ValueError(
                "X contains infinity; only NaN or pad_value may pad a row."
            )
        pad = self._padding(X)
        later_token = np.flip(np.logical_or.accumulate(np.flip(~pad, 1), axis=1), 1)
        if (pad & later_token).any():
            i, t = np.argwhere(pad & later_token)[0]
            raise ValueError(
                f"X[{i}, {t}] is padding (NaN, None, an empty string or "
                f"pad_value={self.pad_value!r}) followed by a token; padding must "
                "come at the end of each row."
            )
        lengths = (~pad).sum(axis=1)
        return [row[:n].tolist() for row, n in zip(X, lengths, strict=True)]

    # -- fit ----------------------------------------------------------------

    def _check_params(self):
        """Validate the parameters; return the fixed vocabulary's tokens (or
        None) and, for a user-given basis, its tokens and points."""
        if isinstance(self.basis, str) and self.basis not in BASES:
            raise ValueError(
                f"basis must be one of {BASES}, an array or a mapping; got "
                f"{self.basis!r}."
            )
        check_positive_int(self.dim, "dim", allow_none=True)
        check_positive_int(self.min_count, "min_count")
        check_positive_int(self.max_vocab, "max_vocab", allow_none=True)
        check_positive_int(self.context_size, "context_size")
        if self.handle_unknown not in ("error", "ignore"):
            raise ValueError(
                "handle_unknown must be 'error' or 'ignore'; got "
                f"{self.handle_unknown!r}."
            )
        if self.tokenizer is not None and not callable(self.tokenizer):
            raise ValueError(
                f"tokenizer must be callable or None; got {self.tokenizer!r}."
            )
        if not (self.pad_value is None or isinstance(self.pad_value, Real | str)):
            raise ValueError(
                f"pad_value must be a number, a string or None; got {self.pad_value!r}."
            )
        check_random_state(self.random_state)
        tokens = self._fixed_vocabulary()
        if isinstance(self.basis, str):
            return tokens, None
        return self._user_points(tokens)

    def _fixed_vocabulary(self):
        """The tokens of ``vocabulary`` in row order, or None."""
        vocabulary = self.vocabulary
        if vocabulary is None:
            return None
        if isinstance(vocabulary, str | bytes):
            raise TypeError(
                "vocabulary must be a sequence of tokens or a mapping token -> "
                f"index; got the string {vocabulary!r:.40}. Use "
                f"[{vocabulary!r:.20}] for a single token."
            )
        if isinstance(vocabulary, Mapping):
            indices = list(vocabulary.values())
            if not all(
                isinstance(i, int | np.integer) and not isinstance(i, bool)
                for i in indices
            ) or sorted(indices) != list(range(len(indices))):
                raise ValueError(
                    "A mapping vocabulary must map its tokens to the indices "
                    f"0 .. {len(indices) - 1}, each once; got the indices "
                    f"{sorted(indices, key=repr)[:10]!r}."
                )
            tokens = [None] * len(indices)
            for token, i in vocabulary.items():
                tokens[i] = token
        else:
            try:
                tokens = list(vocabulary)
            except TypeError:
                raise TypeError(
                    "vocabulary must be a sequence of tokens or a mapping token -> "
                    f"index; got {type(vocabulary).__name__}."
                ) from None
        if not tokens:
            raise ValueError("vocabulary is empty.")
        seen = set()
        for i, token in enumerate(tokens):
            if not _hashable(token):
                raise TypeError(
                    f"vocabulary[{i}] is {token!r:.40} of type "
                    f"{type(token).__name__}, which is not hashable; tokens must be "
                    "strings, numbers or other hashable values."
                )
            if token in seen:
                raise ValueError(f"Token {token!r} appears twice in the vocabulary.")
            seen.add(token)
        return tokens

    def _learn_vocabulary(self, sequences):
        counts = Counter(token for seq in sequences for token in seq)
        tokens = [t for t, c in counts.items() if c >= self.min_count]
        if self.max_vocab is not None and len(tokens) > self.max_vocab:
            # Counter keeps first-seen order, and sorted() is stable: ties stay so.
            tokens = sorted(tokens, key=lambda t: -counts[t])[: self.max_vocab]
            keep = set(tokens)
            tokens = [t for t in counts if t in keep]
        if not tokens:
            raise ValueError(
                f"No token is seen at least min_count={self.min_count} times in X; "
                "the vocabulary would be empty."
            )
        return tokens

    def _user_points(self, tokens):
        """Tokens and points of an array or mapping ``basis``."""
        if isinstance(self.basis, Mapping):
            if tokens is not None:
                missing = [t for t in tokens if t not in self.basis]
                if missing:
                    raise ValueError(
                        f"Token {missing[0]!r} of vocabulary has no point in basis."
                    )
            else:
                tokens = list(self.basis)
            rows = [_numbers(self.basis[t], f"basis[{t!r}]").ravel() for t in tokens]
            if len({r.shape for r in rows}) > 1:
                raise ValueError(
                    "Every vector of a mapping basis must have the same length."
                )
            points = np.stack(rows) if rows else np.empty((0, 0))
        else:
            points = _numbers(self.basis, "basis")
            if points.ndim != 2:
                raise ValueError(
                    "An array basis must have shape (|V|, d); got shape "
                    f"{points.shape}."
                )
            if tokens is None:
                tokens = list(range(points.shape[0]))
            elif len(tokens) != points.shape[0]:
                raise ValueError(
                    f"basis has {points.shape[0]} rows but vocabulary has "
                    f"{len(tokens)} tokens; row i must be the point of "
                    "vocabulary[i]."
                )
        if points.size == 0:
            raise ValueError("The basis holds no points.")
        if not np.isfinite(points).all():
            raise ValueError("The basis must hold finite values only.")
        if not points.any():
            raise ValueError(
                "basis gives every token the zero point, which marks an unknown "
                "token: nothing could be measured in this space."
            )
        # transform returns float32: a point must survive that cast.
        largest = np.abs(points).max()
        if largest > np.finfo(np.float32).max:
            raise ValueError(
                f"basis holds the value {largest:.3g}, beyond float32's range "
                f"(about 3.4e38), in which transform returns points; rescale basis."
            )
        vanishing = (points != 0).any(axis=1) & ~(points.astype(np.float32) != 0).any(
            axis=1
        )
        if vanishing.any():
            i = int(np.flatnonzero(vanishing)[0])
            raise ValueError(
                f"basis gives the token {tokens[i]!r} a point so small that it "
                "rounds to zero in float32, in which transform returns points (a "
                "zero point marks an unknown token); rescale basis."
            )
        return tokens, points

    def _generated_points(self, tokens, sequences, rng):
        n = len(tokens)
        basis = self.basis
        if basis in ("onehot", "orthogonal"):
            dim = n if self.dim is None else self.dim
            if basis == "onehot" and dim != n:
                raise ValueError(
                    f"basis='onehot' has dim equal to the vocabulary size ({n}); got "
                    f"dim={dim}. Leave dim=None or use basis='random'."
                )
            if dim < n:
                raise ValueError(
                    f"basis='orthogonal' needs dim >= the vocabulary size ({n}); got "
                    f"dim={dim}. Use basis='random' for a smaller space."
                )
            _check_points_memory(n, dim, copies=1 if basis == "onehot" else 3)
            if basis == "onehot":
                return np.eye(n)
            q, _ = np.linalg.qr(rng.standard_normal((dim, n)))
            return q.T
        dim = min(_DEFAULT_DIM, n) if self.dim is None else self.dim
        if basis == "random":
            _check_points_memory(n, dim, copies=2)
            rows = rng.standard_normal((n, dim))
            return rows / np.linalg.norm(rows, axis=1, keepdims=True)
        if dim > n:
            raise ValueError(
                f"basis='cooccurrence' has at most as many dimensions as tokens ({n}); "
                f"got dim={dim}."
            )
        return self._cooccurrence_points(tokens, sequences, dim, rng)

    def _cooccurrence_points(self, tokens, sequences, dim, rng):
        index = {t: i for i, t in enumerate(tokens)}
        n = len(tokens)
        # No pair lies further apart than the longest sequence allows: a wider
        # window counts the same pairs, so it is cut there, and neither the
        # gaps between sequences nor the loop over offsets grow with it.
        context = min(self.context_size, max(len(seq) for seq in sequences) - 1)
        gap = [-1] * context
        flat = []
        for seq in sequences:
            flat.extend(index.get(t, -1) for t in seq)
            flat.extend(gap)
        flat = np.asarray(flat, dtype=np.int64)
        rows, cols = [], []
        for offset in range(1, context + 1):
            a, b = flat[:-offset], flat[offset:]
            both = (a >= 0) & (b >= 0)
            rows.extend([a[both], b[both]])
            cols.extend([b[both], a[both]])
        rows = np.concatenate(rows) if rows else np.empty(0, np.int64)
        cols = np.concatenate(cols) if cols else np.empty(0, np.int64)
        counts = sp.coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n)).tocsr()
        counts.sum_duplicates()
        total = counts.sum()
        if total == 0:
            raise ValueError(
                "basis='cooccurrence' found no pair of tokens within context_size of "
                "each other; the corpus is too short."
            )
        word = np.asarray(counts.sum(axis=1)).ravel() / total
        context = np.asarray(counts.sum(axis=0)).ravel() ** _CONTEXT_SMOOTHING
        context /= context.sum()
        ppmi = counts.tocoo()
        pmi = np.log(ppmi.data / total / (word[ppmi.row] * context[ppmi.col]))
        ppmi = sp.csr_matrix((np.maximum(pmi, 0.0), (ppmi.row, ppmi.col)), shape=(n, n))
        ppmi.eliminate_zeros()
        if ppmi.nnz == 0:
            raise ValueError(
                "basis='cooccurrence' learned no point: no two tokens co-occur "
                "more often than chance (positive PMI is zero everywhere), as in "
                "a corpus of one repeated token. Use a larger, more varied corpus "
                "or another basis."
            )
        if dim >= n - 1 or n <= 500:
            _check_points_memory(n, n, copies=3)
            u, s, _ = np.linalg.svd(ppmi.toarray(), full_matrices=False)
            u, s = u[:, :dim], s[:dim]
        else:
            u, s, _ = randomized_svd(ppmi, dim, n_iter=7, random_state=rng)
        points = u * np.sqrt(s)
        norms = np.linalg.norm(points, axis=1, keepdims=True)
        return np.divide(points, norms, out=np.zeros_like(points), where=norms > 0)

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
        tokens, points = self._check_params()
        sequences = self._sequences(X)
        if points is None:
            if tokens is None:
                tokens = self._learn_vocabulary(sequences)
            rng = check_random_state(self.random_state)
            points = self._generated_points(tokens, sequences, rng)
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
        points = _numbers(points, "points")
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
