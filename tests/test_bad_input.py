"""A catalogue of malformed inputs at every public entry point.

Each must raise a ValueError or TypeError whose message names the problem and
the parameter, raised by the library's own checks (or scikit-learn's), never a
raw torch or numpy error from deep inside.
"""

import numpy as np
import pytest

from sklearn_rnnmemory import (
    RecurrentClassifier,
    RecurrentLanguageModel,
    RecurrentMemoryRegressor,
    SemanticEuclideanSpace,
)
from sklearn_rnnmemory.cli import main
from sklearn_rnnmemory.datasets import load_corpus, make_zipf_sequences
from sklearn_rnnmemory.indicators import memory_profile, probe_memory, retention_curve
from sklearn_rnnmemory.scoring import make_memory_scorer, make_probe_scorer
from sklearn_rnnmemory.selection import recommend_seq_len
from sklearn_rnnmemory.study import run_study

X = np.random.default_rng(0).normal(size=(12, 6, 3)).astype(np.float32)


def fitted_regressor():
    return RecurrentMemoryRegressor(
        "gru", hidden_size=4, max_epochs=1, device="cpu", random_state=0
    ).fit(X)


def regressor(**params):
    return RecurrentMemoryRegressor(**{"max_epochs": 1, "device": "cpu", **params})


def with_hole():
    bad = X.copy()
    bad[0, 2] = np.nan
    return bad


def with_inf():
    bad = X.copy()
    bad[1, 1, 0] = np.inf
    return bad


CASES = {
    # the semantic space
    "space: empty input": (lambda: SemanticEuclideanSpace().fit([]), "no sequences"),
    "space: one string": (
        lambda: SemanticEuclideanSpace().fit("the cat"),
        "single string",
    ),
    "space: only empty sequences": (
        lambda: SemanticEuclideanSpace().fit(["", "  "]),
        "vocabulary would be empty",
    ),
    "space: 3-D array": (
        lambda: SemanticEuclideanSpace().fit(np.ones((2, 2, 2))),
        "2-D array of token",
    ),
    "space: unknown token": (
        lambda: SemanticEuclideanSpace().fit(["a b"]).transform(["a c"]),
        r"Token 'c' in X\[0\] is not in the vocabulary",
    ),
    "space: padding before a token": (
        lambda: SemanticEuclideanSpace().fit(np.array([[1, -1, 2]])),
        r"X\[0, 1\] is padding",
    ),
    "space: inf in ids": (
        lambda: SemanticEuclideanSpace().fit(np.array([[1.0, np.inf]])),
        "infinity",
    ),
    "space: zero dim": (
        lambda: SemanticEuclideanSpace("random", dim=0).fit(["a"]),
        "dim must be",
    ),
    "space: bad item": (lambda: SemanticEuclideanSpace().fit([{"a": 1}]), r"X\[0\]"),
    # the memory regressor
    "regressor: empty input": (
        lambda: regressor().fit(np.empty((0, 5, 2))),
        "X holds no sequences",
    ),
    "regressor: all padding": (
        lambda: regressor().fit(np.full((3, 4, 2), np.nan)),
        "every sequence is padding",
    ),
    "regressor: NaN inside a sequence": (
        lambda: regressor().fit(with_hole()),
        r"X\[0, 2\] is NaN padding followed",
    ),
    "regressor: inf": (lambda: regressor().fit(with_inf()), "X contains infinity"),
    "regressor: 4-D": (lambda: regressor().fit(np.ones((2, 3, 4, 5))), "4 dimension"),
    "regressor: 1-D": (lambda: regressor().fit(np.ones(5)), "Reshape your data"),
    "regressor: strings": (
        lambda: regressor().fit(np.array([["a", "b"]])),
        "cannot be converted",
    ),
    "regressor: ragged lists": (
        lambda: regressor().fit([[1.0, 2.0], [3.0]]),
        "NaN-padded to one length",
    ),
    "regressor: seq_len 0": (lambda: regressor(seq_len=0).fit(X), "seq_len must be"),
    "regressor: seq_len -3": (lambda: regressor(seq_len=-3).fit(X), "seq_len must be"),
    "regressor: hidden_size 0": (
        lambda: regressor(hidden_size=0).fit(X),
        "hidden_size must be",
    ),
    "regressor: unknown unit": (
        lambda: regressor(unit="rnnn").fit(X),
        "unit must be one of",
    ),
    "regressor: feature mismatch": (
        lambda: fitted_regressor().predict(X[:, :, :2]),
        "X has 2 features per step, but RecurrentMemoryRegressor was fitted with 3",
    ),
    "regressor: eval_len 0": (
        lambda: fitted_regressor().memory_profile(X, eval_len=0),
        "eval_len must be",
    ),
    "regressor: bad state": (
        lambda: fitted_regressor().hidden_states(X, state="c"),
        "state must be",
    ),
    # downstream models
    "classifier: labels per step": (
        lambda: RecurrentClassifier(max_epochs=1).fit(X, np.zeros((12, 6))),
        "y should be a 1d array",
    ),
    "classifier: label count": (
        lambda: RecurrentClassifier(max_epochs=1).fit(X, [0, 1]),
        "one label per sequence",
    ),
    "language model: real values": (
        lambda: RecurrentLanguageModel(max_epochs=1).fit(X[:, :, 0]),
        "integer token ids",
    ),
    "language model: embedding_dim 0": (
        lambda: RecurrentLanguageModel(embedding_dim=0).fit(np.ones((2, 3), int)),
        "embedding_dim must be",
    ),
    # indicators
    "indicators: shape mismatch": (
        lambda: memory_profile(X, X[:, :5]),
        "predicted must have the shape of points",
    ),
    "indicators: empty": (
        lambda: retention_curve(np.empty((0, 3, 2)), np.empty((0, 3, 2))),
        "points holds no sequences",
    ),
    "indicators: NaN prediction": (
        lambda: memory_profile(X, np.full_like(X, np.nan)),
        r"predicted\[0, 0\] is NaN",
    ),
    "indicators: threshold": (
        lambda: memory_profile(X, X, threshold=-1),
        "threshold must be",
    ),
    "probe: max_lag 0": (
        lambda: probe_memory(X, X, max_lag=0),
        "max_lag must be a positive integer",
    ),
    "probe: max_lag too long": (
        lambda: probe_memory(X, X, max_lag=6),
        "Too few usable steps",
    ),
    "probe: states not 3-D": (
        lambda: probe_memory(X, X[:, :, 0], max_lag=1),
        "states must have shape",
    ),
    # scorers and guidance
    "scorer: unknown name": (
        lambda: make_memory_scorer("capacity"),
        "Unknown memory scorer 'capacity'",
    ),
    "scorer: negative max_lag": (lambda: make_probe_scorer(-1), "max_lag must be"),
    "guidance: no seq_len": (
        lambda: recommend_seq_len({"params": [{"lr": 1}], "mean_test_score": [1.0]}),
        "no search over seq_len",
    ),
    # study and data
    "study: zero length": (
        lambda: run_study(X, X, seq_lens=[0], progress=False),
        "seq_lens entries",
    ),
    "study: feature mismatch": (
        lambda: run_study(
            X,
            X[:, :, :2],
            units=["rnn"],
            seq_lens=[2],
            estimator_params={"max_epochs": 1},
            progress=False,
        ),
        "do not match",
    ),
    "data: missing corpus": (
        lambda: load_corpus("no/such/file.txt"),
        "neither a built-in corpus",
    ),
    "data: zipf length 0": (lambda: make_zipf_sequences(3, 0), "length must be"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_malformed_input_raises_a_named_error(case):
    call, message = CASES[case]
    with pytest.raises((ValueError, TypeError), match=message) as info:
        call()
    frames = []
    tb = info.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    assert "sklearn_rnnmemory" in frames[-1] or "/sklearn/" in frames[-1], frames[-1]


def test_the_catalogue_is_large():
    assert len(CASES) >= 30


@pytest.mark.parametrize(
    "args, message",
    [
        (["--corpus", "missing.txt"], "neither a built-in corpus"),
        (["--hidden-sizes", "0"], "--hidden-sizes: expected positive integers"),
        (["--epochs", "0"], "--epochs: expected a positive integer"),
    ],
)
def test_cli_reports_malformed_input(tmp_path, capsys, args, message):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(SystemExit) as info:
        main(["assess", "--output", str(tmp_path), "--no-progress", *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnmemory: error: ") and message in err
    assert err.count("\n") == 1
    with pytest.raises(SystemExit):
        main(["assess", "--corpus", str(empty), "--output", str(tmp_path)])
    assert "holds 0 sentence" in capsys.readouterr().err
