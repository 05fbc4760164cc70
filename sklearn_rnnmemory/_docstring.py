"""Docstrings filled from shared snippets (imbalanced-learn's ``Substitution``)."""

import re
import textwrap
from typing import TypeVar

T = TypeVar("T")

_PLACEHOLDER = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", re.MULTILINE)


class Substitution:
    """Decorator that fills the ``%(name)s`` lines of a docstring.

    Each placeholder stands alone on its line; it is replaced by the snippet
    of that name, every line of the snippet indented as the placeholder is, so
    that one snippet serves a class docstring and a method's alike.

    Parameters
    ----------
    **snippets : str
        Snippet by placeholder name: a numpydoc entry, its first line
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
        if obj.__doc__:
            obj.__doc__ = _PLACEHOLDER.sub(self._fill, obj.__doc__)
        return obj

    def _fill(self, match: re.Match) -> str:
        indent, name = match.groups()
        if name not in self.snippets:
            raise KeyError(f"No docstring snippet named {name!r}.")
        return textwrap.indent(self.snippets[name], indent)
