"""A catalogue of malformed inputs at every public entry point.

Each must raise a ValueError or TypeError whose message names the problem and
the parameter, raised by the library's own checks (or scikit-learn's), never a
raw torch or numpy error from deep inside.
"""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from conftest import raised_by_own_check
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Checkpoint, EarlyStopping, EpochScoring, ProgressBar

from sklearn_rnnmemory import (
    RecurrentClassifier,
    RecurrentLanguageModel,
    RecurrentMemoryRegressor,
    SemanticEuclideanSpace,
)
from sklearn_rnnmemory.cli import main
from sklearn_rnnmemory.datasets import (
    load_corpus,
    load_python_reference,
    make_zipf_sequences,
)
from sklearn_rnnmemory.indicators import memory_profile, probe_memory, retention_curve
from sklearn_rnnmemory.scoring import (
    make_memory_scorer,
    make_probe_scorer,
    memory_scorers,
)
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
        "The 'dim' parameter of SemanticEuclideanSpace must be",
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
    "regressor: seq_len 0": (
        lambda: regressor(seq_len=0).fit(X),
        "The 'seq_len' parameter of RecurrentMemoryRegressor must be",
    ),
    "regressor: seq_len -3": (
        lambda: regressor(seq_len=-3).fit(X),
        "The 'seq_len' parameter of RecurrentMemoryRegressor must be",
    ),
    "regressor: hidden_size 0": (
        lambda: regressor(hidden_size=0).fit(X),
        "The 'hidden_size' parameter of RecurrentMemoryRegressor must be",
    ),
    "regressor: unknown unit": (
        lambda: regressor(unit="rnnn").fit(X),
        "The 'unit' parameter of RecurrentMemoryRegressor must be",
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
        "The 'embedding_dim' parameter of RecurrentLanguageModel must be",
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


IDS = np.random.default_rng(0).integers(0, 5, size=(12, 6))
LABELS = np.arange(12) % 2
ONE_TOKEN = SemanticEuclideanSpace().fit([["a"] * 6] * 12).transform([["a"] * 6] * 12)


def classifier(**params):
    return RecurrentClassifier(**{"max_epochs": 1, "device": "cpu", **params})


def language_model(**params):
    return RecurrentLanguageModel(**{"max_epochs": 1, "device": "cpu", **params})


def probe(**options):
    return probe_memory(X, X, max_lag=1, **options)


# Second round: tried as a new user or a careless script would. Each entry:
# the call, the error type, and a message that names the parameter.
MORE_CASES = {
    # lengths and sizes beyond the data: refused before anything is allocated
    "space: random dim 10**12": (
        lambda: SemanticEuclideanSpace("random", dim=10**12).fit(["a b"]),
        ValueError,
        r"dimensions \(dim=1000000000000\) would need .* more than this machine",
    ),
    "space: orthogonal dim 10**12": (
        lambda: SemanticEuclideanSpace("orthogonal", dim=10**12).fit(["a b"]),
        ValueError,
        r"dim=1000000000000\) would need",
    ),
    "space: transform to 10**6 dimensions": (
        lambda: (
            SemanticEuclideanSpace("random", dim=10**6, random_state=0)
            .fit(["a b"])
            .transform(["a b " * 50_000] * 20)
        ),
        ValueError,
        "The points of X, 20 sequences .* in dim_=1000000 dimensions would need",
    ),
    "regressor: hidden_size 10**7": (
        lambda: regressor(hidden_size=10**7).fit(X),
        ValueError,
        "hidden_size=10000000, .* more than this machine's available memory",
    ),
    "regressor: num_layers 10**9": (
        lambda: regressor(num_layers=10**9).fit(X),
        ValueError,
        "num_layers=1000000000",
    ),
    "classifier: hidden_size 10**7": (
        lambda: classifier(hidden_size=10**7).fit(X, LABELS),
        ValueError,
        "hidden_size=10000000, .* 2 classes",
    ),
    "language model: token id 10**9": (
        lambda: language_model().fit(np.array([[0, 10**9, 1], [1, 2, 0]])),
        ValueError,
        r"X holds token id 1000000000; ids must be below 2\*\*24",
    ),
    "language model: vocab_size 10**9": (
        lambda: language_model(vocab_size=10**9).fit(IDS),
        InvalidParameterError,
        r"The 'vocab_size' parameter of RecurrentLanguageModel must be an int in "
        r"the range \[1, 16777216\]",
    ),
    "language model: embedding_dim 10**9": (
        lambda: language_model(embedding_dim=10**9).fit(IDS),
        ValueError,
        "embedding_dim=1000000000, vocab_size=5",
    ),
    "probe: max_lag 10**12": (
        lambda: probe_memory(X, X, max_lag=10**12),
        ValueError,
        r"max\(washout, max_lag\) = 1000000000000, .*; shorten max_lag",
    ),
    "probe: washout 10**12": (
        lambda: probe(washout=10**12),
        ValueError,
        "shorten max_lag or washout",
    ),
    "data: zipf 10**7 sequences of 10**7": (
        lambda: make_zipf_sequences(10**7, 10**7),
        ValueError,
        "n_sequences=10000000 sequences of length=10000000 token ids would need",
    ),
    "data: zipf vocab_size 10**13": (
        lambda: make_zipf_sequences(3, 4, vocab_size=10**13),
        ValueError,
        "vocab_size=10000000000000 tokens would need",
    ),
    # misread, or refused from inside a dependency: the library's own error
    "space: unhashable token": (
        lambda: SemanticEuclideanSpace().fit([[["a"], ["b"]]]),
        TypeError,
        r"X\[0\] holds the token \['a'\] of type list, which is not hashable",
    ),
    "space: unhashable token in transform": (
        lambda: SemanticEuclideanSpace().fit([["a"]]).transform([[{"a"}]]),
        TypeError,
        r"X\[0\] holds the token \{'a'\} of type set",
    ),
    "space: tokenizer returns None": (
        lambda: SemanticEuclideanSpace(tokenizer=lambda text: None).fit(["a b"]),
        TypeError,
        r"tokenizer must return a list of tokens; it returned NoneType None for X\[0\]",
    ),
    "space: tokenizer returns the string": (
        lambda: SemanticEuclideanSpace(tokenizer=str.lower).fit(["a b"]),
        TypeError,
        "tokenizer must return a list of tokens; it returned str 'a b'",
    ),
    "space: basis of strings": (
        lambda: SemanticEuclideanSpace(np.array([["a", "b"], ["c", "d"]])).fit([[0]]),
        ValueError,
        "basis must hold numbers",
    ),
    "space: mapping basis of strings": (
        lambda: SemanticEuclideanSpace({"a": "xy"}).fit([["a"]]),
        ValueError,
        r"basis\['a'\] must hold numbers",
    ),
    "space: random_state -1": (
        lambda: SemanticEuclideanSpace("random", random_state=-1).fit(["a b"]),
        InvalidParameterError,
        "The 'random_state' parameter of SemanticEuclideanSpace must be",
    ),
    "space: vocabulary a string": (
        lambda: SemanticEuclideanSpace(vocabulary="abc").fit(["a b"]),
        InvalidParameterError,
        r"The 'vocabulary' parameter of SemanticEuclideanSpace must be .* Got 'abc'",
    ),
    "space: mapping vocabulary with a gap": (
        lambda: SemanticEuclideanSpace(vocabulary={"a": 0, "b": 5}).fit(["a b"]),
        ValueError,
        "A mapping vocabulary must map its tokens to the indices 0 .. 1",
    ),
    "space: unhashable vocabulary entry": (
        lambda: SemanticEuclideanSpace(vocabulary=[["a"]]).fit(["a b"]),
        TypeError,
        r"vocabulary\[0\] is \['a'\]",
    ),
    "space: NaN token in a list": (
        lambda: SemanticEuclideanSpace().fit([[1.0, float("nan")]]),
        ValueError,
        r"X\[0\] holds NaN, which cannot be a token",
    ),
    "space: a dict of texts": (
        lambda: SemanticEuclideanSpace().fit({"the cat": 1}),
        ValueError,
        "X must be an ordered collection of sequences",
    ),
    "space: pad_value a list": (
        lambda: SemanticEuclideanSpace(pad_value=[-1]).fit(["a b"]),
        InvalidParameterError,
        "The 'pad_value' parameter of SemanticEuclideanSpace must be",
    ),
    "space: nearest tokens of strings": (
        lambda: SemanticEuclideanSpace().fit(["a b"]).nearest_tokens([["x", "y"]]),
        ValueError,
        "points must hold numbers",
    ),
    "regressor: random_state -1": (
        lambda: regressor(random_state=-1).fit(X),
        InvalidParameterError,
        "The 'random_state' parameter of RecurrentMemoryRegressor must be",
    ),
    "regressor: random_state a Generator": (
        lambda: regressor(random_state=np.random.default_rng(0)).fit(X),
        InvalidParameterError,
        "The 'random_state' parameter of RecurrentMemoryRegressor must be",
    ),
    "regressor: device meta": (
        lambda: regressor(device="meta").fit(X),
        ValueError,
        "device 'meta' cannot be used here",
    ),
    "regressor: device a list": (
        lambda: regressor(device=["cpu"]).fit(X),
        InvalidParameterError,
        "The 'device' parameter of RecurrentMemoryRegressor must be",
    ),
    "regressor: callbacks 'progress'": (
        lambda: regressor(callbacks="progress").fit(X),
        InvalidParameterError,
        "The 'callbacks' parameter of RecurrentMemoryRegressor must be",
    ),
    "regressor: a single callback": (
        lambda: regressor(callbacks=ProgressBar()).fit(X),
        InvalidParameterError,
        "The 'callbacks' parameter of RecurrentMemoryRegressor must be",
    ),
    "regressor: callbacks [1]": (
        lambda: regressor(callbacks=[1]).fit(X),
        TypeError,
        r"callbacks\[0\] must be a skorch callback",
    ),
    "regressor: EarlyStopping without a validation split": (
        lambda: regressor(callbacks=[EarlyStopping()]).fit(X),
        ValueError,
        r"callbacks\[0\] monitors 'valid_loss'.*set validation_fraction",
    ),
    "regressor: Checkpoint without a validation split": (
        lambda: regressor(callbacks=[("cp", Checkpoint(dirname="unused"))]).fit(X),
        ValueError,
        "monitors 'valid_loss_best'",
    ),
    "regressor: scoring held-out data without a validation split": (
        lambda: regressor(callbacks=[EpochScoring(lambda net, X, y: 0.0)]).fit(X),
        ValueError,
        r"callbacks\[0\] scores held-out data \(on_train=False\)",
    ),
    "regressor: a scikit-learn scorer name on outputs per step": (
        lambda: regressor(callbacks=[EpochScoring("r2", on_train=True)]).fit(X),
        ValueError,
        r"callbacks\[0\] scores with scikit-learn's scorer 'r2'",
    ),
    "regressor: a callback class that needs arguments": (
        lambda: regressor(callbacks=[EpochScoring], validation_fraction=0.5).fit(X),
        TypeError,
        r"callbacks\[0\] is the class EpochScoring, which needs arguments",
    ),
    "regressor: a callback named like a built-in one": (
        lambda: regressor(callbacks=[("train_loss", ProgressBar())]).fit(X),
        ValueError,
        r"callbacks\[0\] is named 'train_loss'",
    ),
    "regressor: unit a list": (
        lambda: regressor(unit=["gru"]).fit(X),
        InvalidParameterError,
        "The 'unit' parameter of RecurrentMemoryRegressor must be",
    ),
    "regressor: nothing left to train on": (
        lambda: regressor(validation_fraction=0.95).fit(X),
        ValueError,
        "validation_fraction=0.95 holds out 12 of the 12 training windows",
    ),
    "regressor: verbose 'yes'": (
        lambda: regressor(verbose="yes").fit(X),
        InvalidParameterError,
        "The 'verbose' parameter of RecurrentMemoryRegressor must be",
    ),
    "regressor: texts instead of points": (
        lambda: regressor().fit(["the cat sat", "a dog"]),
        ValueError,
        "map its tokens to semantic points with SemanticEuclideanSpace",
    ),
    "regressor: an object in X": (
        lambda: regressor().fit(np.array([[{"a": 1}, 1.0]], dtype=object)),
        TypeError,
        "X must be a numeric array of sequences",
    ),
    "regressor: probe 'no'": (
        lambda: fitted_regressor().memory_profile(X, probe="no"),
        ValueError,
        "probe must be True or False",
    ),
    "classifier: labels of mixed kinds": (
        lambda: classifier().fit(X, np.array(["a", None] * 6, dtype=object)),
        TypeError,
        "y must hold labels of one kind",
    ),
    "classifier: score with too few labels": (
        lambda: classifier().fit(X, LABELS).score(X, LABELS[:3]),
        ValueError,
        "y must hold one label per sequence, 12",
    ),
    "classifier: EarlyStopping without a validation split": (
        lambda: classifier(callbacks=[EarlyStopping()]).fit(X, LABELS),
        ValueError,
        "monitors 'valid_loss'",
    ),
    "language model: ragged lists": (
        lambda: language_model().fit([[0, 1, 2], [1]]),
        ValueError,
        "X must be a 2-D numeric array of token ids",
    ),
    "language model: random_state 2**32": (
        lambda: language_model(random_state=2**32).fit(IDS),
        InvalidParameterError,
        "The 'random_state' parameter of RecurrentLanguageModel must be",
    ),
    "probe: ridge a string": (
        lambda: probe(ridge="1e-3"),
        ValueError,
        "ridge must be a number >= 0",
    ),
    "probe: surrogate 'yes'": (
        lambda: probe(surrogate="yes"),
        ValueError,
        "surrogate must be True or False",
    ),
    "probe: random_state -1": (
        lambda: probe(random_state=-1),
        ValueError,
        "random_state must be an integer in",
    ),
    "probe: states of strings": (
        lambda: probe_memory(X, np.full((12, 6, 2), "a"), max_lag=1),
        ValueError,
        "states must be a numeric array",
    ),
    "data: corpus None": (
        lambda: load_corpus(None),
        TypeError,
        "corpus name must be one of",
    ),
    "data: python reference min_words 0": (
        lambda: load_python_reference(min_words=0),
        ValueError,
        "min_words must be a positive integer",
    ),
    "data: zipf exponent NaN": (
        lambda: make_zipf_sequences(3, 4, exponent=float("nan")),
        ValueError,
        "exponent must be a number >= 0",
    ),
    "data: zipf random_state -1": (
        lambda: make_zipf_sequences(3, 4, random_state=-1),
        ValueError,
        "random_state must be an integer in",
    ),
    "scorer: name None": (
        lambda: make_memory_scorer(None),
        ValueError,
        "Unknown memory scorer None",
    ),
    # numeric extremes and degenerate data
    "space: basis beyond float32": (
        lambda: SemanticEuclideanSpace(np.eye(3) * 1e40).fit([[0, 1]]),
        ValueError,
        "basis holds the value 1e\\+40, beyond float32's range",
    ),
    "space: basis that rounds to zero in float32": (
        lambda: SemanticEuclideanSpace(np.eye(3) * 1e-50).fit([[0, 1]]),
        ValueError,
        "basis gives the token 0 a point so small that it rounds to zero",
    ),
    "space: a basis of zero points only": (
        lambda: SemanticEuclideanSpace(np.zeros((3, 2))).fit([[0, 1]]),
        ValueError,
        "basis gives every token the zero point",
    ),
    "space: co-occurrence of one repeated token": (
        lambda: SemanticEuclideanSpace("cooccurrence").fit([["a"] * 6] * 12),
        ValueError,
        "basis='cooccurrence' learned no point",
    ),
    "regressor: float64 points beyond float32": (
        lambda: regressor().fit(X.astype(np.float64) * 1e300),
        ValueError,
        "X holds the value .*, beyond the range of float32",
    ),
    "regressor: float64 points that round to zero": (
        lambda: regressor().fit(X.astype(np.float64) * 1e-300),
        ValueError,
        r"X\[0, 0\] is a point so small that it rounds to zero",
    ),
    "regressor: a corpus of one repeated token": (
        lambda: regressor(random_state=0).fit(ONE_TOKEN).score(ONE_TOKEN),
        ValueError,
        "Every evaluation window of X holds the same token points",
    ),
    # guidance parameters checked when the scorer is made
    "scorer: probe test_size 5": (
        lambda: make_probe_scorer(2, test_size=5),
        ValueError,
        r"test_size must be a number in \(0, 1\); got 5",
    ),
    "scorer: probe ridge -1": (
        lambda: make_probe_scorer(2, ridge=-1),
        ValueError,
        "ridge must be a number >= 0",
    ),
    "scorer: probe washout -1": (
        lambda: make_probe_scorer(2, washout=-1),
        ValueError,
        "washout must be an integer >= 0",
    ),
    "scorer: probe surrogate 'no'": (
        lambda: make_probe_scorer(2, surrogate="no"),
        ValueError,
        "surrogate must be True or False",
    ),
    "scorer: probe random_state -1": (
        lambda: make_probe_scorer(2, random_state=-1),
        ValueError,
        "random_state must be an integer in",
    ),
    "scorer: memory threshold NaN": (
        lambda: memory_scorers(threshold=float("nan")),
        ValueError,
        r"threshold must be a number in \(0, 1\]",
    ),
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
    assert len(MORE_CASES) >= 40


@pytest.mark.parametrize("case", list(MORE_CASES), ids=list(MORE_CASES))
def test_careless_input_raises_the_library_s_own_named_error(case):
    call, error, message = MORE_CASES[case]
    with pytest.raises(error, match=message) as info:
        call()
    assert type(info.value) is error
    where, own = raised_by_own_check(info.value)
    assert own, f"raised in {where}, not by a check of the library"


class OneColumnFrame:
    """What a one-column DataFrame of texts gives numpy: an (n, 1) object array."""

    def __array__(self, dtype=None, copy=None):
        return np.array([["The cat sat"], ["a dog"]], dtype=object)


# Inputs of the same kinds that are valid: each gives the correct result.
ACCEPTED = {
    "space: a one-column frame of texts is tokenized": (
        lambda: list(SemanticEuclideanSpace().fit(OneColumnFrame()).vocabulary_),
        ["the", "cat", "sat", "a", "dog"],
    ),
    "space: object rows padded with pad_value, None and NaN": (
        lambda: (
            SemanticEuclideanSpace()
            .fit(np.array([["a", "b", -1], ["c", None, np.nan]], dtype=object))
            .tokens_.tolist()
        ),
        ["a", "b", "c"],
    ),
    "space: a context wider than every sentence": (
        lambda: (
            SemanticEuclideanSpace("cooccurrence", context_size=10**6, dim=2)
            .fit(["a b c d", "d c b a e"])
            .points_.shape
        ),
        (5, 2),
    ),
    "regressor: seq_len 10**9 reads whole sequences": (
        lambda: regressor(seq_len=10**9, random_state=0).fit(X).predict(X).shape,
        (12, 6, 3),
    ),
    "regressor: eval_len 10**9 evaluates whole sequences": (
        lambda: fitted_regressor().memory_profile(X, eval_len=10**9).window_length,
        6,
    ),
    "regressor: device None is torch's default device": (
        lambda: regressor(device=None, hidden_size=4).fit(X).device_,
        "cpu",
    ),
    "regressor: NumPy integers size the network": (
        lambda: (
            regressor(hidden_size=np.int64(3), num_layers=np.int32(2))
            .fit(X)
            .hidden_states(X)
            .shape
        ),
        (12, 6, 3),
    ),
    "regressor: a torch tensor that requires grad": (
        lambda: (
            regressor(hidden_size=4)
            .fit(torch.tensor(X, requires_grad=True))
            .n_features_in_
        ),
        3,
    ),
    "space: a sparse basis": (
        lambda: SemanticEuclideanSpace(sp.eye(4, format="csr")).fit([[0, 3]]).dim_,
        4,
    ),
    "language model: seq_len 10**9": (
        lambda: language_model(hidden_size=4, seq_len=10**9).fit(IDS).vocab_size_,
        5,
    ),
    "scorer: a NumPy float ridge": (
        lambda: make_probe_scorer(2, ridge=np.float32(1e-3)).probe_params["ridge"],
        np.float32(1e-3),
    ),
    "probe: NumPy numbers": (
        lambda: probe(ridge=np.float32(1e-3), test_size=np.float64(0.3)).n_test,
        4 * 5,
    ),
    "data: a NumPy float exponent": (
        lambda: make_zipf_sequences(3, 4, exponent=np.float32(1.0)).shape,
        (3, 4),
    ),
}


@pytest.mark.parametrize("case", list(ACCEPTED), ids=list(ACCEPTED))
def test_valid_input_of_the_same_kinds_gives_the_correct_result(case):
    call, expected = ACCEPTED[case]
    assert call() == expected


@pytest.mark.parametrize(
    "args, message",
    [
        (["--corpus", "missing.txt"], "neither a built-in corpus"),
        (["--hidden-sizes", "0"], "--hidden-sizes entries must be a positive"),
        (["--epochs", "0"], "--epochs must be"),
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
    assert "holds 0 document" in capsys.readouterr().err
