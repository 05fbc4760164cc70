"""Sequences and their windows (_sequences.py): checked once, cut without copies."""

import numpy as np
import pytest
from conftest import token_points

from sklearn_rnnmemory._sequences import check_sequences, cut_windows


def test_sequences_without_padding_are_neither_copied_nor_recut():
    X = token_points(5, 6, vocab_size=4)
    assert check_sequences(X, dtype=np.float32) is X
    windows, origin = cut_windows(X, 6)
    assert windows is X
    np.testing.assert_array_equal(origin, [[i, 0] for i in range(5)])
    padded = X.copy()
    padded[0, 4:] = np.nan  # still one window per sequence
    assert cut_windows(padded, 6)[0] is padded
    padded[1] = np.nan  # a sequence of padding only gives no window
    windows, origin = cut_windows(padded, 6)
    np.testing.assert_array_equal(windows, padded[[0, 2, 3, 4]])
    np.testing.assert_array_equal(origin[:, 0], [0, 2, 3, 4])


def test_windows_never_reach_past_the_longest_sequence():
    X = token_points(5, 6, vocab_size=4)
    X[:, 4:] = np.nan  # the longest sequence has 4 steps
    X[2] = np.nan
    for seq_len in (4, 7, 10**9):
        windows, origin = cut_windows(X, seq_len)
        assert windows.shape == (4, 4, 4)
        np.testing.assert_array_equal(windows, X[[0, 1, 3, 4], :4])
        np.testing.assert_array_equal(origin, [[0, 0], [1, 0], [3, 0], [4, 0]])
    windows, origin = cut_windows(X, 3)  # shorter than the data: cut and padded
    assert windows.shape == (8, 3, 4) and np.isnan(windows[1, 1:]).all()
    full = token_points(3, 5, vocab_size=4)
    assert cut_windows(full, 10**9)[0] is full


def test_sequences_without_a_step_are_refused():
    with pytest.raises(ValueError, match=r"X has sequences of no step \(shape"):
        check_sequences(np.empty((3, 0, 2)))
