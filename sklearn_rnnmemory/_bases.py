"""The bases of the Semantic Euclidean Space: how tokens become points.

A built-in basis is generated (``onehot``, ``orthogonal``, ``random``) or
learned from the corpus (``cooccurrence``) by :func:`generated_points`; a
basis of the user's own, an array or a mapping, is checked by
:func:`user_points`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import randomized_svd

from ._validation import check_memory, untensor

#: The built-in bases, by name.
BASES = ("onehot", "orthogonal", "random", "cooccurrence")
_DEFAULT_DIM = 64
# Context-distribution smoothing of PPMI (Levy, Goldberg & Dagan, 2015).
_CONTEXT_SMOOTHING = 0.75


def as_numbers(values: Any, name: str) -> np.ndarray:
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


def user_points(basis: Any, tokens: list | None) -> tuple[list, np.ndarray]:
    """Tokens and points of an array or mapping ``basis``; ``tokens``: the
    fixed vocabulary, or None."""
    if isinstance(basis, Mapping):
        if tokens is not None:
            missing = [t for t in tokens if t not in basis]
            if missing:
                raise ValueError(
                    f"Token {missing[0]!r} of vocabulary has no point in basis."
                )
        else:
            tokens = list(basis)
        rows = [as_numbers(basis[t], f"basis[{t!r}]").ravel() for t in tokens]
        if len({r.shape for r in rows}) > 1:
            raise ValueError(
                "Every vector of a mapping basis must have the same length."
            )
        points = np.stack(rows) if rows else np.empty((0, 0))
    else:
        points = as_numbers(basis, "basis")
        if points.ndim != 2:
            raise ValueError(
                f"An array basis must have shape (|V|, d); got shape {points.shape}."
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


def generated_points(
    basis: str,
    tokens: list,
    sequences: list[list],
    *,
    dim: int | None,
    context_size: int,
    rng: np.random.RandomState,
) -> np.ndarray:
    """The points of ``tokens`` in a built-in ``basis`` of dimension ``dim``
    (None: its default); ``"cooccurrence"`` learns them from ``sequences``."""
    n = len(tokens)
    if basis in ("onehot", "orthogonal"):
        dim = n if dim is None else dim
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
    dim = min(_DEFAULT_DIM, n) if dim is None else dim
    if basis == "random":
        _check_points_memory(n, dim, copies=2)
        rows = rng.standard_normal((n, dim))
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)
    if dim > n:
        raise ValueError(
            f"basis='cooccurrence' has at most as many dimensions as tokens ({n}); "
            f"got dim={dim}."
        )
    return _cooccurrence_points(tokens, sequences, dim, context_size, rng)


def _cooccurrence_points(tokens, sequences, dim, context_size, rng):
    index = {t: i for i, t in enumerate(tokens)}
    n = len(tokens)
    # No pair lies further apart than the longest sequence allows: a wider
    # window counts the same pairs, so it is cut there, and neither the
    # gaps between sequences nor the loop over offsets grow with it.
    context = min(context_size, max(len(seq) for seq in sequences) - 1)
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
