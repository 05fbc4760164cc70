"""Probe indicators (definitions §3.6): how much of its past input a state holds.

For each lag ``delta``, a ridge readout with an intercept maps the state
``h_t`` to the input ``u_{t - delta}``; it is fit on a training share and
scored on held-out data by the squared Pearson correlation (Jaeger's
``MC_delta`` for scalar input). All lags share one factorisation of the
states' Gram matrix.

Inputs that are correlated over time (words of real text) are partly decoded
from the current input alone: the *probe baseline* is the probe capacity of
the state that holds the current input and nothing else, measured on the same
samples, split and lags; the net capacity, the probe capacity less that
baseline, is what the states hold of the past.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import scipy.linalg

from .._sequences import check_sequences, valid_steps
from .._typing import ArrayLike, RandomStateLike
from .._validation import (
    check_bool,
    check_memory,
    check_nonnegative_int,
    check_positive_int,
    check_random_state,
    check_real,
    untensor,
)

_N_SURROGATES = 20
# Chance R2 values behind the threshold of the last-step probe: as many
# shuffles as it takes for that many (lag, shuffle) pairs, whatever T is.
_NULL_VALUES = 100


@dataclass(frozen=True)
class ProbeMemory:
    """What a probe decodes of past inputs from recurrent states.

    Attributes
    ----------
    decodability : ndarray of shape (max_lag,)
        ``R2(delta)`` for ``delta = 1 .. max_lag``: mean over input dimensions
        of the squared correlation between readout and target on held-out
        data (zeroed where within chance, with ``surrogate=True``).
    lag0 : float
        ``R2(0)``: how well the current input is decoded.
    memory_capacity : float
        ``sum_{delta=1}^{max_lag} R2(delta)``.
    probe_baseline : float
        The same capacity decoded from the current input ``u_t`` in place of
        the state (on the same samples and split): what the inputs' own
        correlations over time give. About 0 for independent inputs.
    net_capacity : float
        ``memory_capacity - probe_baseline``: what the states hold of past
        inputs beyond the current one; this is what ranks models.
    surrogate_threshold : float or None
        The chance level used with ``surrogate=True``: the largest ``R2`` that
        readouts reach on targets shuffled across samples; None otherwise.
    n_train : int
        Number of training samples (steps) the readouts were fit on.
    n_test : int
        Number of held-out samples they were scored on.
    """

    decodability: np.ndarray
    lag0: float
    memory_capacity: float
    probe_baseline: float
    net_capacity: float
    surrogate_threshold: float | None
    n_train: int
    n_test: int

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a dict.

        Returns
        -------
        values : dict
            Each field by name; the curve as a list of floats.
        """
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["decodability"] = [float(v) for v in self.decodability]
        return out


def _binary_exponent(values):
    """The power of two just above the largest absolute value (0 for zeros)."""
    return math.frexp(float(np.abs(values).max(initial=0.0)))[1]


# Target columns decoded at once: bounds the float64 copies of the targets.
_BLOCK_VALUES = 2**22


def _decode(features, target_blocks, is_test, d, ridge, shuffles, rng):
    """R2 per lag of ridge readouts features -> targets, fit on the samples not
    in ``is_test`` and scored on the others; and the surrogate chance level
    (the largest R2 over ``shuffles`` fits to targets shuffled across samples),
    None without shuffles.

    ``target_blocks`` yields the targets as ``(n, lags * d)`` arrays, a few
    lags at a time, so that the targets of every lag never need to be held at
    once. Every fit shares one factorisation of the training states' Gram
    matrix. A shuffle of the targets pairs each target with another sample's
    state, so it is made by shuffling the (few) state columns instead of the
    (many) target columns: the same readouts and scores, for a fraction of
    the copies.
    """
    # R2 does not change when the states, the targets or the readouts'
    # predictions are multiplied by a constant, provided the ridge penalty
    # keeps its weight against the states' Gram matrix. So states and targets
    # are brought near unit size by powers of two (exact), and the system is
    # divided by the ridge where that dominates: nothing overflows or vanishes,
    # whatever unit the data come in.
    state_exponent = _binary_exponent(features)
    features = np.ldexp(features, -state_exponent)
    train = ~is_test
    mean = features[train].mean(axis=0)
    states_train = features[train] - mean
    states_test = features[is_test] - features[is_test].mean(axis=0)
    gram = states_train.T @ states_train
    # The penalty in the states' new unit: ridge / 2**(2 * state_exponent).
    log_ridge = math.log2(ridge) - 2 * state_exponent if ridge > 0 else -math.inf
    if log_ridge > 0:
        gram = gram * 2.0 ** -min(log_ridge, 2000) + np.eye(features.shape[1])
    else:
        gram += 2.0**log_ridge * np.eye(features.shape[1])
    try:
        factor = scipy.linalg.cho_factor(gram)

        def solve(right):
            return scipy.linalg.cho_solve(factor, right)
    except np.linalg.LinAlgError:
        pinv = np.linalg.pinv(gram)

        def solve(right):
            return pinv @ right

    # Targets shuffled by permutation P pair with the states shuffled by P^-1;
    # drawn before any block, so that the blocks do not change the draws.
    shuffled = [
        (
            states_train[np.argsort(rng.permutation(len(states_train)))],
            states_test[np.argsort(rng.permutation(len(states_test)))],
        )
        for _ in range(shuffles)
    ]

    def decodability(train_states, test_states, target_train, target_test, spread):
        prediction = test_states @ solve(train_states.T @ target_train)
        covariance = np.einsum("ij,ij->j", prediction, target_test)
        variance = np.einsum("ij,ij->j", prediction, prediction) * spread
        tiny = np.finfo(float).tiny
        r2 = np.where(variance > tiny, covariance**2 / np.maximum(variance, tiny), 0.0)
        return r2.reshape(-1, d).mean(axis=1)

    r2, threshold = [], -np.inf
    for targets in target_blocks:
        targets = np.ldexp(targets, -_binary_exponent(targets))
        target_train = targets[train] - targets[train].mean(axis=0)
        target_test = targets[is_test] - targets[is_test].mean(axis=0)
        del targets
        block = (
            target_train,
            target_test,
            np.einsum("ij,ij->j", target_test, target_test),
        )
        r2.append(decodability(states_train, states_test, *block))
        for train_states, test_states in shuffled:
            null = decodability(train_states, test_states, *block)
            threshold = max(threshold, float(null.max()))
    r2 = np.concatenate(r2)
    if not shuffles:
        return r2, None
    return np.where(r2 > threshold, r2, 0.0), threshold


def probe_last_step(
    points: np.ndarray,
    last_states: np.ndarray,
    *,
    rng: np.random.RandomState,
    rows: np.ndarray | None = None,
    step: int | None = None,
    ridge: float = 1e-6,
    test_size: float = 0.2,
) -> tuple[float, float]:
    """Probe memory capacity of the states at the windows' last step, and its
    baseline.

    Decodability of the input point ``delta`` steps back, ``delta = 1 .. T-1``,
    from the hidden state at ``T``, by ridge readouts fit on a share of the
    windows and scored on the rest, chance level removed: a lag counts only
    above the largest R2 of readouts fit to shuffled targets, over about 100
    (lag, shuffle) pairs. The baseline is the same capacity with the current
    input point ``e_T`` in place of the state, on the same split.

    Parameters
    ----------
    points : ndarray of shape (n_windows, L, d)
        Windows; those of ``rows`` reach step ``T = step``.
    last_states : ndarray of shape (n, H)
        Hidden state at ``T`` of each window of ``rows``.
    rng : RandomState
        Draws the held-out windows and the shuffles.
    rows : ndarray of int, default=None
        The windows to read (``n`` of them); None reads every window.
    step : int, default=None
        ``T``; None: ``L``.
    ridge : float, default=1e-6
        Ridge penalty.
    test_size : float, default=0.2
        Held-out share of windows.

    Returns
    -------
    capacity : float
        ``sum_{delta=1}^{T-1} R2(delta)``; NaN with fewer than 5 windows or a
        single step, too few to split and decode.
    baseline : float
        The capacity of the state ``e_T``: what the points' own correlations
        over time give; NaN where ``capacity`` is.
    """
    n = points.shape[0] if rows is None else rows.size
    T = points.shape[1] if step is None else step
    d = points.shape[2]
    if n < 5 or T < 2:
        return float("nan"), float("nan")
    if not np.isfinite(last_states).all():
        raise ValueError("The hidden states at the last step must be finite.")
    is_test = np.zeros(n, dtype=bool)
    is_test[rng.permutation(n)[: math.ceil(test_size * n)]] = True
    # Lags 1..T-1: positions T-2 .. 0, a block of lags at a time.
    per_block = max(_BLOCK_VALUES // max(n * d, 1), 1)

    def at(positions):
        block = (
            points[:, positions] if rows is None else points[np.ix_(rows, positions)]
        )
        return np.asarray(block, dtype=np.float64).reshape(n, -1)

    def target_blocks():
        for first in range(T - 2, -1, -per_block):
            yield at(np.arange(first, max(first - per_block, -1), -1))

    def capacity_of(features):
        shuffles = math.ceil(_NULL_VALUES / (T - 1))
        r2, _ = _decode(features, target_blocks(), is_test, d, ridge, shuffles, rng)
        return float(r2.sum())

    # The states first: their split and shuffles are drawn as without a baseline.
    return capacity_of(np.asarray(last_states, dtype=np.float64)), capacity_of(
        at([T - 1])
    )


def check_probe_params(
    *,
    ridge: Any,
    test_size: Any,
    washout: Any,
    surrogate: Any,
    random_state: Any,
) -> tuple[float, float, int, bool, np.random.RandomState]:
    """Validate the options of :func:`probe_memory`, NumPy numbers included.

    Parameters
    ----------
    ridge, test_size, washout, surrogate, random_state : object
        The options as given to :func:`probe_memory`.

    Returns
    -------
    ridge, test_size, washout, surrogate, rng
        As Python numbers and a ``RandomState``.
    """
    return (
        check_real(ridge, "ridge", low=0, closed="left"),
        check_real(test_size, "test_size", low=0, high=1),
        check_nonnegative_int(washout, "washout"),
        check_bool(surrogate, "surrogate"),
        check_random_state(random_state),
    )


def probe_memory(
    inputs: ArrayLike,
    states: ArrayLike,
    *,
    max_lag: int,
    ridge: float = 1e-6,
    test_size: float = 0.2,
    washout: int = 0,
    surrogate: bool = False,
    random_state: RandomStateLike = None,
) -> ProbeMemory:
    """Decode past inputs from recurrent states with ridge readouts.

    For each lag ``delta = 0 .. max_lag`` a linear readout with an intercept
    maps the state ``h_t`` to the input ``u_{t - delta}``. Readouts are fit by
    ridge regression on a training share and scored on the held-out share by
    the squared Pearson correlation, averaged over input dimensions. The
    states may come from any model: a trained classifier, a language model,
    an untrained reservoir.

    Samples are the steps ``t >= max(washout, max_lag)`` of each sequence, so
    that every lag has a target and all lags share one factorisation. Several
    sequences are split by sequence (``test_size`` of them, drawn with
    ``random_state``); one sequence is split along time (its last
    ``test_size`` share of steps). Targets may reach back across the split:
    inputs are known; only the readouts are fit on the training share.

    Parameters
    ----------
    inputs : array-like of shape (n, T, d) or (n, T)
        Inputs ``u``, NaN-padded at the end.
    states : array-like of shape (n, T, H)
        States ``h_t`` after reading ``u_1..u_t``; padding where ``inputs`` has.
    max_lag : int
        Largest lag ``D``.
    ridge : float, default=1e-6
        Ridge penalty on the centred states' Gram matrix.
    test_size : float in (0, 1), default=0.2
        Held-out share of sequences (of steps, for one sequence).
    washout : int, default=0
        Steps at the start of each sequence skipped as transients.
    surrogate : bool, default=False
        Also fit readouts to targets shuffled across samples (20 shuffles) and
        zero every lag whose ``R2`` does not exceed the largest shuffled ``R2``:
        without it, finite samples add about ``max_lag / n_test`` to the
        capacity.
    random_state : int, RandomState instance or None, default=None
        Seeds the split by sequences and the shuffles.

    Returns
    -------
    probe : ProbeMemory
        The decodability curve, the lag-0 value and the probe memory capacity.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory.indicators import probe_memory
    >>> u = np.random.default_rng(0).uniform(-1, 1, size=(1, 2000))
    >>> delay_line = np.stack([np.roll(u[0], k) for k in range(5)], axis=-1)[None]
    >>> probe = probe_memory(u, delay_line, max_lag=8, washout=5,
    ...                      surrogate=True, random_state=0)
    >>> np.round(probe.decodability, 2), round(probe.memory_capacity, 2)
    (array([1., 1., 1., 1., 0., 0., 0., 0.]), 4.0)
    """
    max_lag = check_positive_int(max_lag, "max_lag")
    ridge, test_size, washout, surrogate, rng = check_probe_params(
        ridge=ridge,
        test_size=test_size,
        washout=washout,
        surrogate=surrogate,
        random_state=random_state,
    )
    inputs = check_sequences(inputs, name="inputs")
    try:
        states = np.asarray(untensor(states), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"states must be a numeric array of shape (n, T, H); got values that "
            f"cannot be converted: {exc}"
        ) from None
    if states.ndim != 3:
        raise ValueError(
            f"states must have shape (n, T, H); got shape {states.shape}. Add a "
            "first axis of length 1 for a single sequence."
        )
    states = check_sequences(states, name="states")
    if states.shape[:2] != inputs.shape[:2]:
        raise ValueError(
            f"states and inputs must have the same (n, T); got {states.shape[:2]} "
            f"and {inputs.shape[:2]}."
        )
    valid = valid_steps(inputs)
    if (valid != valid_steps(states)).any():
        raise ValueError("states must be padding exactly where inputs is.")

    n, T, d = inputs.shape
    steps = np.arange(T)
    usable = valid & (steps[None, :] >= max(washout, max_lag))
    seq, step = np.nonzero(usable)
    if n == 1:
        n_test = math.ceil(test_size * seq.size)
        is_test = np.arange(seq.size) >= seq.size - n_test
    else:
        test_sequences = rng.permutation(n)[: math.ceil(test_size * n)]
        is_test = np.isin(seq, test_sequences)
    if seq.size and is_test.all():
        raise ValueError(
            f"test_size={test_size!r} holds out all {seq.size} usable steps (of "
            f"{n} sequence(s)), leaving none to fit the readouts on; lower it."
        )
    if is_test.all() or not is_test.any():
        raise ValueError(
            f"Too few usable steps to split: {seq.size} steps of "
            f"{n} sequence(s) have t >= max(washout, max_lag) = "
            f"{max(washout, max_lag)}, and {int(is_test.sum())} of them fall in the "
            f"held-out share; shorten max_lag or washout, or give more or longer "
            "sequences."
        )

    check_memory(
        seq.size * (max_lag + 1) * d * 8,
        f"The targets of {seq.size} steps at {max_lag + 1} lags (max_lag="
        f"{max_lag}) of {d} inputs each",
        "lower max_lag or probe fewer sequences.",
    )
    lags = np.arange(max_lag + 1)
    features = states[seq, step]
    # Targets u_{t - delta} for every lag, side by side: (samples, (D+1) * d).
    targets = inputs[seq[:, None], step[:, None] - lags[None, :]].reshape(seq.size, -1)
    r2, threshold = _decode(
        features,
        [targets],
        is_test,
        d,
        ridge,
        _N_SURROGATES if surrogate else 0,
        rng,
    )
    decodability = r2[1:]
    capacity = float(decodability.sum())
    # The current input in place of the state: lag 0 is the targets' first d
    # columns, and its own decodability (1) is left out as the state's is.
    baseline, _ = _decode(
        targets[:, :d],
        [targets[:, d:]],
        is_test,
        d,
        ridge,
        _N_SURROGATES if surrogate else 0,
        rng,
    )
    return ProbeMemory(
        decodability=decodability,
        lag0=float(r2[0]),
        memory_capacity=capacity,
        probe_baseline=float(baseline.sum()),
        net_capacity=capacity - float(baseline.sum()),
        surrogate_threshold=threshold,
        n_train=int((~is_test).sum()),
        n_test=int(is_test.sum()),
    )
