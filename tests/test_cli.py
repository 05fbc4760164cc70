"""The rnnmemory command line, and a killed run resumed."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from sklearn_rnnmemory.cli import main

TINY = [
    "assess",
    "--units",
    "rnn,gru",
    "--lengths",
    "3,6",
    "--epochs",
    "2",
    "--n-sequences",
    "60",
    "--n-jobs",
    "1",
    "--no-progress",
]


def test_assess_prints_table_and_recommendation_and_writes_files(tmp_path, capsys):
    assert main([*TINY, "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.lstrip().startswith("unit"))
    assert header.split() == [
        "unit",
        "hidden",
        "length",
        "capacity",
        "span",
        "rate",
        "skill",
        "sem_error",
        "similarity",
        "probe",
        "fit_s",
    ]
    assert "Recommended training length" in out
    assert "rnn (hidden 32): k = " in out and "gru (hidden 32): k = " in out
    for name in (
        "results.csv",
        "results.jsonl",
        "recommendations.json",
        "retention_curves.png",
        "capacity_vs_length.png",
        "retention_matrix.png",
    ):
        assert (tmp_path / name).stat().st_size > 0, name
    assert len((tmp_path / "results.csv").read_text().splitlines()) == 1 + 4
    recommended = json.loads((tmp_path / "recommendations.json").read_text())
    assert {r["unit"] for r in recommended} == {"rnn", "gru"}
    assert all(r["saturation"] in (3, 6) for r in recommended)


def test_assess_on_a_text_file(tmp_path, capsys):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(
        " ".join(
            f"Sentence number {i} is about the cat and the dog." for i in range(40)
        )
    )
    args = [*TINY, "--corpus", str(corpus), "--dim", "8", "--output", str(tmp_path)]
    assert main(args) == 0
    assert "on corpus" in capsys.readouterr().out


def test_max_steps_reaches_every_configuration(tmp_path, monkeypatch):
    from sklearn_rnnmemory import study

    seen = []
    fit = study.RecurrentMemoryRegressor.fit

    def recording_fit(self, X, y=None):
        fit(self, X, y)
        seen.append((self.seq_len, sum(self.history_[:, "train_batch_count"])))
        return self

    monkeypatch.setattr(study.RecurrentMemoryRegressor, "fit", recording_fit)
    assert main([*TINY, "--max-steps", "3", "--output", str(tmp_path)]) == 0
    assert sorted(seen) == [(3, 3), (3, 3), (6, 3), (6, 3)]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--corpus", "no-such-file.txt"], "neither a built-in corpus"),
        (["--units", "rnn,tcn"], "unknown unit"),
        (["--lengths", "5,x"], "comma-separated integers"),
        (["--lengths", "0"], "seq_lens entries must be a positive integer"),
        (["--max-steps", "0"], "max_steps must be a positive integer"),
    ],
)
def test_bad_arguments_exit_with_a_message(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        main([*TINY, "--output", str(tmp_path), *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_killed_run_resumes_with_every_configuration_once(tmp_path):
    command = [
        sys.executable,
        "-m",
        "sklearn_rnnmemory",
        "assess",
        "--units",
        "rnn,gru",
        "--lengths",
        "3,6,12",
        "--seeds",
        "0,1",
        "--epochs",
        "3",
        "--n-sequences",
        "150",
        "--n-jobs",
        "1",
        "--no-progress",
        "--output",
        str(tmp_path),
    ]
    results = tmp_path / "results.jsonl"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if results.exists() and results.read_text().count("\n") >= 2:
            break
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    finished = results.read_text().count("\n")
    assert 2 <= finished < 12, "the run was not killed midway"

    subprocess.run([*command, "--resume"], check=True, stdout=subprocess.DEVNULL)
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    keys = [(r["unit"], r["seq_len"], r["seed"]) for r in rows]
    assert sorted(keys) == sorted(
        (u, k, s) for u in ("rnn", "gru") for k in (3, 6, 12) for s in (0, 1)
    )
