"""Docstrings filled from shared snippets (imbalanced-learn's ``Substitution``)."""

import re
import textwrap
from typing import TypeVar

T = TypeVar("T")

_PLACEHOLDER = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", re.MULTILINE)


class Substitution:
    """Decorator that fills the ``%(name)s`` lines of docstrings.

    Each placeholder stands alone on its line; it is replaced by the snippet
    of that name, every line of the snippet indented as the placeholder is, so
    that one snippet serves a class docstring and a method's alike. On a
    class, the docstrings of the methods it defines are filled too.
    Placeholders it has no snippet for are left for another ``Substitution``
    (``tests/catalogues/test_docstrings.py`` checks that none is left at the end).

    Parameters
    ----------
    **snippets : str
        Snippet by placeholder name, e.g. a numpydoc entry: its first line
        unindented (``name : type, default=...``) and its description
        indented by four spaces.

    Examples
    --------
    >>> from sklearn_rnnmemory._docstring import Substitution
    >>> @Substitution(seed="seed : int\\n    The seed.")
    ... def draw(seed):
    ...     '''Draw.
    ...
    ...     Parameters
    ...     ----------
    ...     %(seed)s
    ...     '''
    >>> print(draw.__doc__.strip().splitlines()[-1].strip())
    The seed.
    """

    def __init__(self, **snippets: str) -> None:
        self.snippets = snippets

    def __call__(self, obj: T) -> T:
        self._fill_doc(obj)
        if isinstance(obj, type):
            for member in vars(obj).values():
                if callable(member):
                    self._fill_doc(member)
        return obj

    def _fill_doc(self, obj: object) -> None:
        if obj.__doc__:
            obj.__doc__ = _PLACEHOLDER.sub(self._fill, obj.__doc__)

    def _fill(self, match: re.Match) -> str:
        indent, name = match.groups()
        if name not in self.snippets:
            return match.group()
        return textwrap.indent(self.snippets[name], indent)


def parameter_snippets(name: str, entry: str) -> dict[str, str]:
    """Snippets of a parameter several methods take: ``%(name)s`` for its
    numpydoc entry, ``%(parameters_name)s`` for a Parameters section that holds
    it alone."""
    return {name: entry, f"parameters_{name}": f"Parameters\n----------\n{entry}"}
