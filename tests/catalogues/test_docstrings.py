"""Docstrings filled from shared snippets, and the parameter declarations
behind them."""

import dataclasses
import importlib
import inspect
import re
from pathlib import Path

import pytest
from sklearn.base import clone

from sklearn_rnnmemory import (
    RecurrentClassifier,
    RecurrentLanguageModel,
    RecurrentMemoryRegressor,
)
from sklearn_rnnmemory._recurrent_base import RecurrentEstimatorBase
from sklearn_rnnmemory._shared_parameters import declared_parameters

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


def _module_level_objects():
    """The public functions and classes of the public modules, by full name."""
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", dir(module)):
            obj = getattr(module, name)
            own = getattr(obj, "__module__", "").startswith(module_name)
            public = not name.startswith("_")
            if own and public and (inspect.isfunction(obj) or inspect.isclass(obj)):
                yield f"{module_name}.{name}", obj


def _public_objects():
    for name, obj in _module_level_objects():
        yield name, obj
        if inspect.isclass(obj):
            for member_name, member in vars(obj).items():
                if callable(member) and member.__doc__:
                    yield f"{name}.{member_name}", member


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
def test_every_parameter_is_constrained_and_documented_in_signature_order(estimator):
    signature = [p for p in inspect.signature(estimator).parameters]
    assert _documented(estimator.__doc__, "Parameters") == signature
    assert set(estimator._parameter_constraints) == set(signature)
    shared = declared_parameters(RecurrentEstimatorBase)
    assert list(shared) == [f.name for f in dataclasses.fields(RecurrentEstimatorBase)]
    for name, record in shared.items():
        assert estimator._parameter_constraints[name] is record.constraints, name


def _subclasses(klass):
    for sub in klass.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_recurrent_estimator_is_a_dataclass_of_its_own():
    estimators = [
        k
        for k in _subclasses(RecurrentEstimatorBase)
        if k.__module__.startswith("sklearn_rnnmemory")
    ]
    assert set(ESTIMATORS) <= set(estimators)
    for estimator in estimators:
        options = vars(estimator)["__dataclass_params__"]
        assert not options.repr and not options.eq, estimator
        # scikit-learn's repr and identity equality, not the dataclass's
        instance = estimator()
        assert repr(instance).startswith(f"{estimator.__name__}(")
        assert instance != clone(instance)


def test_an_undecorated_or_plain_dataclass_subclass_is_refused():
    class Undecorated(RecurrentMemoryRegressor):
        extra: int = 3

    @dataclasses.dataclass(kw_only=True)
    class PlainDataclass(RecurrentMemoryRegressor):
        extra: int = 3

    for estimator in (Undecorated, PlainDataclass):
        with pytest.raises(TypeError, match=r"@dataclasses.dataclass\(repr=False"):
            estimator().get_params()
        with pytest.raises(TypeError, match=estimator.__name__):
            estimator().fit([[0.0, 1.0]])

    @dataclasses.dataclass(repr=False, eq=False, kw_only=True)
    class Declared(RecurrentMemoryRegressor):
        extra: int = 3

    assert Declared(extra=4).get_params()["extra"] == 4


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


def _api_names():
    """Full names of the public functions and classes, and of the public methods
    and properties the classes define or inherit from the package's own bases."""
    for name, obj in _module_level_objects():
        yield name, obj
        if inspect.isclass(obj):
            members = {}
            for klass in reversed(obj.__mro__):
                if klass.__module__.startswith("sklearn_rnnmemory"):
                    members.update(vars(klass))
            for member_name, member in sorted(members.items()):
                public = not member_name.startswith("_")
                if public and (callable(member) or isinstance(member, property)):
                    yield f"{name}.{member_name}", member


def _numpydoc_errors(name, obj, config):
    """numpydoc's findings on ``name`` that the project's configuration keeps."""
    from numpydoc.validate import validate

    if config["exclude"] is not None and config["exclude"].search(name):
        return []
    report = validate(name)
    errors = []
    for check, message in report["errors"]:
        override = config["overrides"].get(check)
        if check not in config["checks"]:
            continue
        if override is not None and override.search(report["docstring"]):
            continue
        if check == "PR01" and _record_fields_documented(obj):
            continue
        errors.append(f"{name}: {check} {message}")
    return errors


def _record_fields_documented(obj):
    """A dataclass record documents its fields once, as its Attributes."""
    from numpydoc.docscrape import ClassDoc

    if not (inspect.isclass(obj) and dataclasses.is_dataclass(obj)):
        return False
    documented = {item.name for item in ClassDoc(obj)["Attributes"]}
    return {field.name for field in dataclasses.fields(obj)} <= documented


def test_the_public_api_passes_numpydoc_validation():
    """numpydoc's validation, with the checks of ``[tool.numpydoc_validation]``
    in pyproject.toml, over the documented names."""
    from numpydoc.hooks.validate_docstrings import parse_config

    config = parse_config(Path(__file__).resolve().parents[2])
    names = list(_api_names())
    assert len(names) > 50  # the walk found the public API
    errors = [
        error for name, obj in names for error in _numpydoc_errors(name, obj, config)
    ]
    assert not errors, f"{len(errors)} numpydoc errors:\n" + "\n".join(errors)
