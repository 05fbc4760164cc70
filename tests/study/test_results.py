"""A study's results (study/_results.py): the summary over seeds and its interval,
recommendations, the table of rows."""

import sys

import numpy as np
import pytest

from sklearn_rnnmemory.indicators import INDICATORS
from sklearn_rnnmemory.study import StudyResult
from sklearn_rnnmemory.study._columns import SCALAR_COLUMNS


def test_summary_has_the_mean_and_a_t_interval_over_seeds(study):
    entry = study.summary()[0]
    rows = [r for r in study.rows if r["unit"] == "rnn" and r["seq_len"] == 3]
    values = [r["memory_capacity"] for r in rows]
    half = 12.706204736 * np.std(values, ddof=1) / np.sqrt(2)  # t(0.975, 1)
    assert entry["n_seeds"] == 2 and entry["eval_len"] == 6
    assert entry["memory_capacity"] == pytest.approx(np.mean(values))
    # a capacity cannot be negative: the interval is cut at 0
    low = max(np.mean(values) - half, 0.0)
    assert entry["memory_capacity_low"] == pytest.approx(low)
    assert entry["memory_capacity_high"] == pytest.approx(np.mean(values) + half)
    # a skill can: its interval is not cut
    skills = [r["semantic_skill"] for r in rows]
    half = 12.706204736 * np.std(skills, ddof=1) / np.sqrt(2)
    assert entry["semantic_skill_low"] == pytest.approx(np.mean(skills) - half)


def test_seed_interval_is_cut_at_the_least_possible_value():
    from sklearn_rnnmemory.study._results import seed_interval

    mean, low, high = seed_interval([0.0, 0.1, 5.0])
    assert low < 0
    assert seed_interval([0.0, 0.1, 5.0], lower=0.0) == (mean, 0.0, high)


def _row(unit, k, capacity, hidden_size=32, seed=0):
    return {
        "unit": unit,
        "seq_len": k,
        "hidden_size": hidden_size,
        "seed": seed,
        "eval_len": 20,
        "status": "ok",
        "converged": True,
        "retention_curve": [1.0] * 20,
        "fit_time": 1.0,
        "n_parameters": 10,
        **dict.fromkeys(INDICATORS, 0.0),
        "memory_capacity": capacity,
    }


def test_recommendations_per_unit_and_hidden_size_with_stability():
    rows = [
        _row("rnn", 5, 4.0),
        _row("rnn", 10, 6.0),
        _row("rnn", 20, 6.1),
        _row("gru", 5, 4.5),
        _row("gru", 10, 9.0),
        _row("gru", 20, 17.0),
        _row("gru", 20, 19.0, seed=1),
        _row("gru", 10, 9.0, seed=1),
        _row("gru", 5, 5.0, seed=1),
        _row("gru", 5, 5.0, hidden_size=8),
        _row("gru", 10, 5.1, hidden_size=8),
    ]
    result = StudyResult(rows)
    found = result.recommendations()
    assert {key: r.seq_len for key, r in found.items()} == {
        ("rnn", 32): 10,
        ("gru", 32): 20,
        ("gru", 8): 5,
    }
    assert found[("gru", 32)].stability == 1.0 and found[("gru", 32)].n_seeds == 2
    assert result.recommendations(rule="best")[("rnn", 32)].seq_len == 20
    gru_20 = [e for e in result.summary() if e["unit"] == "gru" and e["seq_len"] == 20]
    assert gru_20[0]["memory_capacity"] == 18.0 and gru_20[0]["n_seeds"] == 2
    table = result.table().splitlines()
    assert table[0].split()[:5] == ["unit", "hidden", "length", "window", "capacity"]
    assert len(table) == 1 + 8
    records = result.recommendation_records()
    assert [(r["unit"], r["hidden_size"]) for r in records] == [
        ("gru", 8),
        ("rnn", 32),
        ("gru", 32),
    ]
    assert records[1] == {
        "unit": "rnn",
        "hidden_size": 32,
        "metric": "memory_capacity",
        "eval_len": 20,
        "saturation": 10,
        "saturation_stability": 1.0,
        "saturation_score": 6.0,
        "best": 20,
        "best_stability": 1.0,
        "best_score": 6.1,
        # one seed: nothing is significantly below the best, every length ties
        "tied": [5, 10, 20],
        "n_seeds": 1,
    }


def test_lengths_not_significantly_below_the_best_are_tied():
    # LSTM: 80 beats 40 by 1.0 +- 2 over three seeds, a near-tie; 20 lies
    # below 80 by 10 in every seed. GRU: 40 is below 80 by 1.0 in every seed.
    lstm = {20: (30.0, 31.0, 29.0), 40: (40.0, 44.0, 38.0), 80: (43.0, 43.0, 39.0)}
    gru = {20: (30.0, 31.0, 29.0), 40: (40.0, 44.0, 38.0), 80: (41.0, 45.0, 39.0)}
    rows = [
        _row(unit, k, capacity, seed=seed)
        for unit, table in (("lstm", lstm), ("gru", gru))
        for k, capacities in table.items()
        for seed, capacity in enumerate(capacities)
    ]
    result = StudyResult(rows)
    found = result.recommendations()
    assert found[("lstm", 32)].tied == (40, 80)
    assert found[("lstm", 32)].seq_len == 40  # within 5 % of 41.7, and tied
    assert found[("gru", 32)].tied == (80,)
    # 40 is within 5 % of 80's mean, but significantly below it: not chosen.
    assert found[("gru", 32)].seq_len == 80
    records = {r["unit"]: r for r in result.recommendation_records()}
    assert records["lstm"]["tied"] == [40, 80] and records["gru"]["tied"] == [80]


def test_a_length_with_failed_seeds_is_averaged_over_the_others():
    rows = [_row("rnn", 5, 4.0), _row("rnn", 10, 6.0), _row("rnn", 10, 7.0, seed=1)]
    rows.append({**_row("rnn", 5, np.nan, seed=1), "status": "failed"})
    found = StudyResult(rows).recommendations(rule="best")[("rnn", 32)]
    assert found.seq_len == 10 and found.score == 6.5


def test_to_frame_has_one_row_per_configuration_and_seed(study):
    pd = pytest.importorskip("pandas")
    frame = study.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 8 and list(frame.columns) == list(SCALAR_COLUMNS)
    assert len(study.to_frame(summary=True)) == 4


def test_to_frame_without_pandas_says_how_to_get_it(study, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        study.to_frame()
