"""The study runner: rows at a common length, seeds, guidance, storage, resume."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import token_points
from skorch.callbacks import EarlyStopping, EpochScoring

from sklearn_rnnmemory.indicators import INDICATORS
from sklearn_rnnmemory.study import StudyResult, load_study, run_study
from sklearn_rnnmemory.study._columns import SCALAR_COLUMNS, TIMING_COLUMNS


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
        "max_steps": 12,
        "estimator_params": {"device": "cpu"},
        "progress": False,
    }
    return run_study(*data, **{**options, **kwargs})


@pytest.fixture(scope="module")
def study(data):
    return small_study(data)


def comparable(rows):
    """Rows without timings, as text: NaN equals NaN there."""
    return [
        json.dumps({k: v for k, v in r.items() if k not in TIMING_COLUMNS})
        for r in rows
    ]


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


def test_parallel_and_serial_rows_are_identical(data, study):
    parallel = small_study(data, n_jobs=2)
    assert comparable(parallel.rows) == comparable(study.rows)


def test_results_file_resume_and_load(data, tmp_path, study):
    path = tmp_path / "results.jsonl"
    full = small_study(data, results_file=path)
    assert comparable(full.rows) == comparable(study.rows)
    lines = path.read_text().splitlines()
    assert len(lines) == 8
    # Keep three finished rows and half of a fourth, as a killed run leaves them.
    path.write_text("\n".join(lines[:3]) + "\n" + lines[3][: len(lines[3]) // 2])
    with pytest.warns(UserWarning, match="line 4 was cut off"):
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
    # Read back without training: the same rows, one per configuration and seed.
    loaded = load_study(path)
    assert sorted(comparable(loaded.rows)) == sorted(comparable(full.rows))
    assert loaded.settings == full.settings
    assert "8 rows: 8 ok, 0 failed" in repr(loaded)


def test_an_existing_file_is_refused_without_resume_or_overwrite(data, tmp_path):
    path = tmp_path / "results.jsonl"
    small_study(data, results_file=path, units=["rnn"], seeds=[0])
    before = path.read_text()
    with pytest.raises(ValueError, match="already holds results"):
        small_study(data, results_file=path, units=["rnn"], seeds=[0])
    assert path.read_text() == before
    small_study(data, results_file=path, units=["rnn"], seeds=[0, 1], overwrite=True)
    assert len(path.read_text().splitlines()) == 4


def test_resume_refuses_a_file_of_another_study(data, tmp_path):
    path = tmp_path / "results.jsonl"
    small_study(data, results_file=path, units=["rnn"], seeds=[0])
    with pytest.raises(ValueError, match="other settings: lr changed from unset to"):
        small_study(
            data,
            results_file=path,
            units=["rnn"],
            seeds=[0],
            resume=True,
            estimator_params={"lr": 0.02, "device": "cpu"},
        )


def test_settings_are_typed_json_so_a_study_with_callbacks_resumes(data, tmp_path):
    path = tmp_path / "results.jsonl"
    params = {
        "device": "cpu",
        "validation_fraction": 0.25,
        "callbacks": [("stop", EarlyStopping(patience=3))],
    }
    options = {"units": ["rnn"], "seeds": [0], "estimator_params": params}
    small_study(data, results_file=path, **options)
    stored = json.loads(path.read_text().splitlines()[0])["settings"]
    callback = stored["estimator_params"]["callbacks"][0]
    assert callback[0] == "stop"
    assert callback[1]["object"] == "skorch.callbacks.training.EarlyStopping"
    assert callback[1]["params"]["patience"] == 3
    # A new callback object with the same parameters is the same study.
    params["callbacks"] = [("stop", EarlyStopping(patience=3))]
    resumed = small_study(data, results_file=path, resume=True, **options)
    assert len(resumed.rows) == 2
    params["callbacks"] = [("stop", EarlyStopping(patience=4))]
    with pytest.raises(ValueError, match="other settings"):
        small_study(data, results_file=path, resume=True, **options)


def test_a_second_writer_is_refused_and_no_row_is_lost(data, tmp_path):
    """Two processes on one results file: the second is refused at once, the
    first finishes every row."""
    path = tmp_path / "results.jsonl"
    np.save(tmp_path / "train.npy", data[0])
    np.save(tmp_path / "test.npy", data[1])
    script = textwrap.dedent(
        f"""
        import sys, time, pathlib, numpy as np
        from sklearn_rnnmemory.study import run_study
        path = pathlib.Path({str(path)!r})
        X = np.load({str(tmp_path / "train.npy")!r})
        Y = np.load({str(tmp_path / "test.npy")!r})
        if sys.argv[1] == "second":  # start once the first has written a row
            while not (path.exists() and path.read_bytes().count(b"\\n")):
                time.sleep(0.01)
        try:
            run_study(X, Y, units=["rnn", "gru"], seq_lens=[3, 6], hidden_sizes=[4],
                      seeds=[0, 1, 2], max_steps=300, results_file=path,
                      progress=False, estimator_params={{"device": "cpu"}},
                      resume=True)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            sys.exit(3)
        """
    )
    first = subprocess.Popen(
        [sys.executable, "-c", script, "first"], stderr=subprocess.PIPE, text=True
    )
    second = subprocess.run(
        [sys.executable, "-c", script, "second"],
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
    )
    first_err = first.communicate(timeout=300)[1]
    assert first.returncode == 0, first_err
    assert second.returncode == 3, second.stderr
    assert "being written by another study" in second.stderr
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    keys = {(r["unit"], r["seq_len"], r["seed"]) for r in rows}
    assert len(rows) == len(keys) == 12


def test_a_failed_configuration_is_a_row(data):
    failed = small_study(
        data,
        units=["rnn"],
        seeds=[0],
        estimator_params={"lr": 1e25, "optimizer": "sgd", "device": "cpu"},
    )
    assert [r["status"] for r in failed.rows] == ["failed", "failed"]
    assert failed.rows[0]["error"].startswith("ValueError: Training diverged")
    assert np.isnan(failed.rows[0]["memory_capacity"])
    assert failed.summary() == [] and failed.recommendations() == {}
    assert len(failed.failed_rows()) == 2


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


def test_each_unit_trains_at_its_own_rate_unless_lr_is_given(study):
    from sklearn_rnnmemory.study._run import learning_rates

    assert learning_rates(["rnn", "gru", "mgu"], {}) == {
        "rnn": 0.003,
        "gru": 0.03,
        "mgu": 0.01,  # not measured: the estimator's default
    }
    assert learning_rates(["rnn", "gru"], {"lr": 0.005}) == {"rnn": 0.005, "gru": 0.005}
    assert study.settings["learning_rates"] == {"rnn": 0.003, "gru": 0.03}


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


def test_a_results_path_that_is_a_folder_is_refused(data, tmp_path):
    with pytest.raises(ValueError, match="is a directory"):
        small_study(data, results_file=tmp_path)


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


def test_resume_knows_a_unit_by_what_it_is_not_by_its_name(data, tmp_path):
    from custom_units import rnn as users_rnn

    path = tmp_path / "results.jsonl"
    small_study(data, results_file=path, units=["rnn"], seeds=[0])
    before = path.read_text()
    assert json.loads(before.splitlines()[0])["unit_ref"] == "rnn"
    with pytest.raises(ValueError) as info:
        small_study(data, results_file=path, units=[users_rnn], seeds=[0], resume=True)
    assert (
        "line 1: the rows of 'rnn' there are of rnn, and 'rnn' of this study is "
        "custom_units:rnn" in str(info.value)
    )
    assert path.read_text() == before


def test_a_changed_setting_is_named_on_resume(data, tmp_path):
    path = tmp_path / "results.jsonl"
    small_study(data, results_file=path, units=["rnn"], seeds=[0])
    # eval_len follows the longest training length when it is not given
    with pytest.raises(ValueError) as info:
        small_study(data, results_file=path, units=["rnn"], seq_lens=[3], resume=True)
    assert "other settings: eval_len changed from 6 to 3 (eval_len was not given" in (
        str(info.value)
    )
    assert "give eval_len=6 to resume" in str(info.value)
    # given, it resumes and runs only the new configuration
    resumed = small_study(
        data, results_file=path, units=["rnn"], seq_lens=[3, 4], seeds=[0],
        eval_len=6, resume=True,
    )  # fmt: skip
    assert [(r["seq_len"], r["eval_len"]) for r in resumed.rows] == [
        (3, 6),
        (4, 6),
    ]
    with pytest.raises(ValueError, match="threshold changed from 0.5 to 0.6"):
        small_study(data, results_file=path, units=["rnn"], threshold=0.6,
                    resume=True)  # fmt: skip


def test_a_configuration_cuts_and_reads_its_windows_of_l_once(points, monkeypatch):
    from sklearn_rnnmemory import RecurrentMemoryRegressor, _estimator
    from sklearn_rnnmemory._sequences import cut_windows
    from sklearn_rnnmemory._torch.tasks import RecurrentEncoder
    from sklearn_rnnmemory.indicators import retention_matrix
    from sklearn_rnnmemory.study._configuration import _measured, empty_row

    # Every third test sequence ends at step 9: at L = 6 its second window is
    # shorter and does not reach T, and the indicators skip it.
    X_train, X_test = points[:48], points[48:]
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, seq_len=3, max_steps=5, batch_size=8, random_state=0
    ).fit(X_train)
    cuts, read = [], {}
    monkeypatch.setattr(
        _estimator,
        "cut_windows",
        lambda X, length: cuts.append(length) or cut_windows(X, length),
    )
    encode = RecurrentEncoder.forward

    def counted(self, batch):
        read[batch.shape[1]] = read.get(batch.shape[1], 0) + batch.shape[0]
        return encode(self, batch)

    monkeypatch.setattr(RecurrentEncoder, "forward", counted)
    row = _measured(
        empty_row(("gru", 3, 4, 0)), model, 0.0, None, [], (X_test, None), 6, 0.5
    )
    # One cut at L and one at k; each window read once at its own length.
    assert sorted(cuts) == [3, 6]
    assert read == {
        6: len(cut_windows(X_test, 6)[0]),
        3: len(cut_windows(X_test, 3)[0]),
    }
    assert row["n_windows"] < read[6]
    monkeypatch.undo()
    # The numbers are those of the estimator's own reading methods.
    profile = model.memory_profile(X_test, eval_len=6, threshold=0.5).to_dict()
    for name in [*INDICATORS, "baseline_error", "span_start", "retention_curve"]:
        np.testing.assert_array_equal(row[name], profile[name], err_msg=name)
    own = model.memory_profile(X_test, eval_len=3, probe=False)
    assert row["capacity_at_seq_len"] == own.memory_capacity
    windows, predicted = model.read_windows(X_test, eval_len=6)
    matrix = retention_matrix(windows, predicted, composition="sum")
    np.testing.assert_array_equal(row["retention_matrix"], np.round(matrix, 6))
    assert row["n_updates"] == model.n_updates_ == 5
