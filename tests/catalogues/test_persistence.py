"""Persistence: pickle, joblib, skorch parameters (safetensors), CUDA to CPU."""

import pickle

import joblib
import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline
from skorch.exceptions import DeviceWarning

from sklearn_rnnmemory import (
    RecurrentClassifier,
    RecurrentLanguageModel,
    RecurrentMemoryRegressor,
    SemanticEuclideanSpace,
)

TEXTS = ["the cat sat on the mat", "a dog sat on a log", "the dog saw a cat"] * 8


def regressor(**params):
    options = {
        "hidden_size": 8,
        "seq_len": 4,
        "max_epochs": 3,
        "random_state": 0,
        "device": "cpu",
    }
    return RecurrentMemoryRegressor("lstm", **{**options, **params})


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pipeline_round_trip(tmp_path, dump):
    pipe = make_pipeline(SemanticEuclideanSpace(), regressor()).fit(TEXTS)
    if dump == "pickle":
        restored = pickle.loads(pickle.dumps(pipe))
    else:
        joblib.dump(pipe, tmp_path / "pipe.joblib")
        restored = joblib.load(tmp_path / "pipe.joblib")
    np.testing.assert_array_equal(restored.predict(TEXTS), pipe.predict(TEXTS))
    assert restored.score(TEXTS) == pipe.score(TEXTS)


def test_downstream_models_round_trip():
    X = np.random.default_rng(0).normal(size=(40, 5, 2)).astype(np.float32)
    y = X[:, 0, 0] > 0
    clf = RecurrentClassifier(
        "gru", hidden_size=4, max_epochs=2, device="cpu", random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(clf)).predict_proba(X), clf.predict_proba(X)
    )
    ids = np.tile([0, 1, 2], (10, 4))
    lm = RecurrentLanguageModel(
        "rnn",
        hidden_size=4,
        embedding_dim=4,
        seq_len=5,
        max_epochs=2,
        device="cpu",
        random_state=0,
    ).fit(ids)
    assert pickle.loads(pickle.dumps(lm)).perplexity(ids) == lm.perplexity(ids)


def test_skorch_parameters_through_safetensors(tmp_path):
    X = SemanticEuclideanSpace().fit_transform(TEXTS)
    trained = regressor().fit(X)
    path = tmp_path / "params.safetensors"
    trained.net_.save_params(f_params=path, use_safetensors=True)
    other = regressor(max_epochs=1, random_state=1).fit(X)
    assert not np.allclose(other.predict(X), trained.predict(X), equal_nan=True)
    other.net_.load_params(f_params=path, use_safetensors=True)
    np.testing.assert_array_equal(other.predict(X), trained.predict(X))


def test_a_cuda_trained_model_loads_on_a_cpu_only_machine(monkeypatch):
    """As skorch tests it: a net pickled with device "cuda", loaded where CUDA is
    missing, lands on the CPU; the estimator then reads there."""
    X = SemanticEuclideanSpace().fit_transform(TEXTS)
    model = regressor().fit(X)
    expected = model.predict(X)
    model.net_.device = "cuda"
    model.device_ = "cuda"
    blob = pickle.dumps(model)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(DeviceWarning, match="no CUDA devices are available"):
        restored = pickle.loads(blob)
    assert restored.device_ == "cpu"
    np.testing.assert_array_equal(restored.predict(X), expected)
