"""The rnnmemory command line: its output folder, its manners, a killed run."""

import json
import os
import signal
import subprocess
import sys
import time
from unittest.mock import ANY

import numpy as np
import pytest

from sklearn_rnnmemory import __version__, study
from sklearn_rnnmemory.cli import main
from sklearn_rnnmemory.study import load_study

TINY = [
    "assess",
    "--units",
    "rnn,gru",
    "--lengths",
    "3,6",
    "--seeds",
    "0,1",
    "--max-steps",
    "6",
    "--n-sequences",
    "60",
    "--n-jobs",
    "1",
    "--no-progress",
]
COMMAND = [sys.executable, "-m", "sklearn_rnnmemory"]


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished tiny study folder, and what assess printed."""
    folder = tmp_path_factory.mktemp("study")
    run = subprocess.run(
        [*COMMAND, *TINY, "--output", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return folder, run.stdout


def test_assess_prints_table_guidance_and_writes_the_folder(finished):
    folder, out = finished
    header = next(line for line in out.splitlines() if line.lstrip().startswith("unit"))
    assert header.split()[:5] == ["unit", "hidden", "length", "window", "capacity"]
    assert "95% over seeds" in header and header.split()[-2:] == ["seeds", "conv"]
    # one line per finished configuration without a progress bar
    assert sum(": capacity " in line for line in out.splitlines()) == 8
    assert "Recommended training length (memory capacity at L = 6" in out
    line = next(line for line in out.splitlines() if "rnn (hidden 32): k = " in line)
    assert "(saturation; tied: " in line and "stability" in line
    for name in (
        "results.csv",
        "summary.csv",
        "results.jsonl",
        "recommendations.json",
        "metadata.json",
        "report.md",
        "retention_curves.png",
        "capacity_vs_length.png",
        "retention_matrix.png",
    ):
        assert (folder / name).stat().st_size > 0, name
    lines = (folder / "results.csv").read_text().splitlines()
    assert len(lines) == 1 + 8 and "eval_len" in lines[0].split(",")
    header = lines[0].split(",")
    assert {"n_updates", "converged", "n_windows"} <= set(header)
    assert "capacity_trajectory" not in header  # a list: results.jsonl only
    rows = [json.loads(line) for line in (folder / "results.jsonl").open()]
    assert all(row["capacity_trajectory"] == [[6, ANY]] for row in rows)
    recommended = json.loads((folder / "recommendations.json").read_text())
    assert {r["unit"] for r in recommended} == {"rnn", "gru"}
    for record in recommended:
        assert record["saturation"] in (3, 6) and record["eval_len"] == 6
        assert record["saturation_stability"] in (0.0, 0.5, 1.0)
        assert record["saturation"] in record["tied"]  # 2 seeds: both tie
        assert record["tied"] == [3, 6]
    assert "| tied |" in (folder / "report.md").read_text()
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["command"].startswith("rnnmemory assess --units rnn,gru")
    assert metadata["seeds"] == [0, 1] and metadata["device"] == "cpu"
    assert metadata["corpus"]["n_train"] == 48 and metadata["finished"]
    assert set(metadata["versions"]) >= {"torch", "skorch", "scikit-learn"}


def test_report_rebuilds_the_folder_without_training(finished, tmp_path):
    folder, _ = finished
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("results.jsonl", "metadata.json"):
        (copy / name).write_bytes((folder / name).read_bytes())
    start = time.perf_counter()
    run = subprocess.run(
        [*COMMAND, "report", str(copy)], capture_output=True, text=True, check=True
    )
    assert time.perf_counter() - start < 60
    assert "Recommended training length" in run.stdout
    report = (copy / "report.md").read_text()
    for part in (
        "## What was run",
        "rnnmemory assess --units rnn,gru",
        "## Recommended training lengths",
        "stability",
        "## Memory by training length",
        "![Memory capacity against training length](capacity_vs_length.png)",
    ):
        assert part in report, part
    assert (copy / "results.csv").read_text() == (folder / "results.csv").read_text()
    assert (copy / "capacity_vs_length.png").stat().st_size > 0
    frame = load_study(copy).to_frame()
    assert len(frame) == 8  # one row per configuration and seed


def test_rerun_without_resume_is_refused_in_one_line(finished, capsys):
    folder, _ = finished
    before = (folder / "results.jsonl").read_text()
    with pytest.raises(SystemExit) as info:
        main([*TINY, "--output", str(folder)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already holds results" in err
    assert "--resume" in err and "--overwrite" in err
    assert (folder / "results.jsonl").read_text() == before


def test_resume_of_a_finished_study_trains_nothing(finished, tmp_path, capsys):
    folder, _ = finished
    copy = tmp_path / "again"
    copy.mkdir()
    (copy / "results.jsonl").write_bytes((folder / "results.jsonl").read_bytes())
    assert main([*TINY, "--output", str(copy), "--resume"]) == 0
    out = capsys.readouterr().out
    assert ": capacity " not in out  # no configuration ran
    assert "Recommended training length" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--device", "cuda:7"], "--device 'cuda:7' cannot be used here"),
        (["--corpus", "no-such-file.txt"], "neither a built-in corpus"),
        (["--units", "rnn,tcn"], "--units must be one of"),
        (["--lengths", "5,x"], "--lengths: expected comma-separated integers"),
        (["--lengths", "0"], "--lengths entries must be a positive integer"),
        (["--max-steps", "0"], "--max-steps must be a positive integer"),
        (["--eval-len", "99"], "--eval-len 99 is longer than the longest test"),
        (["--lengths", "99,100"], "--lengths [99, 100] is longer"),
        (["--epochs", "2"], "--epochs and --max-steps exclude each other"),
        (["--n-jobs", "0"], "--n-jobs must be a non-zero integer"),
        (["--test-size", "1.5"], "--test-size must be"),
        (["--resume", "--overwrite"], "--resume and --overwrite exclude each other"),
        (["--scheduler", "tcp://host:8786"], "--scheduler is read only with --backend"),
        (["--lengths", "3,6,3"], "--lengths holds 3 twice"),
        (["--units", "rnn,gru,rnn"], "--units holds rnn twice"),
        (["--seeds", "0,0"], "--seeds holds 0 twice"),
        (["--hidden-sizes", "8,8"], "--hidden-sizes holds 8 twice"),
        (["--seeds", "4294967296"], "--seeds must be integers in [0, 2**32 - 1]"),
        (["--hidden-sizes", "100000000"], "more than this machine's available"),
    ],
)
def test_user_errors_are_one_line_naming_the_flag(tmp_path, capsys, args, message):
    if args == ["--lengths", "99,100"]:
        message = "Every training length in --lengths [99, 100] is longer"
    with pytest.raises(SystemExit) as info:
        main([*TINY, "--output", str(tmp_path / "out"), *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnmemory: error: ") and err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "out").exists()  # checked before anything is written


def test_an_output_path_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("mine")
    with pytest.raises(SystemExit) as info:
        main([*TINY, "--output", str(target)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == f"rnnmemory: error: --output {target} is a file, not a folder.\n"
    assert target.read_text() == "mine"


def test_a_run_in_which_every_configuration_fails(tmp_path):
    run = subprocess.run(
        [*COMMAND, *TINY, "--lr", "1e30", "--output", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert run.stdout.count("failed: ") >= 8
    assert "Training diverged" in run.stdout
    assert run.stderr.strip().splitlines()[-1] == (
        "rnnmemory: error: every configuration failed; the causes are above."
    )
    assert not (tmp_path / "capacity_vs_length.png").exists()
    assert "## Failed configurations" in (tmp_path / "report.md").read_text()


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"rnnmemory {__version__}"
    with pytest.raises(SystemExit):
        main(["assess", "--help"])
    text = capsys.readouterr().out
    assert "lstm, gru, mgu" in text and "examples:" in text
    assert text.count("rnnmemory assess") >= 2
    assert "(default: 5,10,20,40,80)" in text and "(default: 0,1,2)" in text


def _assess_command(folder):
    return [
        *COMMAND,
        "assess",
        "--units",
        "rnn,gru",
        "--lengths",
        "3,6,12",
        "--seeds",
        "0,1",
        "--max-steps",
        "40",
        "--n-sequences",
        "150",
        "--n-jobs",
        "1",
        "--no-progress",
        "--output",
        str(folder),
    ]


def _wait_for_rows(results, process, count, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if results.exists() and results.read_text().count("\n") >= count:
            return
        time.sleep(0.05)


def test_ctrl_c_says_how_to_resume_and_exits_130(tmp_path):
    results = tmp_path / "results.jsonl"
    process = subprocess.Popen(
        _assess_command(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # a child of a background job would inherit SIGINT ignored
        preexec_fn=_default_sigint,
    )
    _wait_for_rows(results, process, 1)
    process.send_signal(signal.SIGINT)
    err = process.communicate(timeout=60)[1]
    assert process.returncode == 130
    assert err.strip().splitlines() == [
        f"rnnmemory: interrupted; the finished configurations are saved in "
        f"{results}: run the same command with --resume to finish the study."
    ]


def test_a_killed_run_resumes_with_every_configuration_once(tmp_path):
    command = _assess_command(tmp_path)
    results = tmp_path / "results.jsonl"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _wait_for_rows(results, process, 2)
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


def _documents(rng, words):
    """60 documents of two sentences each, separated by blank lines."""
    return "\n\n".join(
        " ".join(rng.choice(words, size=4))
        + ". "
        + " ".join(rng.choice(words, size=9))
        + "."
        for _ in range(60)
    )


def test_a_text_file_corpus_is_decoded_strictly(tmp_path, capsys):
    words = "the a café dog sat ran on under mat log red big".split()
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(_documents(np.random.default_rng(0), words), encoding="latin-1")
    output = tmp_path / "out"
    args = [*TINY, "--corpus", str(corpus), "--dim", "8", "--output", str(output)]
    with pytest.raises(SystemExit):
        main(args)  # not UTF-8: refused by offset, nothing written
    err = capsys.readouterr().err
    assert "is not utf-8 text: byte " in err and "--encoding='latin-1'" in err
    assert err.count("\n") == 1 and not output.exists()
    assert main([*args, "--encoding", "latin-1"]) == 0
    assert "on corpus" in capsys.readouterr().out
    metadata = json.loads((output / "metadata.json").read_text())
    assert metadata["corpus"]["encoding"] == "latin-1"
    assert metadata["schema_version"] == load_study(output).metadata["schema_version"]


def test_a_text_file_corpus_is_read_as_documents(tmp_path, capsys, monkeypatch):
    words = "the a cat dog sat ran on under mat log red big".split()
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(_documents(np.random.default_rng(0), words))
    args = [*TINY, "--corpus", str(corpus), "--dim", "8", "--output", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "(48 training, 12 test documents" in out
    # Windows run across the sentences of a document: each 13-word document
    # holds two windows of 6, and each is measured with its document as group.
    rows = load_study(tmp_path).rows
    assert {row["n_windows"] for row in rows} == {24}
    # An L at which the test documents give fewer groups than the indicators'
    # floor is refused before training, naming the windows it would have.
    import sklearn_rnnmemory._evaluation_windows as windows

    monkeypatch.setattr(windows, "min_clusters", lambda length, dims: 13)
    with pytest.raises(SystemExit) as info:
        main([*args[:-1], str(tmp_path / "refused")])
    assert info.value.code == 2
    assert capsys.readouterr().err == (
        "rnnmemory: error: At --eval-len 6, the test data holds 24 window(s) of 6 "
        "steps from 12 group(s); the indicators need at least 13 groups at L = 6 "
        "and d = 8: give a shorter --eval-len or more test sequences.\n"
    )
    assert not (tmp_path / "refused" / "results.jsonl").exists()


def test_max_steps_reaches_every_configuration(tmp_path):
    # Seeds trained alone and seeds trained as a stack alike.
    assert main([*TINY, "--max-steps", "3", "--output", str(tmp_path)]) == 0
    rows = [
        json.loads(line)
        for line in (tmp_path / "results.jsonl").read_text().splitlines()
    ]
    assert (
        sorted((r["seq_len"], r["n_updates"]) for r in rows)
        == [(3, 3)] * 4 + [(6, 3)] * 4
    )


@pytest.mark.parametrize(
    ("body", "code", "err"),
    [
        (
            "import sys\nsys.exit(0)\n",
            2,
            "rnnmemory: error: --units 'quits_at_import:Unit': "
            "importing module 'quits_at_import' called sys.exit(0);",
        ),
        (
            "raise KeyboardInterrupt\n",
            130,
            "\nrnnmemory: interrupted before any configuration finished.\n",
        ),
    ],
    ids=["sys.exit", "Ctrl-C"],
)
def test_a_unit_module_that_ends_its_import(
    tmp_path, monkeypatch, capsys, body, code, err
):
    name = "quits_at_import" if code == 2 else "interrupted_at_import"
    (tmp_path / f"{name}.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    output = tmp_path / "out"
    try:
        status = main([*TINY, "--units", f"{name}:Unit", "--output", str(output)])
    except SystemExit as exc:
        status = exc.code
    assert status == code
    text = capsys.readouterr().err
    assert text.startswith(err) and text.count("\n") == err.count("\n") + (code == 2), (
        text
    )
    assert "Traceback" not in text and not output.exists()


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _children(pid):
    """The processes whose parent is ``pid`` (Linux)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):
            found.append(int(entry))
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_ctrl_c_as_workers_start_prints_no_worker_traceback(tmp_path):
    """A terminal's Ctrl-C reaches every process of the group: workers still
    importing torch must not each print a traceback."""
    process = subprocess.Popen(
        # long enough a study that the Ctrl-C cannot come after its end
        [*_assess_command(tmp_path), "--n-jobs", "2", "--max-steps", "4000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, as in a terminal
        # as a terminal starts it: Ctrl-C not ignored, even where these tests
        # run as a background job (which starts with SIGINT ignored)
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 120
    while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    # The workers are importing torch; the study has left the short block in
    # which it starts them ignoring Ctrl-C (a Ctrl-C there is lost).
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGINT)
    err = process.communicate(timeout=120)[1]
    assert process.returncode == 130
    assert err.strip().splitlines() == [
        "rnnmemory: interrupted before any configuration finished."
    ], err


def test_a_text_corpus_takes_the_spaces_own_dimension(tmp_path, capsys):
    # No --dim: the semantic space's own default decides, min(64, |V|), for
    # the cooccurrence basis as for the random one; the command line adds none.
    words = "the a cat dog sat ran on under mat log red big".split()
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(_documents(np.random.default_rng(0), words))
    output = tmp_path / "out"
    args = [*TINY, "--units", "gru", "--seeds", "0", "--corpus", str(corpus)]
    assert main([*args, "--basis", "cooccurrence", "--output", str(output)]) == 0
    described = json.loads((output / "metadata.json").read_text())["corpus"]
    assert described["basis"] == "cooccurrence"
    assert described["dim"] == described["vocabulary"] == len(words)
    rows = load_study(output).rows
    assert [row["status"] for row in rows] == ["ok", "ok"]
    capsys.readouterr()
    random = study.corpus_points(corpus, basis="random")
    assert random.description["dim"] == random.X_train.shape[2] == len(words)
    assert study.corpus_points(corpus, dim=80).X_train.shape[2] == 80


def test_help_and_report_load_no_torch(finished):
    # The help builds the parser from the library's plain defaults; report
    # reads the folder and writes the report: neither loads torch or skorch.
    folder, _ = finished
    code = (
        "import contextlib, io, sys; from sklearn_rnnmemory.cli import main\n"
        "quiet = contextlib.redirect_stdout(io.StringIO())\n"
        "with contextlib.suppress(SystemExit), quiet: main(['assess', '--help'])\n"
        "at_help = sorted({'torch', 'skorch', 'sklearn', 'scipy'} & set(sys.modules))\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:"
        " status = main(['report', sys.argv[1]])\n"
        "assert status == 0 and 'Recommended training length' in out.getvalue()\n"
        "print(at_help, sorted({'torch', 'skorch'} & set(sys.modules)))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip() == "[] []", run.stdout + run.stderr
