"""RecurrentMemoryRegressor: training, reading, the sklearn contract, errors."""

import pickle

import joblib
import numpy as np
import pytest
import torch
from conftest import token_points
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)
from skorch.callbacks import (
    EarlyStopping,
    EpochScoring,
    GradientNormClipping,
    ProgressBar,
)

from sklearn_rnnmemory import (
    RecurrentClassifier,
    RecurrentLanguageModel,
    RecurrentMemoryRegressor,
)
from sklearn_rnnmemory._torch.cells import StackedCells
from sklearn_rnnmemory._torch.registry import UNITS as REGISTERED_UNITS

UNITS = list(REGISTERED_UNITS)

# n_features_in_ is d, the features per step: a 2-D X holds n scalar sequences
# (d = 1), not T features. NaN is end padding; the pickle check puts one first.
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in": "n_features_in_ counts features per step",
    "check_n_features_in_after_fitting": "n_features_in_ counts features per step",
    "check_estimators_pickle": "NaN is end padding; a NaN before a step is rejected",
}


def must(name, what=""):
    """scikit-learn's message for a regressor's parameter that breaks its
    constraints."""
    return f"The '{name}' parameter of RecurrentMemoryRegressor must be {what}"


def tiny(unit="gru", **params):
    params = {
        "hidden_size": 8,
        "max_epochs": 3,
        "random_state": 0,
        "device": "cpu",
        **params,
    }
    return RecurrentMemoryRegressor(unit, **params)


# X of the language model is a 2-D array of token ids, a row a sequence and a
# column a step, padded at its end with NaN or a negative id.
LANGUAGE_MODEL_EXPECTED_FAILED_CHECKS = {
    "check_n_features_in": "a column of token ids is a step, not a feature: the "
    "model reads rows of any length and sets no n_features_in_",
    "check_n_features_in_after_fitting": "a column of token ids is a step, not a "
    "feature: the model reads rows of any length and sets no n_features_in_",
    "check_estimators_pickle": "NaN is end padding; a NaN before a token is rejected",
    "check_positive_only_tag_during_fit": "a negative id is end padding, so one "
    "before a token is rejected; ids are not required positive everywhere",
    "check_complex_data": "any non-numeric dtype, complex included, is refused "
    "with one message that says what token ids must be",
    "check_dtype_object": "token ids must be a numeric array; an object array is "
    "refused rather than guessed at",
    "check_estimators_empty_data_messages": "a row of no column is a sequence of "
    "no step, and the library's message says so",
    "check_fit2d_1feature": "one column is a sequence of one token, which has no "
    "next token to learn from; the library's message says so",
}


def expected_failed_checks(estimator):
    if isinstance(estimator, RecurrentLanguageModel):
        return LANGUAGE_MODEL_EXPECTED_FAILED_CHECKS
    if estimator.unit in ("rnn", "lstm", "gru"):
        return EXPECTED_FAILED_CHECKS
    # A custom cell's input projection is one float32 matmul over the batch; its
    # last bit depends on the batch layout (1.5e-7 relative, against rtol 1e-7).
    return {
        **EXPECTED_FAILED_CHECKS,
        "check_methods_sample_order_invariance": "float32 rounding of the batch",
    }


CHECKED_ESTIMATORS = [tiny(unit, max_epochs=2, hidden_size=4) for unit in UNITS] + [
    RecurrentLanguageModel(
        "gru",
        embedding_dim=3,
        hidden_size=4,
        seq_len=4,
        max_epochs=2,
        device="cpu",
        random_state=0,
    )
]


@parametrize_with_checks(
    CHECKED_ESTIMATORS, expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", CHECKED_ESTIMATORS, ids=repr)
def test_every_parameter_is_validated_as_scikit_learn_checks_it(estimator):
    # Not among the checks parametrize_with_checks yields to other libraries.
    check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize("unit", UNITS)
def test_fit_predict_hidden_states_shapes(points, unit):
    model = tiny(unit, seq_len=5).fit(points)
    fused = unit in ("rnn", "lstm", "gru")
    assert isinstance(
        model.net_.module_.encoder.recurrent,
        torch.nn.RNNBase if fused else StackedCells,
    )
    assert model.device_ == "cpu" and model.n_features_in_ == 12
    assert len(model.history_) == 3
    predicted = model.predict(points)
    assert predicted.shape == points.shape and predicted.dtype == np.float32
    padding = np.isnan(points).all(axis=2)
    assert np.isnan(predicted[padding]).all()
    assert np.isfinite(predicted[~padding]).all()
    states = model.hidden_states(points)
    assert states.shape == (64, 12, 8)
    assert np.isnan(states[padding]).all() and np.isfinite(states[~padding]).all()


def test_windows_are_read_from_a_zero_state(points):
    model = tiny("lstm", seq_len=4).fit(points)
    whole = model.predict(points[1::3])
    for start in (0, 4, 8):
        window = points[1::3, start : start + 4]
        np.testing.assert_allclose(
            whole[:, start : start + 4], model.predict(window), rtol=1e-5, atol=1e-6
        )


def test_predict_is_the_linear_readout_of_the_hidden_states(points):
    model = tiny("rnn", seq_len=6).fit(points)
    readout = model.net_.module_.readout
    states = torch.as_tensor(np.nan_to_num(model.hidden_states(points)))
    expected = readout(states).detach().numpy()
    valid = ~np.isnan(points).all(axis=2)
    np.testing.assert_allclose(model.predict(points)[valid], expected[valid], atol=1e-5)


def test_lstm_cell_states(points):
    model = tiny("lstm").fit(points)
    hc = model.hidden_states(points, state="hc")
    assert hc.shape == (64, 12, 16)
    np.testing.assert_allclose(hc[..., :8], model.hidden_states(points), atol=1e-6)
    with pytest.raises(ValueError, match="state='hc' needs an LSTM"):
        tiny("gru").fit(points).hidden_states(points, state="hc")


def test_loss_is_masked_at_padding(points):
    padded = np.concatenate([points, np.full((64, 5, 12), np.nan, np.float32)], 1)
    a = tiny("gru", seq_len=5).fit(points)
    b = tiny("gru", seq_len=5).fit(padded)
    np.testing.assert_array_equal(a.predict(points), b.predict(points))
    assert a.history_[-1, "train_loss"] == b.history_[-1, "train_loss"]


def test_training_reduces_the_loss_on_the_memory_task(points):
    model = tiny("gru", max_epochs=20, batch_size=16, lr=0.02).fit(points)
    losses = model.history_[:, "train_loss"]
    assert losses[-1] < 0.5 * losses[0]


def test_same_seed_same_model_other_seed_other_model(points):
    a = tiny("lstm", random_state=7).fit(points).predict(points)
    b = tiny("lstm", random_state=7).fit(points).predict(points)
    c = tiny("lstm", random_state=8).fit(points).predict(points)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c, equal_nan=True)


def test_scalar_sequences(points):
    X = np.random.default_rng(0).normal(size=(40, 15))
    model = tiny("rnn", seq_len=5, composition="mean").fit(X)
    assert model.n_features_in_ == 1
    assert model.predict(X).shape == (40, 15, 1)


def test_score_is_the_memory_capacity_at_seq_len(points):
    model = tiny("gru", seq_len=6).fit(points)
    profile = model.memory_profile(points)
    assert profile.window_length == 6
    assert model.score(points) == profile.memory_capacity
    assert model.memory_profile(points, eval_len=3).window_length == 3


def test_clone_get_set_params_round_trip():
    model = tiny("lstm", seq_len=7, callbacks=[EarlyStopping(monitor="train_loss")])
    params = model.get_params()
    copy = clone(model)
    assert copy.get_params().keys() == params.keys()
    assert copy.seq_len == 7 and copy.callbacks[0] is not model.callbacks[0]
    assert copy.set_params(unit="rnn", seq_len=3).get_params()["seq_len"] == 3
    assert vars(RecurrentMemoryRegressor()).keys() == params.keys()


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_and_joblib_round_trip(points, tmp_path, dump):
    model = tiny("gru", seq_len=5).fit(points)
    if dump == "pickle":
        restored = pickle.loads(pickle.dumps(model))
    else:
        joblib.dump(model, tmp_path / "model.joblib")
        restored = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(restored.predict(points), model.predict(points))
    assert restored.score(points) == model.score(points)


@pytest.mark.parametrize(
    "method", ["predict", "hidden_states", "score", "memory_profile"]
)
def test_unfitted_use_raises_not_fitted(points, method):
    with pytest.raises(NotFittedError):
        getattr(RecurrentMemoryRegressor(), method)(points)


def test_callbacks_pass_through(points, capsys):
    scored = []

    def mean_abs_prediction(net, X, y):
        value = float(np.nanmean(np.abs(net.predict(X))))
        scored.append(value)
        return value

    model = tiny(
        "gru",
        max_epochs=30,
        lr=1e-6,
        validation_fraction=0.25,
        callbacks=[
            EarlyStopping(monitor="valid_loss", patience=2, threshold=0.5),
            ("size", EpochScoring(mean_abs_prediction, name="size", on_train=True)),
            ProgressBar(),
        ],
    ).fit(points)
    assert len(model.history_) == 3  # no relative gain of 50 %: stops after 2 more
    assert "valid_loss" in model.history_[-1]
    assert model.history_[:, "size"] == scored[-3:]


def test_gradient_clipping_and_optimizer(points):
    model = tiny("rnn", max_grad_norm=0.5, optimizer="sgd").fit(points)
    assert any(isinstance(cb, GradientNormClipping) for _, cb in model.net_.callbacks_)
    assert isinstance(model.net_.optimizer_, torch.optim.SGD)
    custom = tiny("rnn", optimizer=torch.optim.Adagrad).fit(points)
    assert isinstance(custom.net_.optimizer_, torch.optim.Adagrad)


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"unit": "transformer"},
            must("unit", "a str among .* or a callable"),
        ),
        (
            {"composition": "max"},
            must("composition", "a str among"),
        ),
        (
            {"seq_len": 0},
            must("seq_len", r"an int in the range \[1, inf\) or None"),
        ),
        (
            {"hidden_size": 2.5},
            must("hidden_size", r"an int in the range \[1, inf\)"),
        ),
        (
            {"lr": -1},
            must("lr", r"a float in the range \(0.0, inf\)"),
        ),
        (
            {"lr": float("inf")},
            must("lr", r"a float in the range \(0.0, inf\)"),
        ),
        (
            {"optimizer": "lbfgs2"},
            must("optimizer", "a str among"),
        ),
        ({"optimizer": object}, "optimizer must be one of .* or a torch optimizer"),
        (
            {"validation_fraction": 1.0},
            must("validation_fraction", "a float in"),
        ),
        (
            {"max_grad_norm": 0},
            must("max_grad_norm", "a float in"),
        ),
        ({"device": "nodevice"}, "device 'nodevice' cannot be used here"),
    ],
)
def test_bad_parameters_raise_a_named_value_error(points, params, message):
    with pytest.raises(ValueError, match=message):
        tiny(**params).fit(points)


def test_bad_input_raises_a_named_value_error(points):
    with pytest.raises(ValueError, match="every sequence is padding"):
        tiny().fit(np.full((3, 4, 2), np.nan))
    model = tiny().fit(points)
    with pytest.raises(ValueError, match="X has 3 features per step, but"):
        model.predict(np.ones((2, 4, 3)))
    with pytest.raises(ValueError, match="eval_len must be a positive integer"):
        model.memory_profile(points, eval_len=0)


@pytest.mark.slow
def test_gated_unit_retains_more_than_vanilla_at_a_long_window():
    X = token_points(320, 30, vocab_size=20, seed=1)
    train, test = X[:256], X[256:]
    params = {"hidden_size": 32, "seq_len": 30, "max_epochs": 25, "batch_size": 32}
    capacity = {
        unit: tiny(unit, **params).fit(train).score(test) for unit in ("rnn", "lstm")
    }
    assert capacity["lstm"] > 2 * capacity["rnn"]
    assert capacity["lstm"] > 10  # measured: lstm 16.0, rnn 4.6 of 30


def test_a_diverging_fit_is_refused_and_searches_score_it_nan():
    X = np.random.default_rng(0).normal(size=(64, 10, 3)) * 1e3
    diverging = tiny("lstm", lr=1e20, optimizer="sgd")
    with pytest.raises(ValueError, match=r"Training diverged: .* \(epoch 2\)"):
        diverging.fit(X)
    search = GridSearchCV(diverging, {"lr": [1e20, 1e-3]}, cv=2, error_score=np.nan)
    with pytest.warns(FitFailedWarning, match="Training diverged"):
        search.fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[0]) and np.isfinite(scores[1])
    assert search.best_params_ == {"lr": 1e-3}


def test_cross_validation_is_identical_serial_and_in_parallel(points):
    model = tiny("lstm", seq_len=4)
    serial = cross_val_score(model, points, cv=4, n_jobs=1)
    parallel = cross_val_score(model, points, cv=4, n_jobs=2)
    np.testing.assert_array_equal(serial, parallel)


def test_memory_profile_streams_in_chunks_with_the_same_result(points, monkeypatch):
    from sklearn_rnnmemory.indicators import _probe, _regression, memory_profile

    model = tiny("gru", seq_len=5).fit(points)
    windows, predicted = model.read_windows(points, eval_len=4)
    states = model._read_windows(windows, lambda module, batch: module.states(batch))
    whole = memory_profile(windows, predicted, states=states, threshold=0.3)
    monkeypatch.setattr(_regression, "CHUNK", 7)
    held = model.memory_profile(points, eval_len=4, threshold=0.3)
    # Nothing held between the passes, and the probe's targets a lag at a time.
    monkeypatch.setattr(_regression, "_KEEP_BYTES", 0)
    monkeypatch.setattr(_probe, "_BLOCK_VALUES", 1)
    converted_twice = model.memory_profile(points, eval_len=4, threshold=0.3)
    for streamed in (held, converted_twice):
        assert np.isfinite(streamed.probe_capacity)
        for key, value in whole.to_dict().items():
            np.testing.assert_allclose(
                streamed.to_dict()[key], value, rtol=1e-5, atol=1e-6, err_msg=key
            )
    with pytest.raises(ValueError, match="every sequence is padding"):
        model.memory_profile(np.full((3, 4, 12), np.nan))


def test_memory_profile_keeps_no_batch_of_states_and_no_rescaled_copy(points):
    import weakref

    # Points of norm far from 1 are read divided by a power of two.
    X = points * 64
    model = tiny("gru", seq_len=5, batch_size=8).fit(X)
    assert model.input_scale_ == 64
    encoder = model.net_.module_.encoder
    read = encoder.forward
    outputs, alive_at_each_batch = [], []

    def forward(batch):
        alive_at_each_batch.append(sum(ref() is not None for ref in outputs))
        out = read(batch)
        outputs.append(weakref.ref(out))
        return out

    encoder.forward = forward
    profile = model.memory_profile(X, eval_len=4)
    del encoder.forward
    # Each batch's states over every step are freed before the next batch:
    # only the last step's are kept.
    assert len(alive_at_each_batch) > 3
    assert alive_at_each_batch == [0] * len(alive_at_each_batch)
    # Batch by batch in the network's unit, as read in the unit of X.
    from sklearn_rnnmemory.indicators import memory_profile

    windows, predicted = model.read_windows(X, eval_len=4)
    states = model._read_windows(windows, lambda module, batch: module.states(batch))
    whole = memory_profile(windows / 64, predicted / 64, states=states)
    for key, value in whole.to_dict().items():
        np.testing.assert_allclose(
            profile.to_dict()[key], value, rtol=1e-5, atol=1e-6, err_msg=key
        )


def test_numpy_numbers_train_the_same_model_as_python_ones(points):
    python = tiny(
        hidden_size=6, num_layers=2, seq_len=5, batch_size=16, lr=2**-6, max_grad_norm=5
    )
    numpy = tiny(
        hidden_size=np.int64(6),
        num_layers=np.int32(2),
        seq_len=np.int64(5),
        batch_size=np.int64(16),
        max_epochs=np.int64(3),
        lr=np.float32(2**-6),
        max_grad_norm=np.float32(5.0),
        random_state=np.int64(0),
    )
    np.testing.assert_allclose(
        numpy.fit(points).predict(points), python.fit(points).predict(points)
    )


@pytest.mark.parametrize("device", [None, torch.device("cpu"), "cpu"])
def test_device_none_and_torch_devices_are_accepted(points, device):
    model = tiny(device=device, max_epochs=1).fit(points)
    assert model.device_ == "cpu"


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"device": "meta"}, ValueError, "device 'meta' cannot be used here"),
        (
            {"device": ["cpu"]},
            TypeError,
            must("device", "an instance of 'str'"),
        ),
        (
            {"callbacks": "progress"},
            TypeError,
            must("callbacks", "an instance of 'list'"),
        ),
        (
            {"callbacks": ProgressBar()},
            TypeError,
            must("callbacks", ".* Got <skorch"),
        ),
        ({"callbacks": [print]}, TypeError, r"callbacks\[0\] must be a skorch"),
        (
            {"callbacks": [("bar", ProgressBar()), ("bar", ProgressBar())]},
            ValueError,
            r"callbacks\[1\] is named 'bar', as another callback is",
        ),
        (
            {"callbacks": [("train_loss", ProgressBar())]},
            ValueError,
            "named 'train_loss', a name the estimator gives a callback of its own",
        ),
        (
            {"callbacks": [EarlyStopping()]},
            ValueError,
            r"callbacks\[0\] monitors 'valid_loss'.*set validation_fraction",
        ),
        (
            {"validation_fraction": 0.99},
            ValueError,
            "holds out 64 of the 64 training windows",
        ),
        (
            {"callbacks": [EpochScoring(lambda net, X, y: 0.0)]},
            ValueError,
            r"scores held-out data \(on_train=False\); set validation_fraction",
        ),
        (
            {"callbacks": [EpochScoring("r2", on_train=True)]},
            ValueError,
            "scorer 'r2', which needs one output row per sample",
        ),
        (
            {"callbacks": [EpochScoring], "validation_fraction": 0.25},
            TypeError,
            "the class EpochScoring, which needs arguments",
        ),
        (
            {"random_state": -1},
            ValueError,
            must("random_state", "an int in"),
        ),
        (
            {"unit": ["gru"]},
            TypeError,
            must("unit", "a str among"),
        ),
        (
            {"verbose": "yes"},
            ValueError,
            must("verbose", "an int in"),
        ),
        ({"hidden_size": 10**7}, ValueError, "hidden_size=10000000.*more than this"),
    ],
)
def test_shared_parameters_are_refused_before_training(points, params, error, message):
    with pytest.raises(error, match=message):
        tiny(**params).fit(points)


def test_early_stopping_on_the_training_loss_needs_no_validation(points):
    stop = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)
    model = tiny(max_epochs=20, callbacks=[stop]).fit(points)
    assert len(model.history_) == 2 and "valid_loss" not in model.history_[-1]


def test_points_in_any_unit_train_the_same_network(points):
    reference = tiny(seq_len=6).fit(points)
    assert reference.input_scale_ == 1.0
    for exponent in (-90, -40, 40, 100):
        scaled = np.ldexp(points, exponent).astype(np.float32)
        model = tiny(seq_len=6).fit(scaled)
        assert model.input_scale_ == 2.0**exponent
        # The network reads exactly what it read in the reference unit.
        np.testing.assert_array_equal(
            model.hidden_states(scaled), reference.hidden_states(points)
        )
        np.testing.assert_array_equal(
            model.predict(scaled), np.ldexp(reference.predict(points), exponent)
        )
        assert model.score(scaled) == reference.score(points)


def test_points_far_beyond_the_training_unit_are_refused_by_name(points):
    tiny_points = np.ldexp(points, -100).astype(np.float32)
    model = tiny(seq_len=6).fit(tiny_points)
    huge = np.ldexp(points, 40).astype(np.float32)  # 2**140 times the training unit
    message = r"beyond float32's range once divided by input_scale_=7.89e-31"
    for read in (model.predict, model.hidden_states, model.memory_profile):
        with pytest.raises(ValueError, match=message):
            read(huge)
    classifier = RecurrentClassifier("gru", hidden_size=4, max_epochs=1)
    classifier.fit(tiny_points, np.arange(len(points)) % 2)
    with pytest.raises(ValueError, match="RecurrentClassifier was fitted on"):
        classifier.predict(huge)


def test_a_training_length_beyond_the_data_reads_whole_sequences(points):
    whole = tiny().fit(points)
    beyond = tiny(seq_len=10**9).fit(points)
    np.testing.assert_array_equal(beyond.predict(points), whole.predict(points))
    profile = whole.memory_profile(points, eval_len=10**9)
    assert profile.window_length == points.shape[1]
    assert profile.memory_capacity == whole.score(points)


def test_float64_points_beyond_float32_are_refused_not_read_as_padding(points):
    with pytest.raises(ValueError, match="beyond the range of float32"):
        tiny().fit(points.astype(np.float64) * 1e300)
    with pytest.raises(ValueError, match=r"X\[0, 0\] is a point so small"):
        tiny().fit(points.astype(np.float64) * 1e-300)


def test_torch_tensors_are_read_as_the_arrays_they_hold(points):
    tensor = torch.tensor(points, requires_grad=True)
    model = tiny(max_epochs=1).fit(tensor)
    np.testing.assert_array_equal(
        model.predict(tensor), tiny(max_epochs=1).fit(points).predict(points)
    )


def test_sequences_of_padding_only_read_as_padding(points):
    model = tiny(max_epochs=1).fit(points)
    padding = np.full((3, 4, points.shape[2]), np.nan, np.float32)
    assert np.isnan(model.predict(padding)).all()
    assert model.predict(padding).shape == padding.shape
    assert model.hidden_states(padding).shape == (3, 4, 8)
    assert np.isnan(model.hidden_states(padding)).all()
