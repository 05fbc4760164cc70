"""Sphinx configuration for sklearn-rnnmemory."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from inventories import write_inventories  # noqa: E402

project = "sklearn-rnnmemory"
author = "sklearn-rnnmemory developers"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
autosummary_generate = True
numpydoc_show_class_members = False
exclude_patterns = ["_build", "_inventories"]
html_theme = "alabaster"
html_static_path = ["_static"]
# Signatures read as scikit-learn's do (names and defaults), the types are the
# docstrings' (numpydoc). The modules postpone annotations, so that help() and
# any type hint Sphinx shows name the package's aliases (ArrayLike), never
# numpy's expanded ArrayLike union.
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_type_aliases = {
    name: name
    for name in (
        "ArrayLike",
        "RandomStateLike",
        "UnitLike",
        "DeviceLike",
        "OptimizerLike",
        "CallbacksLike",
    )
} | {
    "Axes": "matplotlib.axes.Axes",
    "Figure": "matplotlib.figure.Figure",
    "StudyResult": "sklearn_rnnmemory.study.StudyResult",
}

# Every reference must resolve (CI builds with -W). The external projects'
# inventories are written offline (docs/inventories.py): the build never
# downloads.
nitpicky = True
nitpick_ignore = [
    # Private types in signatures; their docstrings say what they hold.
    ("py:class", "sklearn_rnnmemory._plateau_rule.PlateauRule"),
    ("py:class", "sklearn_rnnmemory.study._corpus.CorpusPoints"),
    # Documented by their projects under their public names:
    # sklearn.utils.metadata_routing.MetadataRequest, numpy.random.RandomState.
    ("py:class", "sklearn.utils._metadata_requests.MetadataRequest"),
    ("py:class", "numpy.random.mtrand.RandomState"),
]
intersphinx_mapping = write_inventories(Path(__file__).parent / "_inventories")
# The types of numpydoc's Parameters and Returns link to these names; other
# words of a type ("of", "shape", "array-like of shape (n, d)") stay text.
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
numpydoc_xref_aliases = {
    "bool": ":class:`python:bool`",
    "hashable": ":term:`python:hashable`",
    "mapping": ":term:`python:mapping`",
    "path-like": ":term:`python:path-like object`",
    "file-like": ":term:`python:file object`",
    "RandomState": "numpy.random.RandomState",
    "Pipeline": ":class:`~sklearn.pipeline.Pipeline`",
    # skorch's own names for what its docs document in submodules
    "skorch.NeuralNet": ":class:`skorch.NeuralNet <skorch.net.NeuralNet>`",
    "skorch.NeuralNetClassifier": ":class:`skorch.NeuralNetClassifier "
    "<skorch.classifier.NeuralNetClassifier>`",
    "skorch.NeuralNetRegressor": ":class:`skorch.NeuralNetRegressor "
    "<skorch.regressor.NeuralNetRegressor>`",
    "skorch.History": ":class:`skorch.History <skorch.history.History>`",
} | {
    name: f":class:`{name}`"
    for name in (
        "numpy.ndarray",
        "numpy.random.RandomState",
        "torch.nn.Module",
        "torch.device",
        "matplotlib.axes.Axes",
        "matplotlib.figure.Figure",
        "pandas.DataFrame",
        "sklearn.utils.metadata_routing.MetadataRequest",
    )
}

templates_path = ["_templates"]


def _skip_scikit_learn_members(app, what, name, obj, skip, options):
    """Document a class's own members, not those scikit-learn writes for it
    (``get_params``, ``set_output``, the ``set_*_request`` of metadata routing)."""
    defined_in = getattr(getattr(obj, "fget", obj), "__module__", None) or ""
    return skip or (what == "class" and defined_in.startswith("sklearn."))


def setup(app):
    app.connect("autodoc-skip-member", _skip_scikit_learn_members)
