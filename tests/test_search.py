"""End to end: raw text -> semantic space -> recurrent unit, searched over length."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import load_python_reference
from sklearn_rnnmemory.scoring import make_memory_scorer, memory_scorers
from sklearn_rnnmemory.selection import recommend_seq_len, refit_seq_len

LENGTHS = [2, 4, 8]


@pytest.fixture(scope="module")
def sentences():
    return load_python_reference(split="sentences")[:120]


def pipeline(unit="gru"):
    return make_pipeline(
        SemanticEuclideanSpace(
            "random", dim=16, max_vocab=300, handle_unknown="ignore", random_state=0
        ),
        RecurrentMemoryRegressor(
            unit, hidden_size=16, max_epochs=4, lr=0.02, random_state=0, device="cpu"
        ),
    )


def test_grid_search_over_length_and_unit_in_parallel(sentences):
    search = GridSearchCV(
        pipeline(),
        {
            "recurrentmemoryregressor__seq_len": LENGTHS,
            "recurrentmemoryregressor__unit": ["rnn", "gru"],
        },
        scoring=memory_scorers(),
        refit=refit_seq_len(),
        cv=KFold(2),
        n_jobs=2,
    ).fit(sentences)
    results = search.cv_results_
    for name in memory_scorers():
        assert np.isfinite(results[f"mean_test_{name}"]).all()
    # A model read in windows of k holds at most k tokens.
    capacity = results["mean_test_memory_capacity"]
    lengths = np.array(
        [p["recurrentmemoryregressor__seq_len"] for p in results["params"]]
    )
    assert (capacity <= lengths + 1e-9).all()

    recommended = recommend_seq_len(results)
    assert set(recommended) == {"rnn", "gru"}
    best_unit = search.best_params_["recurrentmemoryregressor__unit"]
    assert (
        search.best_params_["recurrentmemoryregressor__seq_len"]
        == (recommended[best_unit])
    )
    assert search.best_estimator_[-1].seq_len == recommended[best_unit]
    # GridSearchCV.score cannot pick a metric under a callable refit with
    # several metrics; the refitted pipeline scores itself.
    assert np.isfinite(search.best_estimator_.score(sentences))


@pytest.mark.parametrize("rule", ["saturation", "best"])
def test_refit_rule_and_recommendation_agree_for_one_unit(sentences, rule):
    search = GridSearchCV(
        pipeline("lstm"),
        {"recurrentmemoryregressor__seq_len": LENGTHS},
        scoring={"memory_capacity": make_memory_scorer("memory_capacity")},
        refit=refit_seq_len(rule),
        cv=KFold(2),
    ).fit(sentences)
    recommended = recommend_seq_len(search.cv_results_, rule=rule)
    assert list(recommended) == [None]
    assert search.best_params_ == {
        "recurrentmemoryregressor__seq_len": recommended[None]
    }


def test_cross_validate_with_several_scorers(sentences):
    scoring = {
        name: make_memory_scorer(name, eval_len=6)
        for name in ("memory_capacity", "memory_span", "neg_semantic_error")
    }
    result = cross_validate(pipeline("rnn"), sentences, scoring=scoring, cv=KFold(3))
    assert result["test_memory_capacity"].shape == (3,)
    assert (result["test_memory_capacity"] <= 6).all()
    assert (result["test_neg_semantic_error"] <= 0).all()
