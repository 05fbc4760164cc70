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
