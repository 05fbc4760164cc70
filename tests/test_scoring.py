"""Memory scorers on bare estimators and on pipelines."""

import pickle

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.model_selection import cross_validate
from sklearn.pipeline import make_pipeline

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory.scoring import (
    SCORER_NAMES,
    common_eval_len,
    make_memory_scorer,
    memory_scorers,
)

TEXTS = [
    "the cat sat on the mat",
    "a dog sat on a log",
    "the dog saw the cat",
    "a cat saw a dog on the mat",
] * 6


@pytest.fixture(scope="module")
def fitted(points):
    return RecurrentMemoryRegressor(
        "gru", hidden_size=8, seq_len=6, max_epochs=3, random_state=0, device="cpu"
    ).fit(points)


def test_names_follow_the_sign_rule():
    assert sorted(SCORER_NAMES) == sorted(
        [
            "memory_capacity",
            "memory_span",
            "memory_rate",
            "semantic_skill",
            "neg_semantic_error",
            "semantic_similarity",
            "probe_capacity",
            "probe_net_capacity",
            "eval_len",
        ]
    )


def test_each_scorer_reads_its_indicator(fitted, points):
    profile = fitted.memory_profile(points, eval_len=common_eval_len(points))
    for name, scorer in memory_scorers().items():
        indicator = name.removeprefix("neg_")
        sign = -1 if name.startswith("neg_") else 1
        if name == "eval_len":
            indicator = "window_length"
        assert scorer(fitted, points) == sign * getattr(profile, indicator)
    assert memory_scorers()["neg_semantic_error"](fitted, points) < 0
    own = fitted.memory_profile(points)  # read at its own seq_len
    assert make_memory_scorer("eval_len", eval_len=None)(fitted, points) == 6
    assert (
        make_memory_scorer("memory_capacity", eval_len=None)(fitted, points)
        == own.memory_capacity
    )


def test_eval_len_and_threshold(fitted, points):
    profile = fitted.memory_profile(points, eval_len=3, threshold=0.9)
    assert profile.window_length == 3
    scorer = make_memory_scorer("memory_span", eval_len=3, threshold=0.9)
    assert scorer(fitted, points) == profile.memory_span


def test_scorer_on_a_pipeline_equals_the_bare_estimator():
    pipe = make_pipeline(
        SemanticEuclideanSpace(),
        RecurrentMemoryRegressor(
            "rnn", hidden_size=8, seq_len=4, max_epochs=2, random_state=0, device="cpu"
        ),
    ).fit(TEXTS)
    points = pipe[0].transform(TEXTS)
    scorer = make_memory_scorer("memory_capacity", eval_len=None)
    assert scorer(pipe, TEXTS) == scorer(pipe[-1], points) == pipe[-1].score(points)
    common = make_memory_scorer("memory_capacity", eval_len=5)
    assert common(pipe, TEXTS) == common(pipe[-1], points)


def test_scorers_pickle(fitted, points):
    scorer = pickle.loads(pickle.dumps(make_memory_scorer("memory_span", eval_len=4)))
    assert (
        scorer(fitted, points) == fitted.memory_profile(points, eval_len=4).memory_span
    )
    assert (
        repr(scorer) == "make_memory_scorer('memory_span', eval_len=4, threshold=0.5)"
    )


def test_bad_scorers_raise_named_errors(points):
    with pytest.raises(ValueError, match="its scorer is 'neg_semantic_error'"):
        make_memory_scorer("semantic_error")
    with pytest.raises(ValueError, match="Unknown memory scorer 'r2'"):
        make_memory_scorer("r2")
    for eval_len in (-2, "own", 2.5):
        with pytest.raises(
            ValueError, match="eval_len must be 'auto', None or a positive integer"
        ):
            make_memory_scorer("memory_span", eval_len=eval_len)
    with pytest.raises(ValueError, match="threshold must be a number in"):
        make_memory_scorer("memory_span", threshold=2)
    dummy = DummyRegressor().fit(np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="needs an estimator with a memory_profile"):
        make_memory_scorer("memory_capacity")(dummy, points)


def count_profiles(monkeypatch):
    calls = []
    original = RecurrentMemoryRegressor.memory_profile

    def counting(self, X, **kwargs):
        calls.append(len(X))
        return original(self, X, **kwargs)

    monkeypatch.setattr(RecurrentMemoryRegressor, "memory_profile", counting)
    return calls


def test_scorers_of_one_dict_share_one_forward_pass(fitted, points, monkeypatch):
    calls = count_profiles(monkeypatch)
    scorers = memory_scorers()
    shared = {name: scorer(fitted, points) for name, scorer in scorers.items()}
    assert len(calls) == 1
    alone = {name: make_memory_scorer(name)(fitted, points) for name in scorers}
    assert shared == alone
    calls.clear()
    scorers["memory_capacity"](fitted, points)
    scorers["memory_capacity"](fitted, points)  # served once: the next call recomputes
    assert len(calls) == 2
    scorers["memory_span"](fitted, points[:10])  # other data: recomputed
    assert len(calls) == 3


def test_cross_validate_computes_one_profile_per_fold(points, monkeypatch):
    calls = count_profiles(monkeypatch)
    model = RecurrentMemoryRegressor("rnn", hidden_size=4, max_epochs=1, device="cpu")
    result = cross_validate(model, points, scoring=memory_scorers(), cv=4)
    assert len(result["test_memory_capacity"]) == 4
    assert calls == [16, 16, 16, 16]


def test_scorer_classes_check_their_parameters_when_made():
    from sklearn_rnnmemory.scoring import MemoryScorer, ProbeScorer, make_probe_scorer

    with pytest.raises(ValueError, match="Unknown memory scorer 'capacity'"):
        MemoryScorer("capacity")
    with pytest.raises(ValueError, match="threshold must be a number in"):
        MemoryScorer("memory_span", threshold=0)
    with pytest.raises(TypeError, match="probe_params takes .*; got 'ridges'"):
        ProbeScorer(2, probe_params={"ridges": 1.0})
    with pytest.raises(ValueError, match=r"test_size must be a number in \(0, 1\)"):
        ProbeScorer(2, probe_params={"test_size": 5})
    with pytest.raises(TypeError, match="probe_params must be a dict"):
        ProbeScorer(2, probe_params=[("ridge", 1.0)])
    numpy = make_probe_scorer(
        np.int64(2), eval_len=np.int64(6), ridge=np.float32(1e-3), washout=np.int8(1)
    )
    assert (numpy.max_lag, numpy.eval_len) == (2, 6)
    assert type(numpy.max_lag) is int and type(numpy.eval_len) is int


def test_the_common_length_is_the_longest_the_sequences_fill_enough(monkeypatch):
    import sklearn_rnnmemory.scoring as scoring

    # 10 sequences of 30 steps, 10 of 12, 10 of 5 (NaN-padded), d = 3.
    X = np.ones((30, 30, 3))
    X[10:20, 12:] = np.nan
    X[20:, 5:] = np.nan
    # Windows that reach L: 10 (30 // L) + 10 (12 // L) + 10 (5 // L).
    for floor, expected in {10: 30, 20: 15, 30: 12, 40: 10, 120: 3}.items():
        monkeypatch.setattr(scoring, "min_clusters", lambda L, d, f=floor: f)
        assert common_eval_len(X) == expected
    # The floor is asked at each length and dimension.
    asked = []
    monkeypatch.setattr(
        scoring, "min_clusters", lambda L, d: asked.append((L, d)) or 10 + L
    )
    assert common_eval_len(X) == 12  # 30 windows of 12 >= 22; 20 of 13 < 23
    assert asked[0] == (30, 3) and asked[-1] == (12, 3)
    monkeypatch.setattr(scoring, "min_clusters", lambda L, d: 10**6)
    with pytest.raises(ValueError, match="too few windows at every evaluation length"):
        common_eval_len(X)


def test_default_scorers_read_every_candidate_at_the_folds_common_length(points):
    # Two models trained at different lengths, scored on one fold.
    short, long = (
        RecurrentMemoryRegressor(
            "rnn", hidden_size=4, seq_len=k, max_steps=5, random_state=0, device="cpu"
        ).fit(points)
        for k in (2, 6)
    )
    L = common_eval_len(points)
    assert L == 12  # 43 of the 64 sequences reach 12: enough
    for model in (short, long):
        scorers = memory_scorers()
        assert {name: s(model, points) for name, s in scorers.items()}["eval_len"] == L
        assert scorers["memory_capacity"](model, points) == pytest.approx(
            model.memory_profile(points, eval_len=L).memory_capacity
        )


def test_groups_reach_the_scorer_through_metadata_routing(monkeypatch):
    import sklearn
    from sklearn.model_selection import GroupKFold, cross_validate

    from sklearn_rnnmemory import RecurrentMemoryRegressor
    from sklearn_rnnmemory.datasets import make_zipf_sequences

    tokens = make_zipf_sequences(120, 20, vocab_size=8, random_state=0)
    X = np.eye(8, dtype=np.float32)[tokens]
    documents = np.repeat(np.arange(30), 4)
    scorer = make_memory_scorer("memory_capacity", eval_len=10)
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, seq_len=10, max_steps=30, random_state=0
    )
    clusters = []
    measure = RecurrentMemoryRegressor.memory_profile

    def counting(self, X, **options):
        profile = measure(self, X, **options)
        clusters.append(profile.n_clusters)
        return profile

    monkeypatch.setattr(RecurrentMemoryRegressor, "memory_profile", counting)
    with sklearn.config_context(enable_metadata_routing=True):
        # fit's groups are the plateau's; this model trains a fixed budget
        model.set_fit_request(groups=False)
        result = cross_validate(
            model,
            X,
            cv=GroupKFold(3),
            params={"groups": documents},
            scoring=scorer,
            return_estimator=True,
            return_indices=True,
        )
    # Each test fold holds 10 documents of 4 sequences: 10 clusters, not the
    # 40 windows of 10 steps.
    assert clusters == [10, 10, 10]
    for fitted, test, score in zip(
        result["estimator"],
        result["indices"]["test"],
        result["test_score"],
        strict=True,
    ):
        grouped = fitted.memory_profile(X[test], eval_len=10, groups=documents[test])
        assert score == pytest.approx(grouped.memory_capacity)
    request = scorer.get_metadata_routing()
    assert request.score.requests == {"groups": True}
    scorer.set_score_request(groups=False)
    assert scorer.get_metadata_routing().score.requests == {"groups": False}
