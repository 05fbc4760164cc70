"""Fuzzing the public API with careless inputs: random shapes, dtypes, NaN and
infinity anywhere, extreme scales and parameters of every type.

Whatever goes in, only the library's own ValueError or TypeError may come out,
raised by its own checks: never an IndexError, KeyError, AttributeError,
MemoryError, a torch RuntimeError, or an error raised from inside numpy, torch
or skorch. Tiny models, one pass each, so that the file runs in seconds.
"""

import numpy as np
import pytest
from conftest import raised_by_own_check
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_rnnmemory import (
    RecurrentClassifier,
    RecurrentLanguageModel,
    RecurrentMemoryRegressor,
    SemanticEuclideanSpace,
)
from sklearn_rnnmemory.datasets import make_zipf_sequences
from sklearn_rnnmemory.indicators import (
    memory_profile,
    probe_memory,
    retention_curve,
    retention_matrix,
)
from sklearn_rnnmemory.scoring import (
    SCORER_NAMES,
    make_memory_scorer,
    make_probe_scorer,
)

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def outcome(call):
    """``call()``'s result, or None where the library refused the input.

    Any other exception fails the test, and so does a ValueError or TypeError
    raised from inside a dependency rather than by the library's own checks.
    """
    try:
        result = call()
    except (ValueError, TypeError) as exc:
        where, own = raised_by_own_check(exc)
        assert own, f"{type(exc).__name__} raised in {where}: {exc}"
        event("refused")
        return None
    event("accepted")
    return result


# -- values ---------------------------------------------------------------------

SCALES = st.one_of(
    st.just(1.0),
    st.sampled_from([1e-300, 1e-40, 1e-25, 1e-6, 1e6, 1e25, 1e38, 1e300]),
)


def mostly(usual, rare, odds=4):
    """``usual`` about ``odds`` times as often as ``rare`` (hypothesis draws
    the first entries of a ``sampled_from`` at least as often as the last)."""
    return st.sampled_from(range(odds + 1)).flatmap(
        lambda i: rare if i == odds else usual
    )


#: What a careless script passes where a number is expected.
CARELESS = st.one_of(
    st.integers(-3, 12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            None,
            True,
            "2",
            [2],
            # Sizes the library must refuse: a value a machine could still
            # hold (10**9 ids of one token) would only make the run slow.
            10**13,
            2**32,
            np.int64(2),
            np.int32(-1),
            np.float32(0.5),
            np.float64(1e-3),
            np.bool_(True),
            np.nan,
        ]
    ),
)


@st.composite
def sequences(draw, max_d=3, shape=None):
    """NaN-padded sequences of random shape, dtype and scale, with NaN and
    infinity in random places now and then."""
    if shape is None:
        ndim = draw(mostly(st.sampled_from([3, 3, 3, 2]), st.sampled_from([1, 4])))
        shape = (
            draw(mostly(st.integers(2, 6), st.integers(1, 2))),
            draw(mostly(st.integers(1, 7), st.just(0), odds=20)),
            draw(mostly(st.integers(1, max_d), st.just(0), odds=20)),
            2,
        )
        shape = shape[:2] if ndim == 2 else shape[:1] if ndim == 1 else shape[:ndim]
    values = draw(
        arrays(np.float64, shape, elements=st.floats(-3, 3, allow_subnormal=False))
    )
    values = values * draw(SCALES)
    if len(shape) >= 2 and values.size:
        lengths = draw(
            st.lists(
                mostly(st.just(shape[1]), st.integers(0, shape[1]), odds=2),
                min_size=shape[0],
                max_size=shape[0],
            )
        )
        for i, length in enumerate(lengths):
            values[i, length:] = np.nan
    if values.size and draw(mostly(st.just(False), st.just(True))):
        flat = values.reshape(-1)
        flat[draw(st.integers(0, flat.size - 1))] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf])
        )
    dtype = draw(st.sampled_from([np.float32, np.float32, np.float64, np.float16]))
    with np.errstate(over="ignore", invalid="ignore"):
        return values.astype(dtype)


@st.composite
def token_ids(draw):
    """Token-id tables: ints with negative padding, floats with NaN, huge ids."""
    n, T = draw(st.integers(1, 5)), draw(mostly(st.integers(3, 7), st.integers(0, 2)))
    ids = draw(arrays(np.int64, (n, T), elements=st.integers(0, 6)))
    for i in range(n):
        ids[i, draw(mostly(st.just(T), st.integers(0, T), 2)) :] = -1
    kind = draw(mostly(st.just("int"), st.sampled_from(["float", "huge", "list"]), 2))
    if kind == "float":
        ids = ids.astype(np.float64)
        if ids.size:
            ids.flat[draw(st.integers(0, ids.size - 1))] = draw(
                st.sampled_from([np.nan, np.inf, 0.5, 1e30])
            )
    elif kind == "huge" and ids.size:
        ids.flat[draw(st.integers(0, ids.size - 1))] = draw(
            st.sampled_from([2**24, 10**9, 2**62])
        )
    elif kind == "list":
        return [row[: draw(st.integers(0, T))] for row in ids.tolist()]
    return ids


TOKEN = mostly(
    st.one_of(st.sampled_from("abcde"), st.integers(0, 5)),
    st.one_of(
        st.text(max_size=3),
        st.floats(allow_nan=True),
        st.none(),
        st.just(["unhashable"]),
    ),
    odds=10,
)


@st.composite
def corpora(draw):
    """Corpora as a careless script hands them over."""
    kind = draw(st.sampled_from(["texts", "tokens", "array", "objects", "column"]))
    n = draw(st.integers(0, 4))
    if kind == "texts":
        return draw(st.lists(st.text(max_size=12), min_size=n, max_size=n))
    if kind == "tokens":
        return draw(st.lists(st.lists(TOKEN, max_size=5), min_size=n, max_size=n))
    if kind == "column":
        texts = draw(st.lists(st.text(max_size=12), min_size=1, max_size=4))
        return np.array([[t] for t in texts], dtype=object)
    rows = draw(st.lists(st.lists(TOKEN, min_size=3, max_size=3), min_size=1))
    if kind == "objects":
        return np.array(rows, dtype=object)
    return draw(arrays(np.float64, (n + 1, 4), elements=st.floats(-2, 5)))


# -- estimators -----------------------------------------------------------------

#: Parameters of the three estimators: a valid value, and what may replace it.
SHARED = {
    "unit": ("gru", st.sampled_from(["lstm", "rnn", "mingru", "lru", "esn", "GRU"])),
    "hidden_size": (2, CARELESS),
    "num_layers": (1, CARELESS),
    "seq_len": (None, st.one_of(st.sampled_from([2, 3, 10**9, 10**13]), CARELESS)),
    "batch_size": (8, CARELESS),
    "lr": (0.01, CARELESS),
    "max_grad_norm": (None, CARELESS),
    "validation_fraction": (None, st.one_of(st.just(0.5), CARELESS)),
    "random_state": (0, CARELESS),
    "device": ("cpu", st.sampled_from([None, "meta", "gpu", 3, ["cpu"], "auto"])),
    "callbacks": (None, st.sampled_from([[], "progress", [1], "disable"])),
}


@st.composite
def parameters(draw, space):
    """Valid values but for a few parameters, which take careless ones: a model
    is trained often enough to reach the reading paths."""
    params = {name: valid for name, (valid, _) in space.items()}
    for name in draw(st.lists(st.sampled_from(sorted(space)), max_size=2)):
        params[name] = draw(space[name][1])
    return params


def tiny(estimator, **params):
    # Never more than a few updates, whatever else was drawn.
    return estimator(**params, max_epochs=1, max_steps=2, verbose=0)


@FUZZ
@given(
    X=sequences(),
    other=sequences(),
    params=parameters(SHARED),
    eval_len=mostly(st.sampled_from([None, 2, 10**9]), CARELESS),
)
def test_memory_regressor(X, other, params, eval_len):
    model = outcome(lambda: tiny(RecurrentMemoryRegressor, **params).fit(X))
    if model is None:
        return
    for Z in (X, other):
        predicted = outcome(lambda Z=Z: model.predict(Z))
        if predicted is not None:
            assert predicted.shape == Z.reshape(Z.shape[0], Z.shape[1], -1).shape
        outcome(lambda Z=Z: model.memory_profile(Z, eval_len=eval_len))
        outcome(lambda Z=Z: model.hidden_states(Z, eval_len=eval_len))
        outcome(lambda Z=Z: model.read_windows(Z, eval_len=eval_len))
        outcome(lambda Z=Z: make_probe_scorer(1)(model, Z))


@FUZZ
@given(
    X=sequences(),
    other=sequences(),
    labels=mostly(
        st.sampled_from([[0, 1], ["a", "b", "c"]]),
        st.lists(st.sampled_from([0, 1, "a", None, 2.5, np.nan]), min_size=1),
    ),
    params=parameters(SHARED),
)
def test_classifier(X, other, labels, params):
    y = np.resize(np.array(labels, dtype=object), X.shape[0] if X.ndim else 1)
    model = outcome(lambda: tiny(RecurrentClassifier, **params).fit(X, y))
    if model is not None:
        for Z in (X, other):
            outcome(lambda Z=Z: model.predict_proba(Z))
            outcome(lambda Z=Z: model.hidden_states(Z))
        outcome(lambda: model.score(X, y))


@FUZZ
@given(
    ids=token_ids(),
    other=token_ids(),
    params=parameters(
        {**SHARED, "embedding_dim": (2, CARELESS), "vocab_size": (None, CARELESS)}
    ),
)
def test_language_model(ids, other, params):
    model = outcome(lambda: tiny(RecurrentLanguageModel, **params).fit(ids))
    if model is not None:
        for Z in (ids, other):
            outcome(lambda Z=Z: model.perplexity(Z))
            outcome(lambda Z=Z: model.hidden_states(Z))
            outcome(lambda Z=Z: model.probe_inputs(Z))
            outcome(lambda Z=Z: make_probe_scorer(1)(model, Z))


# -- the semantic space -----------------------------------------------------------


@FUZZ
@given(
    corpus=corpora(),
    other=corpora(),
    params=parameters(
        {
            "basis": (
                "onehot",
                st.one_of(
                    st.sampled_from(["orthogonal", "random", "cooccurrence"]),
                    arrays(
                        np.float64,
                        st.tuples(st.integers(0, 6), st.integers(0, 3)),
                        elements=st.floats(allow_nan=True, allow_infinity=True),
                    ),
                    st.just([["a", "b"]]),
                    st.just({"a": [1.0, 2.0], "b": [0.0]}),
                ),
            ),
            "dim": (None, CARELESS),
            "context_size": (2, CARELESS),
            "min_count": (1, CARELESS),
            "max_vocab": (None, CARELESS),
            "pad_value": (-1, st.one_of(CARELESS, st.text(max_size=2))),
            "vocabulary": (
                None,
                st.one_of(st.just("abc"), st.lists(TOKEN, max_size=4)),
            ),
            "handle_unknown": ("ignore", st.sampled_from(["error", None])),
            "random_state": (0, CARELESS),
        }
    ),
    k=mostly(st.just(1), CARELESS),
    data=st.data(),
)
def test_semantic_space(corpus, other, params, k, data):
    space = outcome(lambda: SemanticEuclideanSpace(**params).fit(corpus))
    if space is None:
        return
    for X in (corpus, other):
        transformed = outcome(lambda X=X: space.transform(X))
        if transformed is not None:
            assert transformed.dtype == np.float32
            assert not np.isinf(transformed).any()
    points = data.draw(sequences(shape=(3, space.dim_)))
    nearest = outcome(lambda: space.nearest_tokens(points, k=k))
    if nearest is not None:
        assert nearest.shape == (3, k)


# -- indicators, scorers, data ------------------------------------------------------


@FUZZ
@given(
    points=sequences(),
    noise=st.sampled_from([0.0, 1e-300, 1e-25, 1.0, 1e25, 1e100, 1e160, 1e300]),
    other=sequences(),
    composition=mostly(st.sampled_from(["sum", "mean"]), CARELESS),
    data=st.data(),
)
def test_indicators(points, noise, other, composition, data):
    # A model that holds the running sum, with noise of any size; or any array.
    with np.errstate(all="ignore"):
        predicted = np.cumsum(np.nan_to_num(points), axis=1 if points.ndim > 1 else 0)
        predicted = predicted + noise * np.random.default_rng(0).normal(
            size=predicted.shape
        )
        predicted = np.where(np.isnan(points), np.nan, predicted).astype(points.dtype)
    predicted = data.draw(st.sampled_from([predicted, other]))
    outcome(lambda: memory_profile(points, predicted, composition=composition))
    outcome(lambda: retention_curve(points, predicted, composition=composition))


# Found by fuzzing in the indicators' regression, and fixed.


def test_retention_curve_of_padding_only_is_refused_by_a_check():
    padding = np.full((2, 3, 1), np.nan)
    for function in (retention_curve, retention_matrix, memory_profile):
        with pytest.raises(ValueError, match="every sequence is padding"):
            function(padding, padding)


@pytest.mark.parametrize("held", [True, False], ids=["held", "converted-per-pass"])
@pytest.mark.parametrize("scale", [1e150, 1e300, 1e-300])
def test_a_perfect_model_in_extreme_float64_units_keeps_every_token(
    scale, held, monkeypatch
):
    from sklearn_rnnmemory.indicators import _regression

    if not held:  # the windows are converted and scaled chunk by chunk, twice
        monkeypatch.setattr(_regression, "_KEEP_BYTES", 0)
        monkeypatch.setattr(_regression, "CHUNK", 7)
    tokens = np.random.default_rng(0).integers(0, 5, size=(50, 4))
    points = np.eye(5)[tokens] * scale
    with np.errstate(all="ignore"):
        profile = memory_profile(points, np.cumsum(points, axis=1))
    assert profile.memory_capacity == pytest.approx(4)


@FUZZ
@given(
    inputs=sequences(),
    states=sequences(max_d=4),
    options=parameters(
        {
            "max_lag": (1, CARELESS),
            "ridge": (1e-6, CARELESS),
            "test_size": (0.2, CARELESS),
            "washout": (0, CARELESS),
            "surrogate": (False, CARELESS),
            "random_state": (0, CARELESS),
        }
    ),
)
def test_probe_memory_and_scorers(inputs, states, options):
    outcome(lambda: probe_memory(inputs, states, **options))
    outcome(lambda: make_probe_scorer(**options))


@FUZZ
@given(
    name=mostly(st.sampled_from(list(SCORER_NAMES)), CARELESS),
    eval_len=mostly(st.sampled_from([None, "auto"]), CARELESS, 2),
    threshold=mostly(st.just(0.5), CARELESS, 2),
)
def test_memory_scorer_parameters(name, eval_len, threshold):
    scorer = outcome(
        lambda: make_memory_scorer(name, eval_len=eval_len, threshold=threshold)
    )
    if scorer is not None:
        assert scorer.name == name


@FUZZ
@given(
    params=parameters(
        {
            "n_sequences": (3, CARELESS),
            "length": (4, CARELESS),
            "vocab_size": (5, CARELESS),
            "exponent": (1.0, CARELESS),
            "random_state": (0, CARELESS),
        }
    )
)
def test_zipf_sequences(params):
    tokens = outcome(lambda: make_zipf_sequences(**params))
    if tokens is not None:
        assert tokens.shape == (params["n_sequences"], params["length"])
        assert tokens.min() >= 0 and tokens.max() < params["vocab_size"]


@pytest.mark.parametrize(
    "exc, allowed",
    [(ValueError("x"), True), (IndexError("x"), False), (RuntimeError("x"), False)],
)
def test_the_fuzz_helper_lets_only_named_errors_through(exc, allowed):
    def raise_it():
        raise exc

    if allowed:
        # Raised here, in a test file: not the library's own check.
        with pytest.raises(AssertionError, match="raised in"):
            outcome(raise_it)
    else:
        with pytest.raises(type(exc)):
            outcome(raise_it)


def test_a_model_of_huge_noise_is_refused_by_a_check():
    tokens = np.random.default_rng(0).integers(0, 5, size=(50, 4))
    points = np.eye(5)[tokens]
    noise = 1e160 * np.random.default_rng(1).normal(size=points.shape)
    with pytest.raises(ValueError, match="covariance overflows float64"):
        memory_profile(points, np.cumsum(points, axis=1) + noise)
