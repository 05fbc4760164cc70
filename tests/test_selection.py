"""Length guidance: recommend_seq_len, the refit rules and search_seq_len."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory._sequences import cut_windows
from sklearn_rnnmemory.indicators import memory_profile
from sklearn_rnnmemory.scoring import make_memory_scorer
from sklearn_rnnmemory.selection import (
    TIE_LEVEL,
    SequentialLengthSearchCV,
    recommend_seq_len,
    refit_seq_len,
    search_seq_len,
    seq_len_guidance,
    significantly_below,
)

LENGTHS = [5, 10, 20, 40]
CAPACITY = {"rnn": [3.0, 4.0, 4.1, 3.5], "lstm": [4.5, 9.0, 15.0, 15.5]}


def cv_results(capacity=CAPACITY, prefix="model__"):
    params, scores = [], []
    for unit, values in capacity.items():
        for k, value in zip(LENGTHS, values, strict=True):
            params.append({f"{prefix}unit": unit, f"{prefix}seq_len": k})
            scores.append(value)
    return {"params": params, "mean_test_memory_capacity": scores}


def test_saturation_and_best_rules():
    results = cv_results()
    assert recommend_seq_len(results) == {"rnn": 10, "lstm": 20}
    assert recommend_seq_len(results, rule="best") == {"rnn": 20, "lstm": 40}
    assert recommend_seq_len(results, tol=0.01) == {"rnn": 20, "lstm": 40}
    assert recommend_seq_len(results, tol=0.5) == {"rnn": 5, "lstm": 10}


def test_refit_picks_the_unit_that_scores_highest_at_its_length():
    results = cv_results()
    index = refit_seq_len()(results)
    assert results["params"][index] == {"model__unit": "lstm", "model__seq_len": 20}
    index = refit_seq_len("best")(results)
    assert results["params"][index] == {"model__unit": "lstm", "model__seq_len": 40}


def test_other_parameters_are_averaged_per_unit_and_length():
    results = {
        "params": [
            {"seq_len": k, "hidden_size": h} for k in (5, 10, 20) for h in (8, 32)
        ],
        "mean_test_score": [2.0, 4.0, 2.5, 8.0, 5.5, 5.6],
    }
    # means: 3.0, 5.25, 5.55 -> saturation within 5 % of 5.55 is 10 (5.25 < 5.27)
    assert recommend_seq_len(results) == {None: 20}
    assert recommend_seq_len(results, tol=0.1) == {None: 10}
    # refit: the best candidate at the chosen length
    assert results["params"][refit_seq_len(tol=0.1)(results)] == {
        "seq_len": 10,
        "hidden_size": 32,
    }


def test_significantly_below_is_scipys_one_sided_paired_t_test():
    import scipy.stats

    rng = np.random.default_rng(0)
    for _ in range(20):
        best, other = rng.normal(10, 1, size=(2, 4))
        other -= rng.uniform(0, 2)
        p = scipy.stats.ttest_rel(best, other, alternative="greater").pvalue
        assert significantly_below(dict(enumerate(best)), dict(enumerate(other))) == (
            p < TIE_LEVEL
        )
    # Pairs are matched by key; NaN pairs and missing keys are left out, and
    # fewer than 3 pairs show nothing.
    best = {0: 10.0, 1: 11.0, 2: 12.0, 3: np.nan}
    assert significantly_below(best, {0: 9.0, 1: 10.0, 2: 11.0, 3: 0.0})
    assert not significantly_below(best, {0: 9.0, 1: 10.0, 3: 0.0})
    assert not significantly_below(best, dict(best))  # equal: no difference


def test_tied_lengths_pair_over_cv_folds_in_a_search_without_seeds():
    # Three folds: 40 is below 80 in every fold by about 1 (significant);
    # 20 is below 80 by 1 on average but the folds disagree (a tie).
    folds = {5: [4, 5, 6], 20: [12, 17, 10], 40: [12, 15, 14], 80: [13, 16, 15]}
    results = {"params": [{"seq_len": k} for k in folds]}
    results["mean_test_memory_capacity"] = [np.mean(v) for v in folds.values()]
    for i in range(3):
        results[f"split{i}_test_memory_capacity"] = [v[i] for v in folds.values()]
    found = seq_len_guidance(results)[None]
    assert found.tied == (20, 80) and found.seq_len == 80
    # recommend_seq_len keeps returning lengths.
    assert recommend_seq_len(results) == {None: 80}
    # Without per-fold scores there are no pairs: every length ties.
    for i in range(3):
        del results[f"split{i}_test_memory_capacity"]
    assert seq_len_guidance(results)[None].tied == (5, 20, 40, 80)


def test_negative_metrics_use_a_relative_tolerance():
    results = {
        "params": [{"seq_len": k} for k in (5, 10, 20)],
        "mean_test_neg_semantic_error": [-0.50, -0.104, -0.10],
    }
    assert recommend_seq_len(results, metric="neg_semantic_error") == {None: 10}


@pytest.mark.parametrize(
    "results, kwargs, message",
    [
        (cv_results(), {"rule": "fastest"}, "rule must be one of"),
        (cv_results(), {"tol": 1.5}, r"tol must be a number in \[0, 1\)"),
        (cv_results(), {"metric": "token_recall"}, "has no mean_test_token_recall"),
        (
            {"params": [{"unit": "rnn"}], "mean_test_score": [1.0]},
            {},
            "no search over seq_len",
        ),
        (
            {"params": [{"seq_len": None}], "mean_test_score": [1.0]},
            {},
            "needs integer training lengths",
        ),
    ],
)
def test_bad_input_raises_named_errors(results, kwargs, message):
    with pytest.raises(ValueError, match=message):
        recommend_seq_len(results, **kwargs)


class WindowMemory(BaseEstimator):
    """Remembers exactly the last ``min(seq_len, span)`` tokens, by construction:
    S^_t = sum of the last m points + (number of older tokens) * mu."""

    def __init__(self, seq_len=None, span=6):
        self.seq_len = seq_len
        self.span = span

    def fit(self, X, y=None):
        self.fits_ = getattr(self, "fits_", 0) + 1
        return self

    def memory_profile(
        self, X, *, eval_len=None, threshold=0.5, probe=False, groups=None
    ):
        windows, _ = cut_windows(X, eval_len or self.seq_len)
        m = min(self.span, windows.shape[1])
        cumulative = np.cumsum(windows, axis=1)
        shifted = np.zeros_like(cumulative)
        shifted[:, m:] = cumulative[:, :-m]
        older = np.maximum(np.arange(1, windows.shape[1] + 1) - m, 0)[None, :, None]
        mu = windows.reshape(-1, windows.shape[2]).mean(axis=0)
        predicted = cumulative - shifted + older * mu
        return memory_profile(windows, predicted, threshold=threshold)


def onehot_tokens(n=400, length=32, vocab=200, seed=0):
    tokens = np.random.default_rng(seed).integers(0, vocab, size=(n, length))
    return np.eye(vocab)[tokens]


def test_search_skips_the_lengths_that_cannot_reach_the_best_and_agrees_with_the_grid():
    X = onehot_tokens()
    lengths = [2, 4, 8, 16, 32]
    grid = GridSearchCV(
        WindowMemory(),
        {"seq_len": lengths},
        scoring=make_memory_scorer("memory_capacity", eval_len=None),
        cv=KFold(2),
    ).fit(X)
    capacity = dict(zip(lengths, grid.cv_results_["mean_test_score"], strict=True))
    assert capacity[2] == pytest.approx(2, abs=1e-9)  # m = k: all remembered
    for k in (8, 16, 32):
        assert capacity[k] == pytest.approx(6, rel=0.1)  # m = span = 6
    for rule, skipped in [("saturation", [2, 4]), ("best", [2, 4])]:
        search = search_seq_len(WindowMemory(), X, lengths, cv=KFold(2), rule=rule)
        assert search.skipped == skipped
        assert search.n_fits == 2 * 3
        assert (
            search.recommended == recommend_seq_len(grid.cv_results_, rule=rule)[None]
        )
        trained = [p["seq_len"] for p in search.cv_results["params"]]
        assert trained == [32, 16, 8]
        np.testing.assert_array_equal(
            search.cv_results["mean_test_memory_capacity"],
            [capacity[k] for k in trained],
        )


def test_saturation_trains_the_lengths_within_tol_that_best_skips():
    X = onehot_tokens()
    lengths = [2, 4, 32]
    grid = GridSearchCV(
        WindowMemory(),
        {"seq_len": lengths},
        scoring=make_memory_scorer("memory_capacity", eval_len=None),
        cv=KFold(2),
    ).fit(X)
    # capacity about 6 at k = 32: k = 4 (capacity 4) cannot be the best, but
    # is within tol = 0.5 of it
    best = search_seq_len(WindowMemory(), X, lengths, cv=KFold(2), rule="best")
    assert best.skipped == [2, 4]
    assert best.recommended == 32
    saturation = search_seq_len(WindowMemory(), X, lengths, cv=KFold(2), tol=0.5)
    assert saturation.skipped == [2]
    assert saturation.recommended == 4
    assert saturation.recommended == recommend_seq_len(grid.cv_results_, tol=0.5)[None]
    assert best.recommended == recommend_seq_len(grid.cv_results_, rule="best")[None]


def test_search_trains_every_length_that_could_still_matter():
    # every length keeps about 6 tokens and is longer than 6: none can be
    # ruled out by its length
    X = onehot_tokens(n=200)
    # The lengths may come as any iterable, a generator too.
    search = search_seq_len(WindowMemory(), X, iter([8, 16, 32]), cv=KFold(2))
    assert search.skipped == []
    assert search.n_fits == 6


def test_search_matches_a_grid_search_of_a_real_network_in_a_pipeline(points):
    model = Pipeline(
        [
            ("scale", FunctionTransformer()),
            (
                "model",
                RecurrentMemoryRegressor(
                    "gru", hidden_size=8, max_epochs=4, random_state=0, device="cpu"
                ),
            ),
        ]
    )
    lengths = [1, 3, 6, 12]
    grid = GridSearchCV(
        model,
        {"model__seq_len": lengths},
        scoring=make_memory_scorer("memory_capacity", eval_len=None),
        cv=KFold(2),
    ).fit(points)
    search = search_seq_len(model, points, lengths, cv=KFold(2), param="model__seq_len")
    assert search.recommended == recommend_seq_len(grid.cv_results_)[None]
    by_length = dict(zip(lengths, grid.cv_results_["mean_test_score"], strict=True))
    for params, score in zip(
        search.cv_results["params"],
        search.cv_results["mean_test_memory_capacity"],
        strict=True,
    ):
        assert score == by_length[params["model__seq_len"]]


def capacity_grid(X, lengths):
    """The grid search the sequential search stands for, with its metric named."""
    scorer = make_memory_scorer("memory_capacity", eval_len=None)
    return GridSearchCV(
        WindowMemory(),
        {"seq_len": lengths},
        scoring={"memory_capacity": scorer},
        refit="memory_capacity",
        cv=KFold(2),
    ).fit(X)


def test_the_sequential_search_is_a_scikit_learn_search():
    X = onehot_tokens(n=200)
    lengths = [8, 16, 32]  # about 6 tokens kept at each: every length trained
    grid = capacity_grid(X, lengths)
    search = SequentialLengthSearchCV(WindowMemory(), lengths, cv=KFold(2)).fit(X)
    # The keys of a grid search, the lengths longest first, the grid's scores.
    assert set(search.cv_results_) == set(grid.cv_results_)
    assert [p["seq_len"] for p in search.cv_results_["params"]] == [32, 16, 8]
    for key in ("mean_test_memory_capacity", "split1_test_memory_capacity"):
        np.testing.assert_array_equal(
            search.cv_results_[key], grid.cv_results_[key][::-1]
        )
    assert search.skipped_ == []
    # The rule reads it as it reads the grid's.
    for rule, tol in [("saturation", 0.05), ("saturation", 0.5), ("best", 0.05)]:
        assert recommend_seq_len(
            search.cv_results_, rule=rule, tol=tol
        ) == recommend_seq_len(grid.cv_results_, rule=rule, tol=tol)
    # Refitted at the recommended length, not at the highest score's.
    k = search.recommended_seq_len_
    assert k == recommend_seq_len(grid.cv_results_)[None]
    assert search.best_params_ == {"seq_len": k}
    assert search.best_estimator_.seq_len == k and search.best_estimator_.fits_ == 1
    row = search.best_index_
    assert search.cv_results_["params"][row] == {"seq_len": k}
    assert search.best_score_ == search.cv_results_["mean_test_memory_capacity"][row]
    scorer = make_memory_scorer("memory_capacity", eval_len=None)
    assert search.score(X) == scorer(search.best_estimator_, X)
    # An estimator: cloned from its parameters, shown in HTML with its model.
    assert clone(search).get_params()["seq_lens"] == lengths
    html = search._repr_html_()
    assert "SequentialLengthSearchCV" in html and "WindowMemory" in html


def test_the_sequential_search_skips_and_may_leave_the_refit():
    X = onehot_tokens()
    lengths = [2, 4, 8, 16, 32]
    search = SequentialLengthSearchCV(
        WindowMemory(), lengths, cv=KFold(2), refit=False
    ).fit(X)
    assert search.skipped_ == [2, 4]
    assert len(search.cv_results_["params"]) == 3
    grid = capacity_grid(X, lengths)
    assert search.recommended_seq_len_ == recommend_seq_len(grid.cv_results_)[None]
    assert not hasattr(search, "best_estimator_")
    with pytest.raises(AttributeError, match="refit=False"):
        search.score(X)
    with pytest.raises(ValueError, match="'rule' parameter"):
        SequentialLengthSearchCV(WindowMemory(), [2, 4], rule="median").fit(X)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"seq_lens": [0, 5]}, "each of seq_lens must be a positive integer"),
        ({"seq_lens": []}, "seq_lens holds no length"),
        ({"rule": "median"}, "rule must be one of"),
        ({"tol": 1.5}, "tol must be a number in"),
    ],
)
def test_search_bad_input(kwargs, message):
    options = {"seq_lens": [2, 4], **kwargs}
    with pytest.raises(ValueError, match=message):
        search_seq_len(WindowMemory(), onehot_tokens(n=20), **options)


def with_eval_lens(results, per_candidate):
    """``results`` with the eval_len scorer's record: one row per candidate,
    one column per fold."""
    per_candidate = np.asarray(per_candidate, dtype=float)
    recorded = {
        f"split{fold}_test_eval_len": per_candidate[:, fold]
        for fold in range(per_candidate.shape[1])
    }
    return {**results, **recorded, "mean_test_eval_len": per_candidate.mean(axis=1)}


def test_guidance_says_which_length_every_candidate_was_read_at(recwarn):
    from sklearn_rnnmemory.selection import seq_len_guidance

    results = cv_results()
    assert seq_len_guidance(results)["lstm"].eval_len is None  # no record
    common = with_eval_lens(results, [[40, 40]] * 8)
    assert {u: g.eval_len for u, g in seq_len_guidance(common).items()} == {
        "rnn": 40,
        "lstm": 40,
    }
    # Folds may differ; the candidates of a fold share theirs.
    by_fold = with_eval_lens(results, [[40, 36]] * 8)
    assert seq_len_guidance(by_fold)["rnn"].eval_len == (40, 36)
    # A failed fit (NaN) records nothing and changes nothing.
    failed = with_eval_lens(results, [[40, 40]] * 7 + [[np.nan, np.nan]])
    assert seq_len_guidance(failed)["lstm"].eval_len == 40
    assert not recwarn.list


def test_guidance_warns_when_candidates_were_read_at_their_own_lengths():
    own = with_eval_lens(cv_results(), [[k, k] for k in LENGTHS] * 2)
    with pytest.warns(UserWarning, match="at their own training lengths") as caught:
        assert recommend_seq_len(own) == {"rnn": 10, "lstm": 20}  # still answers
    message = str(caught[0].message)
    assert "unit 'rnn'" in message and "k = 5: L = 5, k = 10: L = 10" in message
    assert "memory_scorers(eval_len=L)" in message
    from sklearn_rnnmemory.selection import seq_len_guidance

    with pytest.warns(UserWarning, match="at their own"):
        assert seq_len_guidance(own)["rnn"].eval_len is None
    mixed = with_eval_lens(cv_results(), [[40, 40]] * 7 + [[20, 20]])
    with pytest.warns(UserWarning, match="unit 'lstm' were scored at different"):
        refit_seq_len()(mixed)


# WindowMemory has no hidden states: its probe_capacity is NaN.
@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_a_search_with_the_default_scorers_records_one_length():
    from sklearn_rnnmemory.scoring import memory_scorers
    from sklearn_rnnmemory.selection import seq_len_guidance

    X = onehot_tokens(n=60, length=16, vocab=20)
    search = GridSearchCV(
        WindowMemory(),
        {"seq_len": [2, 4, 8]},
        scoring=memory_scorers(),
        refit=refit_seq_len(),
        cv=KFold(2),
    ).fit(X)
    results = search.cv_results_
    np.testing.assert_array_equal(results["split0_test_eval_len"], [16, 16, 16])
    assert seq_len_guidance(results)[None].eval_len == 16
    own = GridSearchCV(
        WindowMemory(),
        {"seq_len": [2, 4, 8]},
        scoring=memory_scorers(eval_len=None),
        refit=False,
        cv=KFold(2),
    ).fit(X)
    np.testing.assert_array_equal(own.cv_results_["split1_test_eval_len"], [2, 4, 8])
    with pytest.warns(UserWarning, match="at their own training lengths"):
        recommend_seq_len(own.cv_results_)


def test_a_unit_whose_every_score_is_nan_is_said_to_get_no_length():
    cv_results = {
        "params": [{"unit": u, "seq_len": k} for u in ("rnn", "gru") for k in (5, 10)],
        "mean_test_memory_capacity": [np.nan, np.nan, 3.0, 4.0],
    }
    with pytest.warns(UserWarning) as caught:
        found = recommend_seq_len(cv_results)
    assert found == {"gru": 10}
    assert [str(w.message) for w in caught] == [
        "Every memory_capacity score of unit 'rnn' is NaN (every fit failed or "
        "scored NaN, at lengths [5, 10]); it gets no recommended length."
    ]
    cv_results["mean_test_memory_capacity"] = [np.nan] * 4
    with pytest.warns(UserWarning, match="it gets no recommended length") as caught:
        assert recommend_seq_len(cv_results) == {}
    assert len(caught) == 2


def test_the_sequential_search_validates_its_parameters_as_scikit_learn_checks_it():
    from sklearn.utils.estimator_checks import check_param_validation

    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, max_epochs=1, device="cpu", random_state=0
    )
    search = SequentialLengthSearchCV(model, [2, 4], cv=2)
    check_param_validation("SequentialLengthSearchCV", search)
