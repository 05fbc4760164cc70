"""Zipf sequences (datasets/_zipf.py): the law's frequencies, seeds, parameters
checked before allocating."""

import numpy as np
import pytest

from sklearn_rnnmemory.datasets import make_zipf_sequences


def test_zipf_frequencies_follow_the_law():
    tokens = make_zipf_sequences(2000, 50, vocab_size=20, exponent=1.2, random_state=0)
    assert tokens.shape == (2000, 50) and tokens.dtype.kind == "i"
    freq = np.bincount(tokens.ravel(), minlength=20) / tokens.size
    expected = np.arange(1, 21) ** -1.2
    np.testing.assert_allclose(freq, expected / expected.sum(), rtol=0.05)
    uniform = make_zipf_sequences(500, 40, vocab_size=4, exponent=0, random_state=0)
    np.testing.assert_allclose(
        np.bincount(uniform.ravel()) / uniform.size, 0.25, atol=0.01
    )


def test_zipf_is_seeded():
    a = make_zipf_sequences(5, 5, random_state=1)
    np.testing.assert_array_equal(a, make_zipf_sequences(5, 5, random_state=1))
    assert not np.array_equal(a, make_zipf_sequences(5, 5, random_state=2))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_sequences": 0}, "n_sequences must be a positive integer"),
        ({"length": -1}, "length must be a positive integer"),
        ({"vocab_size": 1.5}, "vocab_size must be a positive integer"),
        ({"exponent": -1}, "exponent must be a number >= 0"),
        ({"exponent": "1"}, "exponent must be a number >= 0"),
    ],
)
def test_zipf_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_zipf_sequences(**{"n_sequences": 3, "length": 3, **kwargs})


def test_zipf_takes_numpy_numbers_as_python_ones():
    python = make_zipf_sequences(4, 6, vocab_size=7, exponent=1.5, random_state=3)
    numpy = make_zipf_sequences(
        np.int64(4),
        np.int32(6),
        vocab_size=np.uint8(7),
        exponent=np.float32(1.5),
        random_state=np.int64(3),
    )
    np.testing.assert_array_equal(numpy, python)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"n_sequences": 10**8, "length": 10**8},
            "n_sequences=100000000 sequences of length=100000000",
        ),
        ({"vocab_size": 10**14}, "vocab_size=100000000000000 tokens would need"),
        ({"random_state": -1}, "random_state must be an integer in"),
        ({"exponent": float("inf")}, "exponent must be a number >= 0"),
    ],
)
def test_zipf_refuses_what_cannot_be_drawn_before_allocating(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_zipf_sequences(**{"n_sequences": 3, "length": 4, **kwargs})
