"""What the distribution declares: every imported dependency, the type marker."""

import ast
import sys
from pathlib import Path

import pytest

import sklearn_rnnmemory

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(sklearn_rnnmemory.__file__).resolve().parent
# Import names whose distribution is named otherwise.
DISTRIBUTIONS = {"sklearn": "scikit-learn", "distributed": "dask"}


def _requirement_name(requirement):
    name = requirement
    for stop in "<>=!~[; ":
        name = name.split(stop)[0]
    return name.lower()


def _imported_top_level_modules():
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"sklearn_rnnmemory"}


def test_every_imported_distribution_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_requirement_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        declared |= {_requirement_name(r) for r in extra}
    needed = {DISTRIBUTIONS.get(m, m) for m in _imported_top_level_modules()}
    assert needed <= declared, f"imported but not declared: {needed - declared}"


def test_the_type_marker_is_shipped():
    assert (PACKAGE / "py.typed").is_file()
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
        "setuptools"
    ]
    assert "py.typed" in setuptools["package-data"]["sklearn_rnnmemory"]
