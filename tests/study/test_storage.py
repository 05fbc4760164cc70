"""The results file (study/_storage.py): written, resumed, loaded, refused when it
belongs to another study or writer."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import comparable, small_study
from skorch.callbacks import EarlyStopping

from sklearn_rnnmemory.study import load_study


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


def test_a_results_path_that_is_a_folder_is_refused(data, tmp_path):
    with pytest.raises(ValueError, match="is a directory"):
        small_study(data, results_file=tmp_path)


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
