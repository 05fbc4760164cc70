"""Sphinx configuration for sklearn-rnnmemory."""

project = "sklearn-rnnmemory"
author = "sklearn-rnnmemory developers"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
autosummary_generate = True
numpydoc_show_class_members = False
exclude_patterns = ["_build"]
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
}
