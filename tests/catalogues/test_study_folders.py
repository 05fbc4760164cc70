"""A study folder is input from someone else: load_study, rnnmemory report and
resume accept the same folders, refuse every damaged one in one line naming
the file, the line and what is wrong, and never write outside the folder."""

import json
import os
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import token_points
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_rnnmemory.cli import main
from sklearn_rnnmemory.study import (
    SCHEMA_VERSION,
    load_study,
    run_study,
)
from sklearn_rnnmemory.study._report import report_markdown, write_report

V1_FOLDER = Path(__file__).parents[1] / "data" / "study_v1"
GRID = {"units": ["rnn"], "seq_lens": [3, 6], "hidden_sizes": [4], "seeds": [0, 1]}


@pytest.fixture(scope="module")
def data():
    X = token_points(40, 12, vocab_size=6, seed=5)
    return X[:30], X[30:]


def tiny_study(data, path, **kwargs):
    options = {
        **GRID,
        "max_steps": 3,
        "estimator_params": {"device": "cpu"},
        "progress": False,
        "results_file": path,
    }
    return run_study(*data, **{**options, **kwargs})


@pytest.fixture(scope="module")
def written(data, tmp_path_factory):
    """The files of a finished tiny study of this layout: name -> bytes."""
    folder = tmp_path_factory.mktemp("written")
    tiny_study(data, folder / "results.jsonl")
    metadata = {
        "schema_version": SCHEMA_VERSION,
        "command": "rnnmemory assess --units rnn",
        "corpus": {"name": "zipf", "n_train": 30, "n_test": 10, "basis": "onehot"},
        "grid": GRID,
        "started": "2025-01-01T00:00:00+00:00",
        "duration_s": 1.5,
    }
    (folder / "metadata.json").write_text(json.dumps(metadata))
    return {name: (folder / name).read_bytes() for name in os.listdir(folder)}


@pytest.fixture
def folder(written, tmp_path):
    """A fresh copy of the written study's folder."""
    out = tmp_path / "study"
    out.mkdir()
    for name, content in written.items():
        (out / name).write_bytes(content)
    return out


def lines_of(folder):
    return (folder / "results.jsonl").read_bytes().splitlines(keepends=True)


def set_lines(folder, lines):
    (folder / "results.jsonl").write_bytes(b"".join(lines))


def edit_row(line, **changes):
    row = json.loads(line)
    for name, value in changes.items():
        if value is _DELETE:
            del row[name]
        else:
            row[name] = value
    return (json.dumps(row) + "\n").encode()


_DELETE = object()


def refusal(folder, capsys):
    """load_study's ValueError and rnnmemory report's error line, which must
    say the same, in one line; report writes nothing."""
    with pytest.raises(ValueError) as info:
        load_study(folder)
    message = str(info.value)
    assert "\n" not in message
    before = sorted(os.listdir(folder))
    with pytest.raises(SystemExit) as code:
        main(["report", str(folder)])
    assert code.value.code == 2
    err = capsys.readouterr().err
    assert err == f"rnnmemory: error: {message}\n"
    assert sorted(os.listdir(folder)) == before
    return message


# -- damaged rows, by kind ----------------------------------------------------------


def _corrupt_middle(lines):
    lines[1] = lines[1][:1] + b"#" + lines[1][2:]
    return lines, "line 2: not valid JSON ("


def _not_an_object(value, name):
    def damage(lines):
        lines[2] = (json.dumps(value) + "\n").encode()
        return lines, f"line 3: a JSON {name} where a row (a JSON object) belongs"

    return damage


def _field(name, value, expected):
    def damage(lines):
        lines[1] = edit_row(lines[1], **{name: value})
        return lines, f"line 2: field {name!r} {expected}"

    return damage


def _duplicate(lines):
    return [*lines, lines[0]], "line 5: the same configuration as line 1 (unit rnn"


def _foreign(lines):
    row = json.loads(lines[3])
    row["settings"]["eval_len"] = 3
    row["eval_len"] = 3
    lines[3] = (json.dumps(row) + "\n").encode()
    return lines, "line 4: a row of another study than line 1's (eval_len changed"


def _other_window(lines):
    lines[0] = edit_row(lines[0], eval_len=3)
    return lines, "line 1: eval_len 3 differs from the study's eval_len 6"


def _no_settings(lines):
    lines[1] = edit_row(lines[1], settings=_DELETE)
    return lines, "line 2: field 'settings' is missing or not an object"


def _newer(lines):
    lines[0] = edit_row(lines[0], schema_version=SCHEMA_VERSION + 1)
    return lines, f"line 1: written in study layout version {SCHEMA_VERSION + 1}"


def _mixed_versions(lines):
    lines[2] = edit_row(lines[2], schema_version=_DELETE)
    return lines, (
        f"line 3: a row of study layout version 1, and line 1 of version "
        f"{SCHEMA_VERSION}"
    )


def _not_utf8(lines):
    lines[1] = lines[1].replace(b'"rnn"', b'"rn\xff"', 1)
    return lines, "line 2: not UTF-8 text (byte "


DAMAGES = {
    "corrupt middle line": _corrupt_middle,
    "array": _not_an_object([1, 2], "array"),
    "string": _not_an_object("row", "string"),
    "null": _not_an_object(None, "null"),
    "missing field": _field("memory_capacity", _DELETE, "is missing"),
    "missing list": _field("retention_curve", _DELETE, "is missing"),
    "int as text": _field("seq_len", "3", 'must be an integer >= 1; got "3"'),
    "float length": _field("seq_len", 3.5, "must be an integer >= 1; got 3.5"),
    "zero length": _field("hidden_size", 0, "must be an integer >= 1; got 0"),
    "negative seed": _field("seed", -1, "must be an integer >= 0; got -1"),
    "bool as text": _field("converged", "yes", 'must be true or false; got "yes"'),
    "number as bool": _field("memory_capacity", True, "must be a number"),
    "text in curve": _field("retention_curve", [0.5, "x"], "must be a list of num"),
    "flat matrix": _field("retention_matrix", [1, 2], "must be a list of lists of"),
    "unknown status": _field("status", "done", "must be one of ['ok', 'failed']"),
    "null unit": _field("unit", None, "is null; it must be set"),
    "unit as list": _field("unit", ["rnn"], 'must be a string; got ["rnn"]'),
    "duplicated row": _duplicate,
    "row of another study": _foreign,
    "row at another window": _other_window,
    "no settings": _no_settings,
    "newer layout": _newer,
    "mixed layouts": _mixed_versions,
    "not UTF-8": _not_utf8,
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_row_is_refused_in_one_line_naming_file_line_and_fault(
    folder, damage, capsys
):
    lines, expected = damage(lines_of(folder))
    set_lines(folder, lines)
    message = refusal(folder, capsys)
    assert message.startswith(f"{folder / 'results.jsonl'}, line "), message
    assert expected in message, message


@pytest.mark.parametrize(
    "damage",
    [
        DAMAGES[k]
        for k in ("corrupt middle line", "array", "duplicated row", "newer layout")
    ],
)
def test_resume_refuses_a_damaged_file_and_leaves_it_as_it_was(data, folder, damage):
    lines, expected = damage(lines_of(folder))
    set_lines(folder, lines)
    before = (folder / "results.jsonl").read_bytes()
    with pytest.raises(ValueError, match="line"):
        tiny_study(data, folder / "results.jsonl", resume=True)
    assert (folder / "results.jsonl").read_bytes() == before


# -- the last line --------------------------------------------------------------


def test_a_torn_last_line_is_left_out_then_run_again_on_resume(data, folder):
    lines = lines_of(folder)
    set_lines(folder, [*lines[:3], lines[3][: len(lines[3]) // 2]])
    with pytest.warns(UserWarning, match="line 4 was cut off while being written"):
        assert len(load_study(folder).rows) == 3
    with pytest.warns(UserWarning, match="its configuration runs again"):
        resumed = tiny_study(data, folder / "results.jsonl", resume=True)
    stored = [json.loads(line) for line in lines_of(folder)]
    assert len(stored) == len(resumed.rows) == 4
    assert len({(r["seq_len"], r["seed"]) for r in stored}) == 4


def test_a_whole_last_row_without_its_line_end_is_kept(data, folder):
    lines = lines_of(folder)
    set_lines(folder, [*lines[:2], lines[2].rstrip(b"\n")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is said to be cut off
        assert len(load_study(folder).rows) == 3
    resumed = tiny_study(data, folder / "results.jsonl", resume=True)
    stored = [json.loads(line) for line in lines_of(folder)]
    assert [r["seq_len"] for r in stored[:3]] == [
        json.loads(line)["seq_len"] for line in lines[:3]
    ]
    assert len(stored) == len(resumed.rows) == 4


def test_blank_lines_are_skipped(folder):
    lines = lines_of(folder)
    set_lines(folder, [lines[0], b"\n", b"   \n", *lines[1:], b"\n"])
    assert len(load_study(folder).rows) == 4


@pytest.mark.parametrize("content", [b"", b"\n\n", b'{"unit": "rn'])
def test_a_study_without_a_finished_row_says_so(folder, content, capsys):
    (folder / "results.jsonl").write_bytes(content)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a cut-off line is said apart
        message = refusal(folder, capsys)
    assert "holds no finished configuration" in message
    assert "every configuration failed" not in message


# -- metadata.json -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"command": "x",', "not valid JSON (Expecting property name"),
        (b"[1, 2]", "holds a JSON array, not an object of the study's metadata"),
        (b'{"grid": {"units": "rnn"}}', "'grid.units' must be a list of strings"),
        (b'{"grid": [1]}', "'grid' must be an object"),
        (b'{"duration_s": "long"}', "'duration_s' must be a number"),
        (b'{"versions": {"torch": 2}}', "'versions' must be an object of strings"),
        (b'{"schema_version": 99}', "written in study layout version 99"),
        (b'{"schema_version": "2"}', "'schema_version' must be a positive integer"),
        (b'{"schema_version": 1}', "is of study layout version 1 and"),
    ],
)
def test_damaged_metadata_is_refused_in_one_line(folder, content, expected, capsys):
    (folder / "metadata.json").write_bytes(content)
    message = refusal(folder, capsys)
    assert message.startswith(str(folder / "metadata.json")), message
    assert expected in message, message


def test_metadata_keys_it_does_not_know_are_kept(folder):
    metadata = json.loads((folder / "metadata.json").read_text())
    (folder / "metadata.json").write_text(json.dumps({**metadata, "note": [1]}))
    assert load_study(folder).metadata["note"] == [1]


# -- versions of the layout -----------------------------------------------------


def test_a_folder_of_the_first_layout_loads_and_reports(tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(V1_FOLDER, folder)
    result = load_study(folder)
    assert len(result.rows) == 8 and result.metadata["schema_version"] == 1
    # a field that layout lacks is absent, not an error
    assert all(row["unit_ref"] is None for row in result.rows)
    frame = result.to_frame()
    assert frame["unit_ref"].isna().all() and frame["memory_capacity"].notna().all()
    assert main(["report", str(folder)]) == 0
    assert "## Memory by training length" in (folder / "report.md").read_text()
    header, first = (folder / "results.csv").read_text().splitlines()[:2]
    assert header.split(",")[:2] == ["unit", "unit_ref"]
    assert first.split(",")[1] == ""


def test_resume_across_layouts_is_refused_naming_both(tmp_path, capsys):
    folder = tmp_path / "old"
    shutil.copytree(V1_FOLDER, folder)
    before = (folder / "results.jsonl").read_bytes()
    args = ["assess", "--units", "rnn", "--output", str(folder), "--resume"]
    with pytest.raises(SystemExit):
        main(args)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "layout version 1, and this" in err
    assert f"writes version {SCHEMA_VERSION}" in err
    # without metadata the rows say it
    (folder / "metadata.json").unlink()
    # 60 sequences of 8: the plateau's validation share holds the floor's windows
    X = token_points(60, 8, vocab_size=4)
    with pytest.raises(ValueError, match="rows of study layout version 1, and this"):
        run_study(X, X, units=["rnn"], seq_lens=[3], seeds=[0], max_steps=2,
                  results_file=folder / "results.jsonl", resume=True,
                  progress=False)  # fmt: skip
    assert (folder / "results.jsonl").read_bytes() == before


# -- nothing is written outside the folder --------------------------------------


@pytest.mark.parametrize("name", ["report.md", "results.csv", "retention_curves.png"])
def test_report_refuses_a_file_that_links_out_of_the_folder(
    folder, tmp_path, name, capsys
):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    (folder / name).symlink_to(outside)
    with pytest.raises(SystemExit):
        main(["report", str(folder)])
    err = capsys.readouterr().err
    assert err == (
        f"rnnmemory: error: {folder / name} is a symbolic link (to {outside}); a "
        "study writes only files of its own, inside its folder: remove it or choose "
        "another folder.\n"
    )
    assert outside.read_text() == "precious"
    assert not (folder / "report.md").exists() or name == "report.md"
    assert not (folder / "summary.csv").exists()  # nothing written at all


def test_a_hard_link_is_refused_too(folder, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("precious")
    os.link(outside, folder / "report.md")
    with pytest.raises(ValueError, match="report.md is a hard link"):
        write_report(load_study(folder), folder)
    assert outside.read_text() == "precious"


def test_resume_refuses_a_results_file_that_links_out(data, folder, tmp_path):
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_bytes(b'{"one line"')
    (folder / "results.jsonl").unlink()
    (folder / "results.jsonl").symlink_to(outside)
    with pytest.raises(ValueError, match="results.jsonl is a symbolic link"):
        tiny_study(data, folder / "results.jsonl", resume=True)
    assert outside.read_bytes() == b'{"one line"'


def test_a_folder_reached_through_a_link_is_fine(folder, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(folder, target_is_directory=True)
    assert main(["report", str(link)]) == 0
    assert (folder / "report.md").is_file() and not (folder / "report.md").is_symlink()


# -- names are text -------------------------------------------------------------


def test_names_from_the_files_enter_the_report_as_plain_text(folder, tmp_path):
    hostile = "<img src=x onerror=alert(1)>|*$\\frac{$`"
    lines = [edit_row(line, unit=hostile) for line in lines_of(folder)]
    set_lines(folder, lines)
    metadata = json.loads((folder / "metadata.json").read_text())
    metadata["corpus"]["name"] = "[click](http://x) <b>"
    metadata["command"] = "rnnmemory assess --corpus `a`"
    (folder / "metadata.json").write_text(json.dumps(metadata))
    result = load_study(folder)
    written = write_report(result, folder)  # the figures draw the name as text
    assert "retention_matrix.png" in written
    report = (folder / "report.md").read_text()
    # no tag, link or math a renderer would read: each such character escaped
    assert re.search(r"(?<!\\)[<$]", report) is None
    assert "[click](http" not in report
    escaped = r"\<img src=x onerror=alert(1)\>\|\*\$\\frac{\$\`"
    assert report.count(escaped) >= 3  # guidance and two lengths' summary
    assert "- Command: `` rnnmemory assess --corpus `a` ``" in report


def test_a_name_on_several_lines_stays_on_one(folder):
    set_lines(folder, [edit_row(line, unit="two\nlines") for line in lines_of(folder)])
    text = report_markdown(load_study(folder))
    assert "| two lines |" in text


# -- fuzz -----------------------------------------------------------------------


def _damaged(data: bytes, draw) -> bytes:
    lines = data.splitlines(keepends=True)
    kind = draw(st.sampled_from(["bytes", "cut", "lines", "field", "value"]))
    if kind == "bytes":
        at = draw(st.integers(0, len(data) - 1))
        new = draw(st.binary(min_size=0, max_size=4))
        return data[:at] + new + data[at + draw(st.integers(0, 4)) :]
    if kind == "cut":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "lines":
        order = draw(st.lists(st.integers(0, len(lines) - 1), min_size=0, max_size=6))
        return b"".join(lines[i] for i in order)
    row_at = draw(st.integers(0, len(lines) - 1))
    row = json.loads(lines[row_at])
    name = draw(st.sampled_from(sorted(row)))
    if kind == "field":
        del row[name]
    else:
        row[name] = draw(
            st.one_of(
                st.none(),
                st.booleans(),
                st.integers(-3, 2**40),
                st.floats(allow_nan=True),
                st.text(max_size=5),
                st.lists(st.integers(0, 3), max_size=3),
                st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
            )
        )
    lines[row_at] = (json.dumps(row) + "\n").encode()
    return b"".join(lines)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_fuzz_damaged_folders_load_correctly_or_are_refused_in_one_line(
    written, tmp_path_factory, data
):
    folder = tmp_path_factory.mktemp("fuzz")
    original = written["results.jsonl"]
    configs = {
        (r["unit"], r["seq_len"], r["hidden_size"], r["seed"])
        for r in map(json.loads, original.splitlines())
    }
    (folder / "results.jsonl").write_bytes(_damaged(original, data.draw))
    (folder / "metadata.json").write_bytes(written["metadata.json"])
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = load_study(folder)
    except ValueError as exc:
        message = str(exc)
        assert "\n" not in message
        assert message.startswith(str(folder / "results.jsonl")) or message.startswith(
            str(folder / "metadata.json")
        ), message
        return
    for warning in caught:
        assert "was cut off while being written" in str(warning.message)
    keys = [(r["unit"], r["seq_len"], r["hidden_size"], r["seed"]) for r in result.rows]
    assert len(keys) == len(set(keys)) <= len(configs)  # no row counted twice
    report_markdown(result)
    result.to_csv(folder / "rows.csv")
