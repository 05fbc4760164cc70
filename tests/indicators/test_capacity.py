"""The capacity's estimate and interval (indicators/_capacity.py), on models
whose capacity is known: fully kept lags, nearly kept lags, memoryless models,
overlapping windows of one text."""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from sklearn_rnnmemory.datasets import make_zipf_sequences
from sklearn_rnnmemory.indicators import (
    credit,
    last_step_profile,
    min_clusters,
)
from sklearn_rnnmemory.indicators._capacity import corrected_credit
from sklearn_rnnmemory.indicators._regression import regress_last_step
from sklearn_rnnmemory.testing import true_capacity

VOCAB = 50


def _windows(n, T, seed):
    return np.eye(VOCAB)[make_zipf_sequences(n, T, vocab_size=VOCAB, random_state=seed)]


def _repeats(rho, n, T, noise, repeats):
    """Capacity and interval of ``repeats`` noisy draws of a linear model."""
    found = []
    for repeat in range(repeats):
        points = _windows(n, T, 100 + repeat)
        rng = np.random.default_rng(repeat)
        predicted = np.einsum("t,ntd->nd", rho[::-1], points)
        predicted += noise * rng.standard_normal(predicted.shape)
        profile = last_step_profile(points, predicted, random_state=repeat)
        found.append((profile.memory_capacity, *profile.memory_capacity_ci))
    return np.array(found)


def test_the_corrected_distance_is_biased_by_at_most_its_bound():
    # E d(mu + Z) - |mu| for Z ~ N(0, 1), integrated on a fine grid (|u| has a
    # kink at 0, which quadrature rules built for smooth functions miss): the
    # interval's allowance for the kink is this bound.
    z = np.linspace(-10.0, 10.0, 40001)
    density = np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi) * (z[1] - z[0])
    # A small standard error keeps r clear of the credit's other kinks (0, 2).
    se = 0.01
    biases = []
    for mu in np.linspace(0.0, 8.0, 161):
        distance = 1.0 - corrected_credit(1.0 + se * (mu + z), np.full(z.size, se))
        biases.append(density @ distance / se - mu)
    assert 0.339 < max(np.abs(biases)) <= 0.341
    # The plain credit's distance is biased by 0.80 se at r = 1.
    plain = density @ (1.0 - credit(1.0 + se * z)) / se
    assert plain == pytest.approx(np.sqrt(2 / np.pi), abs=1e-4)


def test_the_correction_leaves_exact_and_distant_retention_alone():
    r = np.array([0.0, 0.3, 1.0, 1.4, 2.5])
    np.testing.assert_array_equal(corrected_credit(r, np.zeros(5)), credit(r))
    # Six standard errors or more from 1: the plain credit, to 1e-3 se.
    far = np.array([0.2, 0.5, 1.7])
    np.testing.assert_allclose(
        corrected_credit(far, np.full(3, 0.05)), credit(far), atol=1e-4
    )


@pytest.mark.parametrize(
    "rho",
    [np.ones(40), 0.95 * np.ones(40)],
    ids=["every lag kept", "every lag at 0.95"],
)
def test_fully_and_nearly_kept_lags_are_covered_and_nearly_unbiased(rho):
    found = _repeats(rho, 200, 40, 0.5, 40)
    truth = true_capacity(rho, 40)
    covered = (found[:, 1] <= truth) & (truth <= found[:, 2])
    assert covered.mean() >= 0.85
    # The plain credit misses every lag kept whole by 0.8 se (1.2 tokens here).
    assert abs(found[:, 0].mean() - truth) <= 0.02 * 40
    assert np.all((found[:, 1] <= found[:, 0]) & (found[:, 0] <= found[:, 2]))


def test_a_memoryless_model_at_the_floor_rarely_excludes_zero():
    T = 40
    n = min_clusters(T, VOCAB)
    found = _repeats(np.zeros(T), n, T, 1.0, 40)
    assert found[:, 0].mean() < 0.1
    assert (found[:, 1] > 0).mean() <= 0.1


def test_windows_below_the_floor_are_refused_in_one_line():
    T = 80
    n = min_clusters(T, 1) - 1
    points = np.random.default_rng(0).normal(size=(n, T, 1))
    predicted = points.sum(axis=1)
    with pytest.raises(ValueError, match=rf"Only {n} window\(s\) reach step T = 80"):
        last_step_profile(points, predicted)
    groups = np.arange(n + 5) % 3
    wide = np.random.default_rng(1).normal(size=(n + 5, T, 1))
    with pytest.raises(ValueError, match=r"Only 3 group\(s\) of windows"):
        last_step_profile(wide, wide.sum(axis=1), groups=groups)


def test_overlapping_windows_need_their_source_as_group():
    """Stride-1 windows of a few long texts share tokens at shifted lags:
    counted as independent, the summed retention's standard error is far too
    small; clustered by text, it matches the spread over new texts."""
    V, T, texts, length = 20, 20, 20, 140
    sums, grouped, naive = [], [], []
    for seed in range(20):
        tokens = make_zipf_sequences(texts, length, vocab_size=V, random_state=seed)
        windows = sliding_window_view(tokens, T, axis=1).reshape(-1, T)
        source = np.repeat(np.arange(texts), length - T + 1)
        points = np.eye(V)[windows]
        rng = np.random.default_rng(seed)
        predicted = np.tanh(2 * points[:, -10:].sum(axis=1)) / 2
        predicted += 0.05 * rng.standard_normal(predicted.shape)
        for groups, spread in ((source, grouped), (None, naive)):
            fit, _, _ = regress_last_step(points, predicted, "sum", groups=groups)
            spread.append(np.sqrt(fit.covariance[:10, :10].sum()))
        sums.append(fit.retention[:10].sum())
    actual = np.std(sums, ddof=1)
    assert 0.7 < np.mean(grouped) / actual < 1.4
    assert np.mean(naive) / actual < 0.6


def test_credit_punishes_distortion():
    np.testing.assert_allclose(
        credit([-1.0, 0.0, 0.25, 1.0, 1.25, 2.0, 3.0]), [0, 0, 0.25, 1, 0.75, 0, 0]
    )
