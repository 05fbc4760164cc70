"""Property tests: padding, order and scale behaviour of the space and indicators."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_rnnmemory import SemanticEuclideanSpace
from sklearn_rnnmemory.indicators import memory_profile, retention_curve

FAST = settings(max_examples=40, deadline=None)


@st.composite
def windows(draw):
    """Points and predictions (n, T, d) with random trailing padding."""
    n = draw(st.integers(10, 14))
    T = draw(st.integers(1, 7))
    d = draw(st.integers(1, 4))
    # Values on a grid of 1/64: no subnormal number (scaled by 1/2 it rounds
    # to another or to 0) and no two windows a rounding apart at one position
    # (a lag told apart by 1e-5 leaves a standard error of rounding noise).
    values = st.integers(-640, 640).map(lambda i: i / 64)
    points = draw(arrays(np.float64, (n, T, d), elements=values))
    predicted = draw(arrays(np.float64, (n, T, d), elements=values))
    lengths = draw(st.lists(st.integers(1, T), min_size=n, max_size=n))
    # Retention is estimated across the windows reaching T, at least the
    # floor's 10 of them.
    lengths[:10] = [T] * 10
    for i, length in enumerate(lengths):
        points[i, length:] = predicted[i, length:] = np.nan
    # Well-separated points, so no token is skipped as equal to the mean.
    points += 1 + np.arange(n * T * d).reshape(n, T, d) % 7
    valid = ~np.isnan(points).all(axis=2)
    centred = points[valid] - points[valid].mean(axis=0)
    assume((np.abs(points[valid]).sum(axis=1) > 0).all())
    assume((np.einsum("nd,nd->n", centred, centred) > 1e-6).all())
    # Windows that differ at some position, so that retention is defined.
    assume(np.ptp(points[:2], axis=0).max() > 1e-3)
    return points, predicted


def assert_same_profile(a, b):
    a, b = a.to_dict(), b.to_dict()
    for key in a:
        np.testing.assert_allclose(
            np.asarray(a[key], dtype=float),
            np.asarray(b[key], dtype=float),
            # the interval goes through an eigendecomposition and 2,000 draws
            rtol=1e-6 if key == "memory_capacity_ci" else 1e-7,
            # a standard error is the square root of a sum of squared
            # residuals: exact fits leave rounding of order 1e-8 there, and the
            # interval of a capacity near 0 ends at credits of that rounding
            atol=1e-6 if key in ("retention_stderr", "memory_capacity_ci") else 1e-9,
            err_msg=key,
        )


@FAST
@given(windows(), st.integers(1, 4))
def test_extra_padding_changes_no_indicator(data, extra):
    points, predicted = data
    pad = np.full((points.shape[0], extra, points.shape[2]), np.nan)
    padded = memory_profile(
        np.concatenate([points, pad], 1), np.concatenate([predicted, pad], 1)
    )
    assert_same_profile(padded, memory_profile(points, predicted))


@FAST
@given(windows(), st.randoms(use_true_random=False))
def test_the_order_of_windows_changes_no_indicator(data, random):
    points, predicted = data
    order = list(range(points.shape[0]))
    random.shuffle(order)
    assert_same_profile(
        memory_profile(points[order], predicted[order]),
        memory_profile(points, predicted),
    )


@FAST
@given(windows(), st.floats(0.01, 100), st.sampled_from(["sum", "mean"]))
def test_indicators_do_not_depend_on_the_scale_of_the_space(data, scale, composition):
    points, predicted = data
    assert_same_profile(
        memory_profile(scale * points, scale * predicted, composition=composition),
        memory_profile(points, predicted, composition=composition),
    )


@FAST
@given(windows(), st.floats(-5, 5), st.floats(-5, 5), st.data())
def test_retention_is_linear_in_the_prediction(data, gain, offset, draw):
    """Adding ``gain`` times the token ``delta`` steps back to every window's
    last point adds ``gain`` to ``r(delta)``; a constant offset adds nothing."""
    points, predicted = data
    T = points.shape[1]
    delta = draw.draw(st.integers(0, T - 1))
    full = ~np.isnan(points[:, -1, 0])
    # Lags the windows tell apart: the centred points have full column rank.
    centred = points[full] - points[full].mean(axis=0)
    design = centred.transpose(0, 2, 1).reshape(-1, T)
    assume(np.linalg.matrix_rank(design, tol=1e-6) == T)
    base = retention_curve(points, predicted)
    moved = predicted.copy()
    moved[full, -1] += gain * points[full, T - 1 - delta] + offset
    expected = base.copy()
    expected[delta] += gain
    np.testing.assert_allclose(
        retention_curve(points, moved), expected, rtol=1e-6, atol=1e-6
    )


token_lists = st.lists(
    st.lists(st.sampled_from(list("abcdefg")), min_size=1, max_size=6),
    min_size=1,
    max_size=6,
)


@FAST
@given(token_lists, st.sampled_from(["onehot", "random", "orthogonal"]))
def test_transform_is_per_sequence(sequences, basis):
    space = SemanticEuclideanSpace(basis, random_state=0, dim=None).fit(sequences)
    together = space.transform(sequences)
    for i, sequence in enumerate(sequences):
        alone = space.transform([sequence])[0]
        np.testing.assert_array_equal(together[i, : len(sequence)], alone)
        assert np.isnan(together[i, len(sequence) :]).all()
    reversed_order = space.transform(sequences[::-1])
    np.testing.assert_array_equal(reversed_order, together[::-1])
