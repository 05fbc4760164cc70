"""Running a study (study/_run.py): rows at one evaluation length, settings checked
before any training, configurations dispatched longest first, seeds stacked by the
fixed rule."""

import numpy as np
import pytest
from conftest import comparable, small_study, token_points
from skorch.callbacks import EpochScoring, PrintLog

import sklearn_rnnmemory.study._run as run
from sklearn_rnnmemory import PlateauStopping
from sklearn_rnnmemory.study import run_study
from sklearn_rnnmemory.study._columns import SCALAR_COLUMNS


def test_rows_are_measured_at_one_evaluation_length(study):
    keys = [(r["unit"], r["seq_len"], r["hidden_size"], r["seed"]) for r in study.rows]
    assert keys == [
        (u, k, 4, s) for u in ("rnn", "gru") for k in (3, 6) for s in (0, 1)
    ]
    for row in study.rows:
        assert row["status"] == "ok" and row["error"] == ""
        assert set(SCALAR_COLUMNS) <= set(row)
        # every model is measured on windows of the longest training length
        assert row["eval_len"] == 6
        assert len(row["retention_curve"]) == len(row["retention_stderr"]) == 6
        assert np.shape(row["retention_matrix"]) == (6, 6)
        assert row["memory_capacity"] <= 6
        assert row["capacity_at_seq_len"] <= row["seq_len"]
        assert (
            row["capacity_ci_low"] <= row["memory_capacity"] <= row["capacity_ci_high"]
        )
        # the same cap at every length; below the first round, the one
        # measurement of the validation capacity is at the cap
        assert row["n_updates"] == 12
        assert row["converged"] is False
        assert [n for n, _ in row["capacity_trajectory"]] == [12]
        assert np.isfinite(row["probe_capacity"])
        assert row["probe_net_capacity"] == pytest.approx(
            row["probe_capacity"] - row["probe_baseline"]
        )
        assert 0 <= row["memory_span"] <= 6
        assert row["fit_time"] > 0 and row["n_parameters"] > 0
    # at k = L the capacity at k is the capacity at L
    row = study.rows[2]
    assert row["seq_len"] == 6 and row["capacity_at_seq_len"] == row["memory_capacity"]
    # 4 hidden units, 8 inputs and outputs: rnn 4*(8+4+2) + 8*4+8, gru 3x the first.
    assert study.rows[0]["n_parameters"] == 4 * (8 + 4 + 2) + 40
    assert study.rows[-1]["n_parameters"] == 3 * 4 * (8 + 4 + 2) + 40
    assert study.rows[0]["macs_per_step"] == 4 * (4 + 8)
    assert study.rows[-1]["macs_per_step"] == 3 * 4 * (4 + 8)


def test_eval_len_is_a_parameter(data):
    result = small_study(data, units=["gru"], seeds=[0], eval_len=4)
    assert {r["eval_len"] for r in result.rows} == {4}
    assert all(len(r["retention_curve"]) == 4 for r in result.rows)


def test_parallel_and_serial_rows_are_identical(data, study):
    parallel = small_study(data, n_jobs=2)
    assert comparable(parallel.rows) == comparable(study.rows)


def test_each_unit_trains_at_its_own_rate_unless_lr_is_given(study):
    from sklearn_rnnmemory.study._run import learning_rates

    assert learning_rates(["rnn", "gru", "mgu"], {}) == {
        "rnn": 0.003,
        "gru": 0.03,
        "mgu": 0.01,  # not measured: the estimator's default
    }
    assert learning_rates(["rnn", "gru"], {"lr": 0.005}) == {"rnn": 0.005, "gru": 0.005}
    assert study.settings["learning_rates"] == {"rnn": 0.003, "gru": 0.03}


def test_a_length_that_gives_fewer_windows_than_the_floor_is_refused(data, monkeypatch):
    import sklearn_rnnmemory._evaluation_windows as windows

    monkeypatch.setattr(windows, "min_clusters", lambda length, dims: 25)
    # 12 test sequences of 12 steps: 24 windows of 6, 48 of 3.
    with pytest.raises(
        ValueError,
        match=r"At eval_len 6, the test data holds 24 window\(s\) of 6 steps; the "
        r"indicators need at least 25 windows at L = 6 and d = 8: give a shorter "
        r"eval_len or more test sequences.$",
    ):
        small_study(data)
    # At L = 3 the test data suffice, but the 10 training sequences held out
    # for the plateau rule give 40 windows from 5 groups.
    with pytest.raises(
        ValueError,
        match=r"the validation share the plateau rule holds out \(20 % of the "
        r"training sequences\) holds 40 window\(s\) of 3 steps from 5 group",
    ):
        small_study(data, eval_len=3, train_groups=np.arange(48) // 2)


def test_lengths_the_data_cannot_fill(data):
    with pytest.warns(UserWarning, match=r"seq_lens \[40\] are longer"):
        result = small_study(data, units=["gru"], seeds=[0], seq_lens=[3, 40])
    assert [r["seq_len"] for r in result.rows] == [3]
    assert {r["eval_len"] for r in result.rows} == {3}
    with pytest.raises(ValueError, match="longer than the longest training sequence"):
        small_study(data, seq_lens=[13, 40])
    with pytest.raises(ValueError, match="eval_len 20 is longer than the longest test"):
        small_study(data, eval_len=20)


def test_short_sentences_never_get_a_longer_length_recommended():
    """Sentences of at most 8 words: a length of 40 is refused, never chosen."""
    X = token_points(80, 8, vocab_size=10, seed=4)
    X[::2, 5:] = np.nan  # sentences of 5 and 8 words
    with pytest.warns(UserWarning, match=r"\[40\]"):
        result = run_study(
            X[:60],
            X[60:],
            units=["gru"],
            seq_lens=[3, 40],
            hidden_sizes=[4],
            seeds=[0],
            max_steps=10,
            progress=False,
            estimator_params={"device": "cpu"},
        )
    found = result.recommendations()
    assert {r.seq_len for r in found.values()} == {3}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"units": []}, "units must be a non-empty list"),
        ({"units": ["tcn"]}, "unit must be one of"),
        ({"seq_lens": [0]}, "seq_lens entries must be a positive integer"),
        ({"hidden_sizes": [2.5]}, "hidden_sizes entries must be a positive"),
        ({"seeds": [None]}, "seeds must be integers"),
        ({"seeds": [2**32]}, r"seeds must be integers in \[0, 2\*\*32 - 1\]"),
        ({"seeds": [-1]}, r"got -1"),
        ({"seeds": [1, 0, 1]}, "seeds holds 1 twice"),
        ({"seq_lens": [3, 6, 3]}, "seq_lens holds 3 twice"),
        ({"hidden_sizes": [4, 4]}, "hidden_sizes holds 4 twice"),
        ({"units": ["gru", "rnn", "gru"]}, "units holds gru twice"),
        ({"hidden_sizes": [10**8]}, "would need .* more than this machine's"),
        ({"estimator_params": {"seq_len": 3}}, r"must not set \['seq_len'\]"),
        ({"estimator_params": {"max_steps": 3}}, r"must not set \['max_steps'\]"),
        (
            {"estimator_params": {"lr": 0}},
            "The 'lr' parameter of RecurrentMemoryRegressor must be",
        ),
        ({"estimator_params": {"device": "nodevice"}}, "device 'nodevice'"),
        ({"threshold": 0}, "threshold must be a number"),
        ({"max_steps": 0}, "max_steps must be a positive integer"),
        ({"plateau_tol": 1}, r"plateau_tol must be a number in \[0, 1\)"),
        ({"estimator_params": {"plateau": None}}, r"must not set \['plateau'\]"),
        ({"test_groups": [0, 1]}, r"test_groups must hold one label per sequence"),
        ({"eval_len": 0}, "eval_len must be a positive integer"),
        ({"n_jobs": 0}, "n_jobs must be a non-zero integer"),
        ({"backend": "nonsense"}, "backend must be None"),
        ({"resume": True, "overwrite": True}, "exclude each other"),
        (
            {
                "estimator_params": {
                    "callbacks": [EpochScoring(scoring=object(), on_train=True)]
                }
            },
            "cannot store",
        ),
    ],
)
def test_bad_settings_raise_before_any_training_or_writing(
    data, tmp_path, kwargs, message
):
    path = tmp_path / "results.jsonl"
    path.write_text('{"a row": 1}\n')
    with pytest.raises(ValueError, match=message):
        small_study(data, results_file=path, **{"overwrite": True, **kwargs})
    assert path.read_text() == '{"a row": 1}\n'


def test_configurations_are_dispatched_longest_first(points, monkeypatch):
    from sklearn_rnnmemory import RecurrentMemoryRegressor
    from sklearn_rnnmemory._sequences import sequence_lengths
    from sklearn_rnnmemory.study._configuration import expected_cost

    def no_estimator(*args, **kwargs):
        raise AssertionError("expected_cost built an estimator")

    # The defaults are read off the signature, not from a built estimator.
    monkeypatch.setattr(RecurrentMemoryRegressor, "__init__", no_estimator)
    lengths = sequence_lengths(points)
    by_epochs = {"max_epochs": 5}
    by_steps = {"max_steps": 50}
    cost = {
        (unit, k, name): expected_cost(
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


def test_seeds_are_stacked_by_the_fixed_rule_of_unit_and_size():
    configs = [
        (unit, k, 32, seed)
        for unit in ("rnn", "lstm", "gru")
        for k in (20, 80)
        for seed in (0, 1, 2)
    ]
    plateau = {"plateau": PlateauStopping(80), "batch_size": 32, "device": "cpu"}
    jobs = run._jobs(configs, plateau)
    sizes = {(job[0][0], job[0][1]): len(job) for job in jobs}
    # At k = 80, H = 32 the LSTM trains alone (oneDNN's fused kernel is
    # faster), the RNN and the GRU as stacks of three.
    assert sizes == {
        ("rnn", 20): 3,
        ("rnn", 80): 3,
        ("lstm", 20): 3,
        ("lstm", 80): 1,
        ("gru", 20): 3,
        ("gru", 80): 3,
    }
    assert sorted(c for job in jobs for c in job) == sorted(configs)
    # A fixed budget, callbacks of the user's or another device: one by one.
    assert all(len(job) == 1 for job in run._jobs(configs, {"batch_size": 32}))
    with_callbacks = {**plateau, "callbacks": [("log", PrintLog())]}
    assert all(len(job) == 1 for job in run._jobs(configs, with_callbacks))
