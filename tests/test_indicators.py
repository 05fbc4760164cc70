"""Memory indicators against models whose memory is known by construction."""

import numpy as np
import pytest

from sklearn_rnnmemory.indicators import (
    memory_profile,
    retention_curve,
    retention_matrix,
    token_retention,
)

VOCAB = 500
T = 20


@pytest.fixture(scope="module")
def corpus():
    """Uniform tokens on a onehot basis: 1000 windows of length T."""
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, VOCAB, size=(1000, T))
    points = np.eye(VOCAB)[tokens]
    return points, points.reshape(-1, VOCAB).mean(axis=0)


def _steps():
    return np.arange(1, T + 1)[None, :, None]


def window_model(points, mu, m, composition):
    """S^_t = sum of the last m points + (number of older tokens) * mu."""
    cumulative = np.cumsum(points, axis=1)
    shifted = np.concatenate(
        [np.zeros_like(cumulative[:, :m]), cumulative[:, :-m]], axis=1
    )
    older = np.maximum(_steps() - m, 0)
    predicted = cumulative - shifted + older * mu
    return predicted / _steps() if composition == "mean" else predicted


def exponential_model(points, mu, lam, composition):
    """S^_t = sum_p lam^(t-p) e_p + (1 - lam^(t-p)) mu."""
    predicted = np.zeros_like(points)
    state = np.zeros_like(points[:, 0])
    decayed_count = np.zeros(1)
    for t in range(points.shape[1]):
        state = lam * state + points[:, t]
        decayed_count = lam * decayed_count + 1.0
        predicted[:, t] = state + (t + 1 - decayed_count) * mu
    return predicted / _steps() if composition == "mean" else predicted


def perfect_model(points, composition):
    cumulative = np.cumsum(points, axis=1)
    return cumulative / _steps() if composition == "mean" else cumulative


def reference_retention(points, predicted, composition):
    """a_{t,p} by the formula, one window and one step at a time."""
    n, width, _ = points.shape
    valid = ~np.isnan(points).all(axis=2)
    mu = points[valid].mean(axis=0)
    out = np.full((n, width, width), np.nan)
    for i in range(n):
        for t in range(width):
            if not valid[i, t]:
                continue
            weight = 1.0 if composition == "sum" else 1.0 / (t + 1)
            S = weight * points[i, : t + 1].sum(axis=0)
            for p in range(t + 1):
                c = points[i, p] - mu
                out[i, t, p] = 1 - (S - predicted[i, t]) @ c / (weight * (c @ c))
    return out


@pytest.mark.parametrize("composition", ["sum", "mean"])
@pytest.mark.parametrize("m", [4, 8, 15])
def test_window_model_has_span_m_and_capacity_m(corpus, composition, m):
    points, mu = corpus
    profile = memory_profile(
        points, window_model(points, mu, m, composition), composition=composition
    )
    assert profile.memory_span == m
    assert abs(profile.memory_capacity - m) <= 0.05 * m
    assert profile.memory_rate == pytest.approx(profile.memory_capacity / T)
    assert profile.window_length == T
    assert profile.n_windows == len(points)


@pytest.mark.parametrize("composition", ["sum", "mean"])
@pytest.mark.parametrize("lam", [0.5, 0.8, 0.95])
def test_exponential_model_retention_is_lambda_to_the_lag(corpus, composition, lam):
    points, mu = corpus
    predicted = exponential_model(points, mu, lam, composition)
    curve = retention_curve(points, predicted, composition=composition)
    assert curve.shape == (T,)
    np.testing.assert_allclose(curve, lam ** np.arange(T), atol=0.02)


@pytest.mark.parametrize("composition", ["sum", "mean"])
def test_perfect_model(corpus, composition):
    points, _ = corpus
    profile = memory_profile(
        points, perfect_model(points, composition), composition=composition
    )
    assert profile.memory_capacity == pytest.approx(T, abs=1e-9)
    assert profile.memory_span == T
    assert profile.memory_rate == pytest.approx(1.0)
    assert profile.semantic_error == pytest.approx(0.0, abs=1e-12)
    assert profile.semantic_similarity == pytest.approx(1.0)
    assert profile.token_recall == pytest.approx(1.0)
    np.testing.assert_allclose(profile.retention_curve, 1.0)


@pytest.mark.parametrize("composition", ["sum", "mean"])
def test_no_memory_model(corpus, composition):
    points, mu = corpus
    predicted = np.broadcast_to(mu, points.shape) * (
        _steps() if composition == "sum" else 1.0
    )
    profile = memory_profile(points, predicted, composition=composition)
    assert profile.memory_capacity < 0.05 * T
    assert profile.memory_span == 0
    assert profile.token_recall < 0.05
    # ||S_T - T mu|| / ||S_T||: the semantic error of guessing the average.
    assert 0.5 < profile.semantic_error < 1.0


@pytest.mark.parametrize("composition", ["sum", "mean"])
def test_nan_padding_changes_nothing(corpus, composition):
    points, mu = corpus
    points = points[:200]
    predicted = exponential_model(points, mu, 0.8, composition)
    pad = np.full((200, 7, VOCAB), np.nan)
    padded = memory_profile(
        np.concatenate([points, pad], 1),
        np.concatenate([predicted, pad], 1),
        composition=composition,
    )
    trimmed = memory_profile(points, predicted, composition=composition)
    assert padded.to_dict() == trimmed.to_dict()


@pytest.mark.parametrize("composition", ["sum", "mean"])
def test_retention_matches_the_formula_on_unequal_windows(composition):
    rng = np.random.default_rng(1)
    points = rng.normal(size=(6, 5, 3))
    predicted = rng.normal(size=(6, 5, 3))
    lengths = np.array([5, 3, 1, 4, 5, 2])
    for i, length in enumerate(lengths):
        points[i, length:] = predicted[i, length:] = np.nan
    expected = reference_retention(points, predicted, composition)

    full = token_retention(points, predicted, composition=composition, full=True)
    np.testing.assert_allclose(full, expected, rtol=1e-10)
    final = token_retention(points, predicted, composition=composition)
    np.testing.assert_allclose(final, expected[np.arange(6), lengths - 1], rtol=1e-10)

    by_lag = np.full((6, 5), np.nan)
    for i, length in enumerate(lengths):
        by_lag[i, :length] = expected[i, length - 1, length - 1 :: -1]
    curve = retention_curve(points, predicted, composition=composition)
    np.testing.assert_allclose(curve, np.nanmean(by_lag, axis=0), rtol=1e-10)
    matrix = retention_matrix(points, predicted, composition=composition)
    upper = np.triu(np.ones((5, 5), bool), k=1)
    assert np.isnan(matrix[upper]).all()
    for t, p in zip(*np.nonzero(~upper), strict=True):
        defined = expected[:, t, p][~np.isnan(expected[:, t, p])]
        assert matrix[t, p] == pytest.approx(defined.mean(), rel=1e-10)


def test_unequal_windows_profile_by_hand():
    rng = np.random.default_rng(2)
    points = rng.normal(size=(4, 6, 2))
    predicted = np.cumsum(points, axis=1)
    predicted[:, :, 0] += 0.3  # a fixed offset everywhere
    lengths = np.array([6, 2, 4, 6])
    for i, length in enumerate(lengths):
        points[i, length:] = predicted[i, length:] = np.nan
    profile = memory_profile(points, predicted, threshold=0.7)
    curve = profile.retention_curve
    assert profile.window_length == 6
    assert profile.memory_capacity == pytest.approx(np.clip(curve, 0, 1).sum())
    below = np.flatnonzero(curve < 0.7)
    assert profile.memory_span == (below[0] if below.size else 6)

    last = lengths - 1
    target = np.cumsum(np.nan_to_num(points), axis=1)[np.arange(4), last]
    estimate = predicted[np.arange(4), last]
    errors = np.linalg.norm(target - estimate, axis=1) / np.linalg.norm(target, axis=1)
    assert profile.semantic_error == pytest.approx(errors.mean())
    cosines = np.sum(target * estimate, 1) / (
        np.linalg.norm(target, axis=1) * np.linalg.norm(estimate, axis=1)
    )
    assert profile.semantic_similarity == pytest.approx(cosines.mean())
    final = token_retention(points, predicted)
    shares = [np.mean(final[i, :n] >= 0.7) for i, n in enumerate(lengths)]
    assert profile.token_recall == pytest.approx(np.mean(shares))


def test_zero_points_are_skipped_and_do_not_move_mu():
    points = np.eye(3)[[[0, 1, 2, 0], [2, 1, 0, 1]]].astype(float)
    points[0, 1] = 0.0  # an unknown token mapped to the zero point
    predicted = np.cumsum(points, axis=1)
    retention = token_retention(points, predicted)
    assert np.isnan(retention[0, 1])
    assert np.isfinite(np.delete(retention, 1, axis=1)).all()
    # The perfect model keeps every known token.
    assert memory_profile(points, predicted).memory_capacity == pytest.approx(4.0)


def test_two_dimensional_inputs_are_scalar_sequences():
    rng = np.random.default_rng(3)
    points = rng.normal(size=(50, 8))
    curve_2d = retention_curve(points, np.cumsum(points, axis=1))
    curve_3d = retention_curve(points[..., None], np.cumsum(points, axis=1)[..., None])
    np.testing.assert_array_equal(curve_2d, curve_3d)


def test_profile_to_dict_is_plain():
    points = np.eye(4)[[[0, 1, 2, 3], [3, 2, 1, 0]]]
    out = memory_profile(points, np.cumsum(points, axis=1)).to_dict()
    assert out["retention_curve"] == [1.0, 1.0, 1.0, 1.0]
    assert set(out) >= {
        "memory_capacity",
        "memory_span",
        "memory_rate",
        "semantic_error",
        "semantic_similarity",
        "token_recall",
    }


@pytest.mark.parametrize(
    "points, predicted, kwargs, message",
    [
        (np.ones((2, 3, 4)), np.ones((2, 3, 5)), {}, "must have the shape of points"),
        (
            np.ones((2, 3, 4)),
            np.full((2, 3, 4), np.nan),
            {},
            r"predicted\[0, 0\] is NaN",
        ),
        (np.ones((2, 3, 4)), np.ones((2, 3, 4)), {"composition": "max"}, "composition"),
        (np.ones((2, 3, 4)), np.ones((2, 3, 4)), {"threshold": 0}, "threshold"),
        (np.ones((2, 3, 4)), np.ones((2, 3, 4)), {"threshold": 1.5}, "threshold"),
        (np.ones(4), np.ones(4), {}, "shape"),
        (np.zeros((2, 3, 4)), np.ones((2, 3, 4)), {}, "no known token"),
    ],
)
def test_bad_input_raises_a_named_value_error(points, predicted, kwargs, message):
    with pytest.raises(ValueError, match=message):
        memory_profile(points, predicted, **kwargs)


def test_padding_errors_name_the_step():
    points = np.ones((2, 4, 3))
    points[1, 1] = np.nan
    with pytest.raises(ValueError, match=r"points\[1, 1\] is NaN padding followed"):
        token_retention(points, points)
    points = np.ones((2, 4, 3))
    points[0, 2, 1] = np.nan
    with pytest.raises(ValueError, match=r"points\[0, 2\] is partly NaN"):
        token_retention(points, points)


def _close_to_mu_windows():
    """16 windows of 4 tokens each of c + u, c - u, c + w, c - w, so that
    mu = c up to rounding while ||c +- w - mu|| is 1e-4 of ||c||."""
    c = np.array([8.0, -4.0, 2.0])
    u = np.array([1.0, 0.5, -0.25])
    w = np.array([1.0, -1.0, 0.5]) * 1e-3
    tokens = np.stack([c + u, c - u, c + w, c - w])
    rng = np.random.default_rng(0)
    order = np.stack([rng.permutation(np.repeat(np.arange(4), 4)) for _ in range(16)])
    return tokens[order].astype(np.float32), order


def test_tokens_close_to_mu_keep_their_digits_in_float32(monkeypatch):
    from sklearn_rnnmemory.indicators import _retention

    points, order = _close_to_mu_windows()
    predicted = 0.5 * np.cumsum(points, axis=1)
    # the formula in float64 on the same float32 points: S_T - S^_T = S_T / 2
    exact = points.astype(np.float64)
    residual = 0.5 * exact.sum(axis=1)
    centred = exact - exact.reshape(-1, 3).mean(axis=0)
    expected = 1 - np.einsum("npd,nd->np", centred, residual) / np.einsum(
        "npd,npd->np", centred, centred
    )
    close = order >= 2  # ||e - mu||^2 is 1e-8 of ||e||^2 for these tokens
    # float32 sums put mu 1e-6 off, a 1e-3 share of e - mu for these tokens
    np.testing.assert_allclose(token_retention(points, predicted), expected, rtol=1e-2)
    # The expansion ||e||^2 - 2 <e, mu> + ||mu||^2 alone has no digit left there.
    monkeypatch.setattr(_retention, "_CLOSE", 0.0)
    expanded = token_retention(points, predicted)
    np.testing.assert_allclose(expanded[~close], expected[~close], rtol=1e-5)
    error = np.abs(expanded[close] / expected[close] - 1)
    assert np.nanmax(error) > 0.5
