"""Docstrings filled from shared snippets, and the parameter table behind them."""

import importlib
import inspect
import re

import pytest

from sklearn_rnnmemory import (
    RecurrentClassifier,
    RecurrentLanguageModel,
    RecurrentMemoryRegressor,
)
from sklearn_rnnmemory._shared_parameters import SHARED_PARAMETERS

ESTIMATORS = [RecurrentMemoryRegressor, RecurrentClassifier, RecurrentLanguageModel]
MODULES = [
    "sklearn_rnnmemory",
    "sklearn_rnnmemory.datasets",
    "sklearn_rnnmemory.indicators",
    "sklearn_rnnmemory.plots",
    "sklearn_rnnmemory.scoring",
    "sklearn_rnnmemory.selection",
    "sklearn_rnnmemory.study",
    "sklearn_rnnmemory.testing",
]


def _public_objects():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", dir(module)):
            obj = getattr(module, name)
            own = getattr(obj, "__module__", "").startswith(module_name)
            if own and (inspect.isfunction(obj) or inspect.isclass(obj)):
                yield f"{module_name}.{name}", obj
                if inspect.isclass(obj):
                    for member_name, member in vars(obj).items():
                        if callable(member) and member.__doc__:
                            yield f"{module_name}.{name}.{member_name}", member


@pytest.mark.parametrize("name, obj", list(_public_objects()))
def test_no_placeholder_is_left_unfilled(name, obj):
    assert "%(" not in (obj.__doc__ or ""), name


def _documented(docstring, section):
    """Names of the entries of a numpydoc section of a class docstring."""
    lines = inspect.cleandoc(docstring).splitlines()
    start = lines.index(section) + 2
    names = []
    for line in lines[start:]:
        if line and not line.startswith(" ") and " : " not in line:
            break  # the next section
        match = re.match(r"^(\w+) : ", line)
        if match:
            names.append(match.group(1))
    return names


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_every_parameter_is_checked_and_documented_in_signature_order(estimator):
    signature = [p for p in inspect.signature(estimator).parameters]
    assert _documented(estimator.__doc__, "Parameters") == signature
    assert set(estimator._parameter_checks) == set(signature)
    assert set(SHARED_PARAMETERS) <= set(signature)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_documented_defaults_are_the_signature_defaults(estimator):
    doc = inspect.cleandoc(estimator.__doc__)
    for name, parameter in inspect.signature(estimator).parameters.items():
        default = parameter.default
        shown = f'"{default}"' if isinstance(default, str) else repr(default)
        assert re.search(rf"^{name} : .*default={re.escape(shown)}$", doc, re.M), name


def test_the_shared_parameter_docs_say_what_each_estimator_trains_on():
    assert "Training windows per gradient step" in RecurrentMemoryRegressor.__doc__
    assert "Training sequences per gradient step" in RecurrentClassifier.__doc__
    # Only the classifier's network outputs one row per sample.
    assert "scikit-learn scorer name" in RecurrentClassifier.__doc__
    assert "scikit-learn scorer name" not in RecurrentMemoryRegressor.__doc__
