"""Token sequences and vocabularies: what the Semantic Euclidean Space reads.

Sequences come as lists of texts, lists of token lists or 2-D arrays of
tokens padded at the end of each row; :func:`read_sequences` reads them all as
lists of hashable tokens. A vocabulary is fixed by the user
(:func:`fixed_vocabulary`) or learned from the sequences
(:func:`learn_vocabulary`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from numbers import Real
from typing import Any

import numpy as np

from ._text import word_tokenize
from ._validation import check_not_sparse, untensor


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


def is_hashable(token: Any) -> bool:
    # isinstance(token, Hashable) passes a tuple that holds a list.
    try:
        hash(token)
    except TypeError:
        return False
    return True


def _is_nan(value):
    return isinstance(value, float | np.floating) and math.isnan(value)


def read_sequences(X: Any, tokenizer: Any = None, pad_value: Any = -1) -> list[list]:
    """Read ``X`` as a list of token lists, every token hashable.

    Strings are split by ``tokenizer`` (lower-cased words if None); rows of a
    2-D array of tokens end in padding: NaN, None, an empty string or
    ``pad_value`` (see :class:`~sklearn_rnnmemory.SemanticEuclideanSpace`).
    """
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
        X = _array_items(X, pad_value)
        if isinstance(X, list) and X and isinstance(X[0], list):
            return _hashable_sequences(X)
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
    tokenize = word_tokenize if tokenizer is None else tokenizer
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
    return _hashable_sequences(sequences)


def _hashable_sequences(sequences):
    """``sequences``, once every token is known to be usable as a key."""
    for i, seq in enumerate(sequences):
        for token in seq:
            if not is_hashable(token):
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


def _array_items(X, pad_value):
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
    return _array_rows(X, pad_value)


def _padding(X, pad_value):
    """Boolean mask of the padding cells of a 2-D array of tokens."""
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


def _array_rows(X, pad_value):
    """Rows of a 2-D array of tokens, each cut at its trailing padding."""
    if X.shape[0] == 0:
        raise ValueError(f"X holds no sequences (shape {X.shape}).")
    if X.shape[1] == 0:
        raise ValueError(
            f"X has 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
            "required: every sequence is empty."
        )
    if X.dtype.kind == "f" and np.isinf(X).any():
        raise ValueError("X contains infinity; only NaN or pad_value may pad a row.")
    pad = _padding(X, pad_value)
    later_token = np.flip(np.logical_or.accumulate(np.flip(~pad, 1), axis=1), 1)
    if (pad & later_token).any():
        i, t = np.argwhere(pad & later_token)[0]
        raise ValueError(
            f"X[{i}, {t}] is padding (NaN, None, an empty string or "
            f"pad_value={pad_value!r}) followed by a token; padding must "
            "come at the end of each row."
        )
    lengths = (~pad).sum(axis=1)
    return [row[:n].tolist() for row, n in zip(X, lengths, strict=True)]


def fixed_vocabulary(vocabulary: Any) -> list | None:
    """The tokens of a fixed ``vocabulary`` (a sequence of tokens, or a
    mapping token -> row index) in row order; None for None."""
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
            isinstance(i, int | np.integer) and not isinstance(i, bool) for i in indices
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
        if not is_hashable(token):
            raise TypeError(
                f"vocabulary[{i}] is {token!r:.40} of type "
                f"{type(token).__name__}, which is not hashable; tokens must be "
                "strings, numbers or other hashable values."
            )
        if token in seen:
            raise ValueError(f"Token {token!r} appears twice in the vocabulary.")
        seen.add(token)
    return tokens


def learn_vocabulary(
    sequences: list[list], min_count: int = 1, max_vocab: int | None = None
) -> list:
    """The tokens seen at least ``min_count`` times, in order of first
    appearance; the ``max_vocab`` most frequent of them if given."""
    counts = Counter(token for seq in sequences for token in seq)
    tokens = [t for t, c in counts.items() if c >= min_count]
    if max_vocab is not None and len(tokens) > max_vocab:
        # Counter keeps first-seen order, and sorted() is stable: ties stay so.
        tokens = sorted(tokens, key=lambda t: -counts[t])[:max_vocab]
        keep = set(tokens)
        tokens = [t for t in counts if t in keep]
    if not tokens:
        raise ValueError(
            f"No token is seen at least min_count={min_count} times in X; "
            "the vocabulary would be empty."
        )
    return tokens
