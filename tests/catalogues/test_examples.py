"""Every example runs, in its fast mode."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.py"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path, monkeypatch, capsys):
    monkeypatch.setenv("SKLEARN_RNNMEMORY_FAST", "1")
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out.strip()
