"""Length guidance: recommend_seq_len and the refit rules."""

import pytest

from sklearn_rnnmemory.selection import recommend_seq_len, refit_seq_len

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
