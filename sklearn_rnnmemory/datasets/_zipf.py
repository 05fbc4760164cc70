"""A synthetic language whose tokens follow Zipf's law."""

from __future__ import annotations

import numpy as np

from .._typing import RandomStateLike
from .._validation import (
    check_memory,
    check_positive_int,
    check_random_state,
    check_real,
)


def make_zipf_sequences(
    n_sequences: int = 500,
    length: int = 80,
    *,
    vocab_size: int = 50,
    exponent: float = 1.0,
    random_state: RandomStateLike = None,
) -> np.ndarray:
    """Draw token sequences from a Zipf distribution over a vocabulary.

    Token ``r`` (rank ``r + 1``) has probability proportional to
    ``(r + 1) ** -exponent``, as word frequencies roughly do in natural
    language; tokens are drawn independently, so nothing but memory lets a
    model recall a past token.

    Parameters
    ----------
    n_sequences : int, default=500
        Number of sequences.
    length : int, default=80
        Tokens per sequence.
    vocab_size : int, default=50
        Number of distinct tokens, ids ``0 .. vocab_size - 1`` by rank.
    exponent : float, default=1.0
        Zipf exponent ``s >= 0``; 0 gives uniform tokens.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw.

    Returns
    -------
    tokens : ndarray of shape (n_sequences, length), dtype int64
        Token ids.

    Examples
    --------
    >>> from sklearn_rnnmemory.datasets import make_zipf_sequences
    >>> tokens = make_zipf_sequences(4, 6, vocab_size=10, random_state=0)
    >>> tokens.shape, int(tokens.min()) >= 0, int(tokens.max()) < 10
    ((4, 6), True, True)
    """
    n_sequences = check_positive_int(n_sequences, "n_sequences")
    length = check_positive_int(length, "length")
    vocab_size = check_positive_int(vocab_size, "vocab_size")
    exponent = check_real(exponent, "exponent", low=0, closed="left")
    rng = check_random_state(random_state)
    # The ids and the uniform draws behind them.
    check_memory(
        2 * n_sequences * length * 8,
        f"n_sequences={n_sequences} sequences of length={length} token ids",
        "ask for fewer or shorter sequences.",
    )
    # The weights, their probabilities and the sampler's cumulative sums.
    check_memory(
        3 * vocab_size * 8,
        f"A Zipf distribution over vocab_size={vocab_size} tokens",
        "choose a smaller vocab_size.",
    )
    weights = np.arange(1, vocab_size + 1, dtype=np.float64) ** -exponent
    return rng.choice(vocab_size, size=(n_sequences, length), p=weights / weights.sum())
