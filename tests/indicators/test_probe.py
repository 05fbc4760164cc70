"""Probe indicators against closed forms and the standard definition."""

import numpy as np
import pytest
import scipy.linalg
from scipy.stats import ortho_group

from sklearn_rnnmemory.indicators import memory_profile, probe_memory


def drive(W, w, u, nonlinearity=None):
    states, h = np.zeros((u.size, W.shape[0])), np.zeros(W.shape[0])
    for t in range(u.size):
        h = W @ h + w * u[t]
        h = h if nonlinearity is None else nonlinearity(h)
        states[t] = h
    return states


@pytest.fixture(scope="module")
def linear_reservoir():
    """Orthogonal W, N = 50, spectral radius 0.95, i.i.d. uniform input."""
    rng = np.random.default_rng(0)
    W = 0.95 * ortho_group.rvs(50, random_state=0)
    w = rng.normal(size=50)
    w /= np.linalg.norm(w)
    u = rng.uniform(-1, 1, size=20000)
    return W, w, u, drive(W, w, u)


def closed_form_capacity(W, w, max_lag, variance=1 / 3):
    """MC_k = var(u) (W^k w)' Sigma^-1 (W^k w), Sigma = W Sigma W' + var(u) w w'."""
    sigma = scipy.linalg.solve_discrete_lyapunov(W, variance * np.outer(w, w))
    inverse = np.linalg.inv(sigma)
    capacity, v = [], w.copy()
    for _ in range(max_lag + 1):
        capacity.append(variance * v @ inverse @ v)
        v = W @ v
    return np.array(capacity)


def test_linear_reservoir_matches_the_lyapunov_closed_form(linear_reservoir):
    W, w, u, states = linear_reservoir
    exact = closed_form_capacity(W, w, 150)
    probe = probe_memory(u[None], states[None], max_lag=150, washout=100)
    assert probe.memory_capacity == pytest.approx(exact[1:].sum(), rel=0.02)
    assert probe.lag0 == pytest.approx(exact[0], abs=0.01)
    np.testing.assert_allclose(probe.decodability, exact[1:], atol=0.05)
    assert probe.n_test == pytest.approx(0.2 * (20000 - 150), abs=1)


def test_a_state_that_ignores_its_input_holds_nothing(linear_reservoir):
    _, _, u, _ = linear_reservoir
    noise = np.random.default_rng(1).normal(size=(1, u.size, 50))
    probe = probe_memory(u[None], noise, max_lag=150, surrogate=True, random_state=0)
    assert probe.memory_capacity < 0.5
    assert 0 < probe.surrogate_threshold < 0.01
    biased = probe_memory(u[None], noise, max_lag=150)
    assert biased.memory_capacity > probe.memory_capacity


def test_agrees_with_the_standard_definition_on_a_tanh_reservoir():
    """Jaeger's MC: one least-squares readout per lag, squared correlation on the
    held-out tail."""
    rng = np.random.default_rng(2)
    W = rng.normal(size=(40, 40))
    W *= 0.9 / np.abs(np.linalg.eigvals(W)).max()
    w = rng.uniform(-0.5, 0.5, size=40)
    u = rng.uniform(-1, 1, size=6000)
    states = drive(W, w, u, np.tanh)
    max_lag, washout = 60, 100
    start = max(max_lag, washout)
    split = start + int(np.floor(0.8 * (u.size - start)))
    reference = []
    for lag in range(1, max_lag + 1):
        design = np.hstack([states, np.ones((u.size, 1))])
        target = np.roll(u, lag)
        coef, *_ = np.linalg.lstsq(design[start:split], target[start:split], rcond=None)
        prediction = design[split:] @ coef
        reference.append(np.corrcoef(prediction, target[split:])[0, 1] ** 2)
    probe = probe_memory(
        u[None], states[None], max_lag=max_lag, washout=washout, ridge=1e-12
    )
    np.testing.assert_allclose(probe.decodability, reference, atol=1e-6)


def test_sequences_split_by_sequence_and_padding():
    rng = np.random.default_rng(3)
    u = rng.normal(size=(200, 30, 2))
    delayed = np.concatenate([np.zeros((200, 2, 2)), u[:, :-2]], axis=1)
    states = np.concatenate([u, delayed, rng.normal(size=(200, 30, 3))], axis=2)
    u[:50, 20:] = states[:50, 20:] = np.nan
    probe = probe_memory(u, states, max_lag=4, surrogate=True, random_state=0)
    assert probe.lag0 == pytest.approx(1.0)
    np.testing.assert_allclose(probe.decodability, [0, 1, 0, 0], atol=1e-9)
    assert probe.n_test + probe.n_train == 150 * 26 + 50 * 16


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_lag": 0}, "max_lag must be a positive integer"),
        ({"washout": -1}, "washout must be an integer >= 0"),
        ({"ridge": -1.0}, "ridge must be a number >= 0"),
        ({"test_size": 1.5}, r"test_size must be a number in \(0, 1\)"),
        ({"max_lag": 40}, "Too few usable steps"),
    ],
)
def test_bad_arguments(kwargs, message):
    u = np.ones((3, 10))
    with pytest.raises(ValueError, match=message):
        probe_memory(u, np.ones((3, 10, 2)), **{"max_lag": 2, **kwargs})


def test_shape_errors():
    with pytest.raises(ValueError, match=r"states must have shape \(n, T, H\)"):
        probe_memory(np.ones((2, 5)), np.ones((2, 5)), max_lag=1)
    with pytest.raises(ValueError, match="same \\(n, T\\)"):
        probe_memory(np.ones((2, 5)), np.ones((2, 6, 3)), max_lag=1)


def noisy_delay_line(seed=0):
    """Scalar input and states that hold it 1 and 2 steps back, with noise."""
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(40, 25))
    past = [np.roll(u, k, axis=1) for k in (1, 2)]
    states = np.stack([*past, rng.normal(size=u.shape)], axis=-1)
    return u, states + 0.3 * rng.normal(size=states.shape)


def test_numpy_numbers_are_accepted_as_python_ones():
    u, states = noisy_delay_line()
    python = probe_memory(
        u, states, max_lag=3, ridge=1e-3, test_size=0.3, washout=2, random_state=0
    )
    numpy = probe_memory(
        u,
        states,
        max_lag=np.int64(3),
        ridge=np.float32(1e-3),
        test_size=np.float64(0.3),
        washout=np.int32(2),
        surrogate=np.bool_(False),
        random_state=np.int64(0),
    )
    np.testing.assert_allclose(
        numpy.decodability, python.decodability, rtol=1e-5, atol=1e-7
    )


@pytest.mark.parametrize("scale", [1e-150, 1e-20, 1e20, 1e150])
def test_probe_is_the_same_in_any_unit(scale):
    u, states = noisy_delay_line()
    reference = probe_memory(u, states, max_lag=3, ridge=1e-4, random_state=0)
    assert reference.decodability[0] > 0.85 and reference.decodability[2] < 0.05
    # Scaled states with the penalty scaled alike are the same readouts.
    scaled = probe_memory(
        u * scale, states * scale, max_lag=3, ridge=1e-4 * scale**2, random_state=0
    )
    np.testing.assert_allclose(scaled.decodability, reference.decodability, rtol=1e-6)
    # Scaled inputs alone change no R2.
    inputs = probe_memory(u * scale, states, max_lag=3, ridge=1e-4, random_state=0)
    np.testing.assert_allclose(inputs.decodability, reference.decodability, rtol=1e-6)


def test_a_lag_far_beyond_the_sequences_is_refused_before_allocating():
    u, states = noisy_delay_line()
    with pytest.raises(ValueError, match=r"Too few usable steps.*= 1000000000000"):
        probe_memory(u, states, max_lag=10**12)


def test_a_held_out_share_of_everything_is_refused_by_name():
    u, states = noisy_delay_line()
    with pytest.raises(ValueError, match="test_size=0.999 holds out all"):
        probe_memory(u, states, max_lag=2, test_size=0.999)


def _sticky_tokens(n, T, vocab_size=12, repeat=0.6, seed=2):
    """Onehot tokens that repeat the one before with probability ``repeat``:
    inputs correlated over time, as the words of real text are."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, vocab_size, size=(n, T))
    for t in range(1, T):
        again = rng.random(n) < repeat
        tokens[again, t] = tokens[again, t - 1]
    return np.eye(vocab_size)[tokens]


def _current_token_only(points):
    """States of a model that holds the current token and nothing else: a
    nonlinear code of it, in more units than there are tokens."""
    code = np.random.default_rng(3).normal(size=(points.shape[2], 16))
    return np.tanh(points @ code)


@pytest.mark.parametrize("surrogate", [False, True])
def test_the_baseline_is_what_the_current_input_alone_decodes(surrogate):
    sticky = _sticky_tokens(300, 30)
    current = probe_memory(
        sticky,
        _current_token_only(sticky),
        max_lag=10,
        surrogate=surrogate,
        random_state=0,
    )
    # Lag delta is the current token with probability 0.6^delta: decoded in
    # part, though the state holds no past.
    assert current.memory_capacity > 0.5
    assert current.probe_baseline == pytest.approx(current.memory_capacity, abs=0.01)
    assert current.net_capacity == pytest.approx(0.0, abs=0.01)
    # A state that holds the last 3 tokens holds 2 past ones beyond the current.
    delay = np.concatenate(
        [
            np.roll(sticky, k, axis=1) * (np.arange(30) >= k)[None, :, None]
            for k in range(3)
        ],
        axis=2,
    )
    held = probe_memory(sticky, delay, max_lag=10, surrogate=surrogate, random_state=0)
    assert held.probe_baseline == current.probe_baseline
    assert held.net_capacity == pytest.approx(2.0, abs=0.1)
    # Independent tokens: nothing to decode from the current one.
    tokens = np.eye(12)[np.random.default_rng(4).integers(0, 12, size=(300, 30))]
    independent = probe_memory(
        tokens,
        _current_token_only(tokens),
        max_lag=10,
        surrogate=surrogate,
        random_state=0,
    )
    assert independent.probe_baseline < (0.02 if surrogate else 0.05)


def test_the_profile_reports_the_baseline_beside_the_probe():
    sticky = _sticky_tokens(300, 30)
    keep = np.cumsum(sticky, axis=1)  # its semantics; the probe reads the states
    profile = memory_profile(sticky, keep, states=_current_token_only(sticky))
    assert profile.probe_baseline > 0.5
    assert profile.probe_net_capacity == pytest.approx(0.0, abs=0.01)
    assert profile.probe_net_capacity == (
        profile.probe_capacity - profile.probe_baseline
    )
    tokens = np.eye(12)[np.random.default_rng(4).integers(0, 12, size=(300, 30))]
    independent = memory_profile(
        tokens, np.cumsum(tokens, axis=1), states=_current_token_only(tokens)
    )
    assert independent.probe_baseline < 0.1
