"""The memory span (definitions §3.5, version 3) on models whose memory is known.

Each case is one that version 2 (the first lag whose significant credit falls
below 0.5) got wrong or made jump: a band of lags away from the present, a
delay of one step, retention near the threshold, decay, noise, and the shape
of trained gated units (a faint present, well-kept older tokens).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_rnnmemory.datasets import make_zipf_sequences
from sklearn_rnnmemory.indicators import memory_profile, memory_span
from sklearn_rnnmemory.testing import linear_memory_model, true_span

T = 20
#: The span moves by at most this much per unit of credit of one lag, at the
#: default threshold 0.5: 1 / (0.5^1.5 ln 2).
LIPSCHITZ = 1 / (0.5**1.5 * np.log(2))


@pytest.fixture(scope="module")
def zipf_onehot():
    """Zipf tokens, onehot points, V = 50: 200 windows of 20."""
    tokens = make_zipf_sequences(200, T, vocab_size=50, random_state=0)
    return np.eye(50)[tokens]


def _rho(*pieces):
    """A retention curve over T lags from (value, number of lags) pieces."""
    return np.concatenate([np.full(n, v, dtype=float) for v, n in pieces])[:T]


# name -> (retention, span, start)
SHAPES = {
    "keeps the last 10": (_rho((1, 10)), 10.0, 0.0),
    "keeps the last 3": (_rho((1, 3)), 3.0, 0.0),
    "keeps all 20": (_rho((1, 20)), 20.0, 0.0),
    "band of lags 5..14": (_rho((0, 5), (1, 10)), 10.0, 5.0),
    "one-step delay of 10": (_rho((0, 1), (1, 10)), 10.0, 1.0),
    "remembers nothing": (_rho((0, 1)), 0.0, np.nan),
    "3x the last 10 (distortion)": (_rho((3, 10)), 0.0, np.nan),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_known_shapes_through_the_regression(zipf_onehot, name):
    rho, span, start = SHAPES[name]
    for noise, tolerance in ((0.0, 1e-6), (0.5, 0.05)):
        predicted = linear_memory_model(zipf_onehot, rho, noise=noise, random_state=0)
        profile = memory_profile(zipf_onehot, predicted)
        assert profile.memory_span == pytest.approx(span, abs=tolerance), noise
        np.testing.assert_allclose(profile.span_start, start, atol=tolerance)
        assert profile.memory_span == pytest.approx(true_span(rho, T), abs=tolerance)


@pytest.mark.parametrize("lam", [0.3, 0.5, 0.7, 0.9, 0.95, 0.99])
def test_decay_gives_the_lag_where_the_credit_halves(lam):
    halves = np.log(0.5) / np.log(lam)  # credit lam^delta = 0.5 there
    span = true_span(lam ** np.arange(2000), 2000)
    assert halves < span <= halves + 1


def test_decay_through_the_regression(zipf_onehot):
    profile = memory_profile(
        zipf_onehot, linear_memory_model(zipf_onehot, 0.9 ** np.arange(T))
    )
    halves = np.log(0.5) / np.log(0.9)  # 6.58
    assert halves < profile.memory_span <= halves + 1
    assert profile.span_start == pytest.approx(0.0)
    # Version 2 stopped at the first lag below one half: 7, with no gap here.


def test_the_span_moves_continuously_as_retention_grows(zipf_onehot):
    scales = [0.0, 0.2, 0.3, 0.4, 0.49, 0.51, 0.6, 0.7, 0.8, 1.0]
    spans = np.array(
        [
            memory_profile(
                zipf_onehot, linear_memory_model(zipf_onehot, c * np.ones(10))
            ).memory_span
            for c in scales
        ]
    )
    assert spans[0] == 0.0 and spans[-1] == pytest.approx(10.0)
    assert (np.diff(spans) >= -1e-9).all()  # monotone
    # Retention moved by c on each of 10 lags moves the span by at most
    # 10 c 4.1: between 0.49 and 0.51 x keep-10 by at most 0.82, where version 2
    # jumped from 0 to 10.
    assert (np.abs(np.diff(spans)) <= 10 * np.diff(scales) * LIPSCHITZ + 1e-6).all()
    below, above = spans[4], spans[5]
    assert 0 < above - below < 0.82
    assert below == pytest.approx(5.0, abs=0.5) and above == pytest.approx(5, abs=0.5)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, 30, elements=st.floats(-0.5, 2.5)),
    arrays(np.float64, 30, elements=st.floats(-0.05, 0.05)),
)
def test_the_span_is_lipschitz_in_the_retention(rho, change):
    span, _ = memory_span(rho)
    moved, _ = memory_span(rho + change)
    assert abs(moved - span) <= LIPSCHITZ * np.abs(change).sum() + 1e-9
    assert 0.0 <= span <= 30.0


def test_a_faint_present_with_older_tokens_kept_is_not_span_zero():
    # The shape of trained gated units: r(0) below one half, older tokens kept.
    rho = np.r_[0.3, 0.6, np.full(28, 0.9)]
    span, start = memory_span(rho)
    assert span == pytest.approx(28 + np.log2(2**1.5 * 0.6))  # 28 + phi(0.6)
    assert 1.0 < start < 2.0  # lag 1 counts for part of the levels, lag 2 for all


@pytest.mark.parametrize("threshold", [0.25, 0.9, 1.0])
def test_the_threshold_is_the_credit_that_counts_one_half(threshold):
    half, _ = memory_span([threshold], threshold=threshold)
    full, _ = memory_span(np.ones(5), threshold=threshold)
    assert full == 5.0
    assert half == (1.0 if threshold == 1.0 else pytest.approx(0.5))


def test_memory_span_refuses_what_is_not_one_curve():
    with pytest.raises(ValueError, match=r"shape \(T,\); got shape \(2, 3\)"):
        memory_span(np.ones((2, 3)))
    with pytest.raises(
        TypeError, match="retention must be a number or an array of numbers"
    ):
        memory_span(["a", "b"])
    with pytest.raises(ValueError, match="threshold"):
        memory_span([1.0], threshold=0.0)
