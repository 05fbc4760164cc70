"""Write the intersphinx inventories of the external objects the docs name.

The documentation builds without network: ``conf.py`` points intersphinx at
these files, written at each build from the tables below (Sphinx's objects.inv
format, version 2). Each entry is a real object at its project's documented
address; add one when the docs name a new external object.
"""

import zlib
from pathlib import Path

#: project -> (base URL, [(name, domain:role, page#anchor), ...]); ``$`` in the
#: anchor stands for the name, as in Sphinx's own inventories.
INVENTORIES = {
    "python": (
        "https://docs.python.org/3/",
        [
            ("bool", "py:class", "library/functions.html#$"),
            ("callable", "py:function", "library/functions.html#$"),
            ("float", "py:class", "library/functions.html#$"),
            ("int", "py:class", "library/functions.html#$"),
            ("dict", "py:class", "library/stdtypes.html#$"),
            ("list", "py:class", "library/stdtypes.html#$"),
            ("str", "py:class", "library/stdtypes.html#$"),
            ("tuple", "py:class", "library/stdtypes.html#$"),
            ("None", "py:data", "library/constants.html#$"),
            ("collections.abc.Hashable", "py:class", "library/collections.abc.html#$"),
            ("collections.abc.Iterator", "py:class", "library/collections.abc.html#$"),
            ("pathlib.Path", "py:class", "library/pathlib.html#$"),
            ("hashable", "std:term", "glossary.html#term-hashable"),
            ("iterable", "std:term", "glossary.html#term-iterable"),
            ("mapping", "std:term", "glossary.html#term-mapping"),
            ("sequence", "std:term", "glossary.html#term-sequence"),
            ("generator", "std:term", "glossary.html#term-generator"),
            ("path-like object", "std:term", "glossary.html#term-path-like-object"),
            ("file object", "std:term", "glossary.html#term-file-object"),
        ],
    ),
    "numpy": (
        "https://numpy.org/doc/stable/",
        [
            ("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html#$"),
            ("numpy.random.RandomState", "py:class", "reference/random/legacy.html#$"),
            ("numpy", "py:module", "reference/index.html#module-numpy"),
            ("array_like", "std:term", "glossary.html#term-array_like"),
        ],
    ),
    "sklearn": (
        "https://scikit-learn.org/stable/",
        [
            (
                "sklearn.pipeline.Pipeline",
                "py:class",
                "modules/generated/sklearn.pipeline.Pipeline.html#$",
            ),
            (
                "sklearn.utils.metadata_routing.MetadataRequest",
                "py:class",
                "modules/generated/"
                "sklearn.utils.metadata_routing.MetadataRequest.html#$",
            ),
        ],
    ),
    "torch": (
        "https://docs.pytorch.org/docs/stable/",
        [
            ("torch.nn.Module", "py:class", "generated/torch.nn.Module.html#$"),
            ("torch.device", "py:class", "tensor_attributes.html#$"),
        ],
    ),
    "skorch": (
        "https://skorch.readthedocs.io/en/stable/",
        [
            ("skorch.net.NeuralNet", "py:class", "net.html#$"),
            ("skorch.classifier.NeuralNetClassifier", "py:class", "classifier.html#$"),
            ("skorch.regressor.NeuralNetRegressor", "py:class", "regressor.html#$"),
            ("skorch.history.History", "py:class", "history.html#$"),
        ],
    ),
    "matplotlib": (
        "https://matplotlib.org/stable/",
        [
            (
                "matplotlib.axes.Axes",
                "py:class",
                "api/_as_gen/matplotlib.axes.Axes.html#$",
            ),
            (
                "matplotlib.figure.Figure",
                "py:class",
                "api/_as_gen/matplotlib.figure.Figure.html#$",
            ),
        ],
    ),
    "pandas": (
        "https://pandas.pydata.org/docs/",
        [
            ("pandas.DataFrame", "py:class", "reference/api/pandas.DataFrame.html#$"),
        ],
    ),
}


def write_inventories(directory):
    """Write ``<project>.inv`` for each project into ``directory``.

    Parameters
    ----------
    directory : path-like
        Where to write the files; made if missing.

    Returns
    -------
    mapping : dict
        project -> (base URL, path of its inventory), for ``intersphinx_mapping``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for project, (url, entries) in INVENTORIES.items():
        header = (
            "# Sphinx inventory version 2\n"
            f"# Project: {project}\n# Version: stable\n"
            "# The remainder of this file is compressed using zlib.\n"
        )
        lines = "".join(
            f"{name} {role} 1 {uri} -\n" for name, role, uri in sorted(entries)
        )
        path = directory / f"{project}.inv"
        path.write_bytes(header.encode() + zlib.compress(lines.encode()))
        mapping[project] = (url, str(path))
    return mapping


if __name__ == "__main__":
    for project, (_, path) in write_inventories(
        Path(__file__).parent / "_inventories"
    ).items():
        print(project, path)
