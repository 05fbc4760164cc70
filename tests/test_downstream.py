"""Downstream models (classifier, language model) and probing their memory."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from sklearn_rnnmemory import RecurrentClassifier, RecurrentLanguageModel
from sklearn_rnnmemory.indicators import probe_memory
from sklearn_rnnmemory.scoring import make_probe_scorer

# As for RecurrentMemoryRegressor: n_features_in_ counts features per step (a
# 2-D X holds scalar sequences), and NaN is end padding.
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in": "n_features_in_ counts features per step",
    "check_n_features_in_after_fitting": "n_features_in_ counts features per step",
    "check_classifiers_train": "a 2-D X of any width is a scalar sequence",
    "check_estimators_pickle": "NaN is end padding; a NaN before a step is rejected",
}


CLASSIFIER = RecurrentClassifier(
    "gru", hidden_size=4, max_epochs=2, device="cpu", random_state=0
)


@parametrize_with_checks(
    [CLASSIFIER], expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS
)
def test_classifier_is_sklearn_compatible(estimator, check):
    check(estimator)


def test_every_classifier_parameter_is_validated_as_scikit_learn_checks_it():
    # Not among the checks parametrize_with_checks yields to other libraries.
    check_param_validation("RecurrentClassifier", CLASSIFIER)


@pytest.fixture(scope="module")
def labelled():
    """The label is the sign of step 4 of 6: visible only when reading 5 steps."""
    X = np.random.default_rng(0).normal(size=(400, 6, 2)).astype(np.float32)
    return X, np.where(X[:, 4, 0] > 0, "pos", "neg")


def classifier(**params):
    options = {
        "hidden_size": 16,
        "max_epochs": 40,
        "lr": 0.02,
        "random_state": 0,
        "device": "cpu",
    }
    return RecurrentClassifier("gru", **{**options, **params})


def test_classifier_reads_only_the_first_seq_len_steps(labelled):
    X, y = labelled
    train, test = slice(0, 300), slice(300, None)
    assert classifier().fit(X[train], y[train]).score(X[test], y[test]) > 0.9
    truncated = classifier(seq_len=3).fit(X[train], y[train])
    assert truncated.score(X[test], y[test]) < 0.65  # step 4 is never read
    proba = truncated.predict_proba(X)
    assert proba.shape == (400, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    # Steps past seq_len change nothing.
    changed = X.copy()
    changed[:, 3:] = 0.0
    np.testing.assert_array_equal(truncated.predict_proba(changed), proba)


def test_classifier_hidden_states_and_errors(labelled):
    X, y = labelled
    model = classifier(max_epochs=2, seq_len=3).fit(X, y)
    assert model.hidden_states(X).shape == (400, 6, 16)
    assert model.hidden_states(X, eval_len=6).shape == (400, 6, 16)
    with pytest.raises(ValueError, match="at least 2 classes; got 1 class"):
        classifier().fit(X, np.zeros(400))
    with pytest.raises(ValueError, match="Unknown label type"):
        classifier().fit(X, np.linspace(0, 1, 400))
    with pytest.raises(NotFittedError):
        classifier().predict(X)


CYCLE = np.tile([0, 1, 2, 3, 4], (30, 6))


def language_model(**params):
    options = {
        "hidden_size": 16,
        "embedding_dim": 8,
        "seq_len": 10,
        "max_epochs": 15,
        "lr": 0.02,
        "random_state": 0,
        "device": "cpu",
    }
    return RecurrentLanguageModel("gru", **{**options, **params})


def test_language_model_learns_a_cyclic_language():
    model = language_model().fit(CYCLE)
    assert model.vocab_size_ == 5
    assert model.perplexity(CYCLE) < 1.2
    assert model.score(CYCLE) == -model.perplexity(CYCLE)
    assert model.history_[-1, "train_loss"] < model.history_[0, "train_loss"]


def test_language_model_on_random_tokens_is_near_uniform():
    tokens = np.random.default_rng(0).integers(0, 6, size=(60, 40))
    model = language_model(max_epochs=3).fit(tokens)
    assert 5.0 < model.perplexity(tokens) < 6.6


def test_perplexity_at_an_evaluation_length_reads_windows_from_a_zero_state():
    # In 0 2 1 2 0 2 1 2 ... the id after a 2 is the one two steps back
    # swapped: a model that has read two ids knows every next id; from a zero
    # state, the best it can say after a 2 is 1/2 for 0 and for 1. Windows of
    # 3 pairs start at ids 0, 2, 1, 2: 1 pair in 6 is unknown, perplexity
    # 2 ** (1 / 6). Windows of 1 pair: half start at a 2, sqrt(2). Windows of
    # 8 start at id 0: every pair is known.
    ids = np.tile([0, 2, 1, 2], (40, 6))
    model = language_model(seq_len=3, max_epochs=30).fit(ids)
    assert model.perplexity(ids) == pytest.approx(2 ** (1 / 6), abs=0.02)
    assert model.perplexity(ids, eval_len=3) == model.perplexity(ids)
    assert model.perplexity(ids, eval_len=1) == pytest.approx(2**0.5, abs=0.02)
    assert model.perplexity(ids, eval_len=8) < 1.02
    with pytest.raises(ValueError, match="eval_len must be a positive integer"):
        model.perplexity(ids, eval_len=0)


def test_language_model_padding_states_and_inputs():
    ids = CYCLE[:4].astype(float)
    ids[1, 7:] = np.nan
    ids[2, 3:] = -1
    model = language_model(max_epochs=1).fit(ids)
    states = model.hidden_states(ids)
    assert states.shape == (4, 30, 16)
    assert np.isnan(states[1, 7:]).all() and np.isfinite(states[1, :7]).all()
    inputs = model.probe_inputs(ids)
    assert inputs.shape == (4, 30, 8) and np.isnan(inputs[2, 3:]).all()
    np.testing.assert_allclose(
        inputs[0, 0], model.net_.module_.embedding.weight[0].detach().numpy()
    )


@pytest.mark.parametrize(
    "X, message",
    [
        (np.array([[0.5, 1.0]]), "integer token ids"),
        (np.ones((2, 3, 1)), "2-D numeric array of token ids"),
        (np.array([[0, -1, 2]]), "NaN padding followed by a valid step"),
        (np.array([[0], [1]]), "no sequence of two tokens"),
        ([[0, 1], [2]], "padded at the end with a negative value or NaN to one"),
        (np.array([[0, 10**9, 1]]), r"token id 1000000000; ids must be below 2\*\*24"),
        (np.array([[0, 2**24]]), "token id 16777216; ids must be below"),
    ],
)
def test_language_model_bad_input(X, message):
    with pytest.raises(ValueError, match=message):
        language_model().fit(X)


def test_language_model_unknown_ids():
    model = language_model(max_epochs=1).fit(CYCLE)
    with pytest.raises(ValueError, match="token id 7, but the model knows ids 0 .. 4"):
        model.perplexity(np.array([[1, 7]]))


def test_probe_scorer_equals_the_probe_of_states_and_inputs(labelled):
    X, y = labelled
    model = classifier(max_epochs=5).fit(X, y)
    scorer = make_probe_scorer(3, eval_len=6, surrogate=True)
    expected = probe_memory(
        X,
        model.hidden_states(X, eval_len=6),
        max_lag=3,
        surrogate=True,
        random_state=0,
    )
    # By default the net capacity: the probe's less what the current input gives.
    assert scorer(model, X) == expected.net_capacity
    gross = make_probe_scorer(3, metric="memory_capacity", eval_len=6, surrogate=True)
    assert gross(model, X) == expected.memory_capacity
    lag0 = make_probe_scorer(3, metric="lag0", eval_len=6)(model, X)
    assert (
        lag0
        == probe_memory(
            X, model.hidden_states(X, eval_len=6), max_lag=3, random_state=0
        ).lag0
    )
    restored = pickle.loads(pickle.dumps(scorer))
    assert restored(model, X) == expected.net_capacity


def test_probe_scorer_on_a_language_model_decodes_its_embeddings():
    model = language_model(max_epochs=5).fit(CYCLE)
    score = make_probe_scorer(2, surrogate=True)(model, CYCLE)
    expected = probe_memory(
        model.probe_inputs(CYCLE),
        model.hidden_states(CYCLE),
        max_lag=2,
        surrogate=True,
        random_state=0,
    )
    assert score == expected.net_capacity
    # In a cyclic language the past tokens are decoded, but from the current
    # one as well as from the states: the states hold nothing beyond it.
    assert expected.memory_capacity > 1.0
    assert expected.probe_baseline == pytest.approx(expected.memory_capacity, abs=0.05)
    assert score == pytest.approx(0.0, abs=0.05)


def test_grid_search_a_language_model_over_bptt_length():
    search = GridSearchCV(
        language_model(max_epochs=3),
        {"seq_len": [2, 8]},
        scoring={"probe": make_probe_scorer(2), "neg_perplexity": None},
        refit="probe",
        cv=KFold(2),
    )
    search.fit(CYCLE)
    assert np.isfinite(search.cv_results_["mean_test_probe"]).all()
    assert clone(search.best_estimator_).get_params()["seq_len"] in (2, 8)


def test_probe_scorer_errors():
    with pytest.raises(ValueError, match="max_lag must be a positive integer"):
        make_probe_scorer(0)
    with pytest.raises(ValueError, match="metric must be one of"):
        make_probe_scorer(3, metric="span")


def test_language_model_ids_and_sizes_are_checked_before_building():
    with pytest.raises(
        ValueError,
        match=r"The 'vocab_size' parameter of RecurrentLanguageModel must be an int "
        r"in the range \[1, 16777216\] or None",
    ):
        language_model(vocab_size=10**9).fit(CYCLE)
    with pytest.raises(ValueError, match="vocab_size=10000000.*more than this"):
        language_model(vocab_size=10**7, embedding_dim=10**4).fit(CYCLE)
    numpy = language_model(
        max_epochs=1, vocab_size=np.int64(5), embedding_dim=np.int64(8)
    ).fit(CYCLE)
    python = language_model(max_epochs=1, vocab_size=5, embedding_dim=8).fit(CYCLE)
    assert numpy.perplexity(CYCLE) == python.perplexity(CYCLE)


def test_language_model_window_beyond_the_data_reads_whole_sequences():
    whole = language_model(max_epochs=1, seq_len=None).fit(CYCLE)
    beyond = language_model(max_epochs=1, seq_len=10**9).fit(CYCLE)
    assert beyond.perplexity(CYCLE) == whole.perplexity(CYCLE)


def test_classifier_labels_of_mixed_kinds_are_refused(labelled):
    X, _ = labelled
    labels = np.array(["a", None] * 200, dtype=object)
    with pytest.raises(TypeError, match="y must hold labels of one kind"):
        classifier(max_epochs=1).fit(X, labels)
    mixed = np.array(["a", 1] * 200, dtype=object)
    with pytest.raises(TypeError, match=r"of kinds \['number', 'str'\]"):
        classifier(max_epochs=1).fit(X, mixed)
    with pytest.raises(ValueError, match="y must hold class labels: Unknown label"):
        classifier(max_epochs=1).fit(X, np.linspace(0, 1, 400))


def test_classifier_inputs_in_any_unit_train_the_same_network(labelled):
    X, y = labelled
    reference = classifier(max_epochs=2).fit(X, y)
    assert reference.input_scale_ == 1.0
    scaled = np.ldexp(X, 80)
    model = classifier(max_epochs=2).fit(scaled, y)
    assert model.input_scale_ == 2.0**80
    np.testing.assert_array_equal(
        model.predict_proba(scaled), reference.predict_proba(X)
    )
    np.testing.assert_array_equal(
        model.hidden_states(scaled), reference.hidden_states(X)
    )


def test_classifier_score_checks_the_labels_it_is_given(labelled):
    X, y = labelled
    model = classifier(max_epochs=1).fit(X[:40], y[:40])
    with pytest.raises(ValueError, match=r"one label per sequence, 40; got an array"):
        model.score(X[:40], y[:3])
    assert model.score(X[:40], y[:40, None]) == model.score(X[:40], y[:40])
