"""The study runner: rows, guidance, resume, parallel equals serial."""

import json

import numpy as np
import pytest
from conftest import token_points

from sklearn_rnnmemory.indicators import INDICATORS
from sklearn_rnnmemory.study import TIMING_COLUMNS, StudyResult, run_study


@pytest.fixture(scope="module")
def data():
    X = token_points(60, 12, vocab_size=8, seed=3)
    return X[:48], X[48:]


def small_study(data, **kwargs):
    options = {
        "units": ["rnn", "gru"],
        "seq_lens": [3, 6],
        "hidden_sizes": [4],
        "seeds": [0, 1],
        "estimator_params": {"max_epochs": 2, "device": "cpu"},
        "progress": False,
    }
    return run_study(*data, **{**options, **kwargs})


def comparable(rows):
    """Rows without timings, as text: NaN equals NaN there."""
    return [
        json.dumps({k: v for k, v in r.items() if k not in TIMING_COLUMNS})
        for r in rows
    ]


def test_rows_hold_every_indicator_in_config_order(data):
    result = small_study(data)
    keys = [(r["unit"], r["seq_len"], r["hidden_size"], r["seed"]) for r in result.rows]
    assert keys == [
        (u, k, 4, s) for u in ("rnn", "gru") for k in (3, 6) for s in (0, 1)
    ]
    for row in result.rows:
        assert row["status"] == "ok" and row["error"] == ""
        assert set(INDICATORS) <= set(row)
        assert row["window_length"] == row["seq_len"]
        assert len(row["retention_curve"]) == row["seq_len"]
        assert np.shape(row["retention_matrix"]) == (row["seq_len"],) * 2
        assert row["memory_capacity"] <= row["seq_len"]
        assert row["fit_time"] > 0 and row["n_parameters"] > 0
    # 4 hidden units, 8 inputs and outputs: rnn 4*(8+4+2) + 8*4+8, gru 3x the first.
    assert result.rows[0]["n_parameters"] == 4 * (8 + 4 + 2) + 40
    assert result.rows[-1]["n_parameters"] == 3 * 4 * (8 + 4 + 2) + 40
    # multiply-adds per step: H (H + I) for the vanilla cell, 3 H (H + I) for the GRU
    assert result.rows[0]["macs_per_step"] == 4 * (4 + 8)
    assert result.rows[-1]["macs_per_step"] == 3 * 4 * (4 + 8)
    row = result.rows[0]
    assert row["capacity_per_parameter"] == row["memory_capacity"] / row["n_parameters"]
    assert row["capacity_per_mac"] == row["memory_capacity"] / row["macs_per_step"]


def test_parallel_and_serial_rows_are_identical(data):
    serial = small_study(data, n_jobs=1)
    parallel = small_study(data, n_jobs=2)
    assert comparable(parallel.rows) == comparable(serial.rows)


def test_results_file_and_resume(data, tmp_path):
    path = tmp_path / "results.jsonl"
    full = small_study(data, results_file=path)
    lines = path.read_text().splitlines()
    assert len(lines) == 8
    # Keep three finished rows and half of a fourth, as a killed run leaves them.
    path.write_text("\n".join(lines[:3]) + "\n" + lines[3][: len(lines[3]) // 2])
    resumed = small_study(data, results_file=path, resume=True)
    assert comparable(resumed.rows) == comparable(full.rows)
    stored = [json.loads(line) for line in path.read_text().splitlines()]
    keys = [(r["unit"], r["seq_len"], r["hidden_size"], r["seed"]) for r in stored]
    assert len(keys) == len(set(keys)) == 8
    # Nothing left to do: the file stays as it is.
    before = path.read_text()
    again = small_study(data, results_file=path, resume=True)
    assert path.read_text() == before
    assert comparable(again.rows) == comparable(full.rows)


def test_resume_refuses_a_file_of_another_study(data, tmp_path):
    path = tmp_path / "results.jsonl"
    small_study(data, results_file=path)
    with pytest.raises(ValueError, match="other settings or data"):
        small_study(
            data,
            results_file=path,
            resume=True,
            estimator_params={"max_epochs": 3, "device": "cpu"},
        )


def test_without_resume_the_file_starts_over(data, tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text("not json\n")
    small_study(data, results_file=path, units=["rnn"], seeds=[0])
    assert len(path.read_text().splitlines()) == 2


def test_a_failed_configuration_is_a_row(data):
    failed = small_study(
        data,
        units=["rnn"],
        seeds=[0],
        estimator_params={"max_epochs": 1, "device": "nodevice"},
    )
    assert [r["status"] for r in failed.rows] == ["failed", "failed"]
    assert failed.rows[0]["error"].startswith("ValueError: device 'nodevice'")
    assert np.isnan(failed.rows[0]["memory_capacity"])
    assert failed.summary() == [] and failed.recommendations() == {}


def test_recommendations_per_unit_and_hidden_size():
    def row(unit, k, capacity, hidden_size=32, seed=0):
        return {
            "unit": unit,
            "seq_len": k,
            "hidden_size": hidden_size,
            "seed": seed,
            "status": "ok",
            "retention_curve": [1.0] * k,
            "fit_time": 1.0,
            "n_parameters": 10,
            **dict.fromkeys(INDICATORS, 0.0),
            "memory_capacity": capacity,
        }

    rows = [
        row("rnn", 5, 4.0),
        row("rnn", 10, 6.0),
        row("rnn", 20, 6.1),
        row("gru", 5, 4.5),
        row("gru", 10, 9.0),
        row("gru", 20, 17.0),
        row("gru", 20, 19.0, seed=1),
        row("gru", 10, 9.0, seed=1),
        row("gru", 5, 5.0, hidden_size=8),
        row("gru", 10, 5.1, hidden_size=8),
    ]
    result = StudyResult(rows)
    assert result.recommendations() == {
        ("rnn", 32): 10,
        ("gru", 32): 20,
        ("gru", 8): 5,
    }
    assert result.recommendations(rule="best")[("rnn", 32)] == 20
    gru_20 = [e for e in result.summary() if e["unit"] == "gru" and e["seq_len"] == 20]
    assert gru_20[0]["memory_capacity"] == 18.0 and gru_20[0]["n_seeds"] == 2
    table = result.table().splitlines()
    assert table[0].split()[:4] == ["unit", "hidden", "length", "capacity"]
    assert len(table) == 1 + 8


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"units": []}, "units must be a non-empty list"),
        ({"units": ["tcn"]}, "unit must be one of"),
        ({"seq_lens": [0]}, "seq_lens entries must be a positive integer"),
        ({"hidden_sizes": [2.5]}, "hidden_sizes entries must be a positive"),
        ({"seeds": [None]}, "seeds must be integers"),
        ({"estimator_params": {"seq_len": 3}}, r"must not set \['seq_len'\]"),
        ({"estimator_params": {"lr": 0}}, "lr must be a positive number"),
        ({"threshold": 0}, "threshold must be a number"),
    ],
)
def test_bad_settings_raise_before_any_training(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        small_study(data, **kwargs)


def test_a_diverging_configuration_is_recorded_and_the_study_goes_on(data):
    result = small_study(
        data,
        units=["rnn"],
        seq_lens=[3],
        seeds=[0],
        estimator_params={
            "max_epochs": 3,
            "lr": 1e25,
            "optimizer": "sgd",
            "device": "cpu",
        },
    )
    (row,) = result.rows
    assert row["status"] == "failed"
    assert row["error"].startswith("ValueError: Training diverged")


def test_configurations_are_dispatched_longest_first(points):
    from sklearn_rnnmemory._sequences import sequence_lengths
    from sklearn_rnnmemory.study import _expected_cost

    lengths = sequence_lengths(points)
    by_epochs = {"max_epochs": 5}
    by_steps = {"max_steps": 50}
    cost = {
        (unit, k, name): _expected_cost(
            (unit, k, 8, 0), lengths, points.shape[2], params
        )
        for unit in ("rnn", "lstm")
        for k in (2, 12)
        for name, params in (("epochs", by_epochs), ("steps", by_steps))
    }
    # a pass over short windows makes more updates, each with a fixed cost
    assert cost["lstm", 2, "epochs"] > cost["lstm", 12, "epochs"]
    # the same updates over longer windows do more work
    assert cost["lstm", 2, "steps"] < cost["lstm", 12, "steps"]
    assert cost["lstm", 12, "steps"] > cost["rnn", 12, "steps"]
