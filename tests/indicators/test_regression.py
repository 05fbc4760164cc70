"""The retention regression (indicators/_regression.py) against models whose
memory is known by construction.

Every model here is linear in its tokens (``sklearn_rnnmemory.testing``), so
its retention of the token ``delta`` steps back is known exactly; the cases are
the ones that fooled version 1 of the indicators: an offset in what the model
outputs for what it forgot, correlated and repeated tokens, more tokens than
dimensions, padded windows with unknown tokens, noise and over-response.
"""

import numpy as np
import pytest
from conftest import T, _onehot

from sklearn_rnnmemory import SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import load_python_reference, make_zipf_sequences
from sklearn_rnnmemory.indicators import memory_profile
from sklearn_rnnmemory.testing import linear_memory_model, true_capacity, true_span

#: name -> (rho over lags, what the model outputs for what it forgot)
MODELS = {
    "perfect": (np.ones(T), "zero"),
    "last 10, zero for the rest": (np.ones(10), "zero"),
    "last 10, expected semantics for the rest": (np.ones(10), "expected"),
    "decay 0.9": (0.9 ** np.arange(T), "zero"),
    "decay 0.7, expected semantics": (0.7 ** np.arange(T), "expected"),
    "memoryless (t mu)": (np.zeros(1), "expected"),
    "all zero": (np.zeros(1), "zero"),
    "3x the last 10": (3 * np.ones(10), "zero"),
    "1.4x the last 4": (1.4 * np.ones(4), "zero"),
}


@pytest.fixture(scope="module")
def random_basis():
    """200 tokens in 16 dimensions: points far from orthogonal."""
    tokens = make_zipf_sequences(300, T, vocab_size=200, random_state=1)
    space = SemanticEuclideanSpace("random", dim=16, random_state=0)
    return space.fit_transform(tokens)


@pytest.fixture(scope="module")
def correlated_tokens():
    """Each token repeats the one before with probability 0.6 (correlated,
    repeated points), on a onehot basis."""
    rng = np.random.default_rng(2)
    tokens = rng.integers(0, 12, size=(500, T))
    for t in range(1, T):
        repeat = rng.random(500) < 0.6
        tokens[repeat, t] = tokens[repeat, t - 1]
    return _onehot(tokens, 12)


@pytest.fixture(scope="module")
def text_windows():
    """Sentences of real text on a co-occurrence basis, cut into windows of 12:
    padded windows, and unknown words (zero points) in the held-out part."""
    sentences = load_python_reference(split="sentences")
    space = SemanticEuclideanSpace(
        "cooccurrence", dim=24, min_count=3, handle_unknown="ignore", random_state=0
    ).fit(sentences[:1500])
    points = space.transform(sentences[1500:2500])
    from sklearn_rnnmemory._sequences import cut_windows

    windows, _ = cut_windows(points, 12)
    return windows


def _check_exact(points, rho, forgotten, composition):
    predicted = linear_memory_model(
        points, rho, composition=composition, forgotten=forgotten
    )
    profile = memory_profile(points, predicted, composition=composition)
    width = profile.window_length
    expected = np.zeros(width)
    expected[: min(len(rho), width)] = rho[:width]
    np.testing.assert_allclose(profile.retention_curve, expected, atol=1e-6)
    assert profile.memory_capacity == pytest.approx(true_capacity(rho, width), abs=1e-6)
    assert profile.memory_span == pytest.approx(true_span(rho, width), abs=1e-5)
    return profile


@pytest.mark.parametrize("composition", ["sum", "mean"])
@pytest.mark.parametrize("name", list(MODELS))
def test_known_answers_on_zipf_onehot(zipf_onehot, name, composition):
    rho, forgotten = MODELS[name]
    profile = _check_exact(zipf_onehot, rho, forgotten, composition)
    assert profile.n_windows == 400 and profile.window_length == T


@pytest.mark.parametrize("composition", ["sum", "mean"])
@pytest.mark.parametrize("name", list(MODELS))
def test_known_answers_with_more_tokens_than_dimensions(
    random_basis, name, composition
):
    rho, forgotten = MODELS[name]
    _check_exact(random_basis, rho, forgotten, composition)


@pytest.mark.parametrize("name", list(MODELS))
def test_known_answers_on_correlated_repeated_tokens(correlated_tokens, name):
    rho, forgotten = MODELS[name]
    _check_exact(correlated_tokens, rho, forgotten, "sum")


@pytest.mark.parametrize("composition", ["sum", "mean"])
@pytest.mark.parametrize(
    "rho, forgotten",
    [(np.ones(4), "zero"), (0.8 ** np.arange(12), "expected"), (np.zeros(1), "zero")],
)
def test_known_answers_on_real_text_with_padding_and_unknown_words(
    text_windows, rho, forgotten, composition
):
    assert np.isnan(text_windows).any()  # padded windows
    valid = ~np.isnan(text_windows[..., 0])
    assert (np.abs(text_windows[valid]).sum(axis=1) == 0).any()  # unknown words
    profile = _check_exact(text_windows, rho, forgotten, composition)
    assert profile.window_length == 12
    assert profile.n_windows == int((valid.sum(axis=1) == 12).sum())


def test_noise_free_models_have_a_point_interval(zipf_onehot):
    profile = memory_profile(
        zipf_onehot, linear_memory_model(zipf_onehot, 0.9 ** np.arange(T))
    )
    low, high = profile.memory_capacity_ci
    assert low == pytest.approx(profile.memory_capacity, abs=1e-6)
    assert high == pytest.approx(profile.memory_capacity, abs=1e-6)


@pytest.mark.parametrize(
    "rho", [np.ones(10), 0.9 ** np.arange(T)], ids=["last 10", "decay 0.9"]
)
def test_noisy_models_are_close_and_their_interval_covers_the_truth(zipf_onehot, rho):
    truth = true_capacity(rho, T)
    for seed in range(3):
        predicted = linear_memory_model(zipf_onehot, rho, noise=0.3, random_state=seed)
        profile = memory_profile(zipf_onehot, predicted, random_state=seed)
        low, high = profile.memory_capacity_ci
        assert low <= truth <= high
        assert profile.memory_capacity == pytest.approx(truth, rel=0.05)
        assert (profile.retention_stderr[: len(rho)] > 0).all()


@pytest.mark.parametrize("T_", [40, 80])
def test_a_noisy_memoryless_model_scores_almost_nothing(T_):
    points = _onehot(
        make_zipf_sequences(8000 // T_, T_, vocab_size=50, random_state=3), 50
    )
    for seed in range(3):
        predicted = linear_memory_model(
            points, [0.0], forgotten="expected", noise=1.0, random_state=seed
        )
        profile = memory_profile(points, predicted)
        assert profile.memory_capacity < 0.1
        # The span reads every lag's credit, significant or not: with standard
        # errors of 0.07 (T = 40) and 0.1 (T = 80), the noise of 80 lags
        # seldom reaches the credit at which a lag starts to count (0.354).
        assert profile.memory_span < 0.1
        assert profile.memory_capacity_ci[0] == 0.0


@pytest.mark.parametrize("composition", ["sum", "mean"])
def test_nan_padding_changes_nothing(zipf_onehot, composition):
    predicted = linear_memory_model(
        zipf_onehot,
        0.8 ** np.arange(T),
        noise=0.1,
        random_state=0,
        composition=composition,
    )
    pad = np.full((400, 7, 50), np.nan)
    padded = memory_profile(
        np.concatenate([zipf_onehot, pad], 1),
        np.concatenate([predicted, pad], 1),
        composition=composition,
    )
    trimmed = memory_profile(zipf_onehot, predicted, composition=composition)
    np.testing.assert_equal(padded.to_dict(), trimmed.to_dict())


def test_only_windows_that_reach_the_last_step_enter():
    points = _onehot(make_zipf_sequences(300, 10, vocab_size=20, random_state=5), 20)
    predicted = linear_memory_model(
        points, 0.7 ** np.arange(10), noise=0.05, random_state=0
    )
    short = points.copy()
    short[200:, 6:] = np.nan
    short_predicted = predicted.copy()
    short_predicted[200:, 6:] = np.nan
    mixed = memory_profile(short, short_predicted)
    alone = memory_profile(points[:200], predicted[:200])
    assert mixed.n_windows == 200 and mixed.window_length == 10
    np.testing.assert_allclose(mixed.retention_curve, alone.retention_curve)
    assert mixed.memory_capacity == alone.memory_capacity


@pytest.mark.parametrize("scale", [1e25, 1e-25])
def test_float32_points_at_extreme_scales_give_the_same_answer(zipf_onehot, scale):
    predicted = linear_memory_model(zipf_onehot, 0.9 ** np.arange(T))
    reference = memory_profile(
        zipf_onehot.astype(np.float32), predicted.astype(np.float32)
    )
    scaled = memory_profile(
        (zipf_onehot * scale).astype(np.float32), (predicted * scale).astype(np.float32)
    )
    np.testing.assert_allclose(
        scaled.retention_curve, reference.retention_curve, atol=1e-5
    )
    assert scaled.memory_capacity == pytest.approx(reference.memory_capacity, abs=1e-4)
    assert scaled.semantic_skill == pytest.approx(reference.semantic_skill, abs=1e-6)


def test_a_single_repeated_token_is_refused_not_scored():
    points = np.ones((50, 6, 3))
    with pytest.raises(ValueError, match="Retention is undefined"):
        memory_profile(points, np.cumsum(points, axis=1))


def test_a_lag_no_window_varies_is_undefined_not_zero():
    rng = np.random.default_rng(6)
    points = _onehot(rng.integers(0, 5, size=(100, 6)), 5)
    points[:, 2] = np.eye(5)[0]  # every window has token 0 at position 2
    profile = memory_profile(points, linear_memory_model(points, np.ones(6)))
    assert np.isnan(profile.retention_curve[3])  # lag 3 = position 2
    assert profile.memory_capacity == pytest.approx(5.0)
    assert profile.memory_span == pytest.approx(5.0)  # the 5 lags it identifies


def test_explained_share_is_one_for_linear_models_and_low_for_a_square(
    zipf_onehot, random_basis
):
    linear = linear_memory_model(zipf_onehot, 0.9 ** np.arange(T))
    assert memory_profile(zipf_onehot, linear).explained_share == pytest.approx(1.0)
    # The elementwise square of the running sum of points spread around 0: no
    # linear account of the tokens explains much of it.
    square = np.cumsum(random_basis, axis=1) ** 2
    share = memory_profile(random_basis, square).explained_share
    assert 0.0 < share < 0.5
    memoryless = linear_memory_model(zipf_onehot, [0.0], forgotten="expected")
    assert np.isnan(memory_profile(zipf_onehot, memoryless).explained_share)


def test_groups_cluster_the_covariance(zipf_onehot):
    predicted = linear_memory_model(zipf_onehot, np.ones(10), noise=0.5, random_state=0)
    alone = memory_profile(zipf_onehot, predicted)
    n = zipf_onehot.shape[0]
    each = memory_profile(zipf_onehot, predicted, groups=np.arange(n))
    np.testing.assert_allclose(each.retention_stderr, alone.retention_stderr)
    assert (alone.n_clusters, each.n_clusters) == (n, n)
    # Windows that are copies of one another carry one window's information:
    # clustered by copy, the standard errors are those of the 200 originals,
    # about sqrt(2) times those that count every copy as new.
    half = zipf_onehot[: n // 2]
    twice = np.concatenate([half, half])
    noisy = linear_memory_model(twice, np.ones(10), noise=0.5, random_state=1)
    noisy[n // 2 :] = noisy[: n // 2]
    naive = memory_profile(twice, noisy)
    paired = memory_profile(twice, noisy, groups=np.tile(np.arange(n // 2), 2))
    original = memory_profile(half, noisy[: n // 2])
    assert paired.n_clusters == n // 2
    ratio = paired.retention_stderr / naive.retention_stderr
    np.testing.assert_allclose(ratio, np.sqrt(2), rtol=0.02)
    np.testing.assert_allclose(
        paired.retention_stderr, original.retention_stderr, rtol=1e-6
    )


def test_groups_need_one_label_per_window(zipf_onehot):
    predicted = linear_memory_model(zipf_onehot, np.ones(3))
    with pytest.raises(ValueError, match=r"one label per window, shape \(400,\)"):
        memory_profile(zipf_onehot, predicted, groups=np.arange(3))
