"""Each public module's face: its ``__all__`` is what docs/api.rst documents."""

import importlib
import re
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[2] / "docs" / "api.rst"
#: Exported but documented outside the autosummary tables.
NOT_IN_TABLES = {"sklearn_rnnmemory": {"indicators", "__version__"}}


def _documented():
    """Each ``currentmodule`` of api.rst -> the names its tables list."""
    documented: dict[str, set[str]] = {}
    module = None
    in_table = False
    for line in API.read_text().splitlines():
        if match := re.match(r"\.\. (?:current)?module:: (\S+)", line):
            module = match[1]
            documented.setdefault(module, set())
        elif line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and re.match(r"   [A-Za-z_]\w*$", line):
            documented[module].add(line.strip())
        elif line and not line.startswith(" "):
            in_table = False
    return documented


DOCUMENTED = _documented()


def test_the_api_page_documents_every_public_module():
    assert set(DOCUMENTED) == {
        "sklearn_rnnmemory",
        "sklearn_rnnmemory.indicators",
        "sklearn_rnnmemory.scoring",
        "sklearn_rnnmemory.selection",
        "sklearn_rnnmemory.testing",
        "sklearn_rnnmemory.datasets",
        "sklearn_rnnmemory.study",
        "sklearn_rnnmemory.plots",
    }
    assert {"run_study", "corpus_points"} <= DOCUMENTED["sklearn_rnnmemory.study"]


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_all_is_what_the_api_page_documents(name):
    module = importlib.import_module(name)
    exported = set(module.__all__) - NOT_IN_TABLES.get(name, set())
    assert exported == DOCUMENTED[name]
    for attribute in module.__all__:
        assert getattr(module, attribute) is not None
