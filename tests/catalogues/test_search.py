"""End to end: raw text -> semantic space -> recurrent unit, searched over length."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import load_python_reference
from sklearn_rnnmemory.scoring import make_memory_scorer, memory_scorers
from sklearn_rnnmemory.selection import (
    recommend_seq_len,
    refit_seq_len,
    seq_len_guidance,
)

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


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
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
        # The probe needs more windows than the retention's floor may leave.
        if name != "probe_capacity":
            assert np.isfinite(results[f"mean_test_{name}"]).all()
    # Every candidate is read on the same windows of its test fold, of a
    # length L that depends on the fold alone, and holds at most L tokens.
    for fold in range(2):
        read_at = results[f"split{fold}_test_eval_len"]
        assert len(set(read_at)) == 1 and read_at[0] >= max(LENGTHS)
        assert (results[f"split{fold}_test_memory_capacity"] <= read_at[0]).all()
    guidance = seq_len_guidance(results)
    per_fold = [int(results[f"split{fold}_test_eval_len"][0]) for fold in range(2)]
    expected = per_fold[0] if per_fold[0] == per_fold[1] else tuple(per_fold)
    assert [found.eval_len for found in guidance.values()] == [expected] * 2

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
