"""Names a package loads on first use (PEP 562), so that importing it stays
cheap: the indicators, the command line's help and ``rnnmemory report`` run
without torch or skorch."""

import importlib
from collections.abc import Callable
from typing import Any


def lazy_names(
    package: str, namespace: dict[str, Any], table: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` over ``table``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    namespace : dict
        The package's ``globals()``; a name, once loaded, is kept there.
    table : dict
        Name -> the relative module that defines it; a name that is the
        module's own (``"indicators": ".indicators"``) is the module itself.

    Returns
    -------
    getattr, dir : callable
        The package's module-level ``__getattr__`` and ``__dir__``.
    """

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(table[name], package)
        value = module if table[name] == f".{name}" else getattr(module, name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *table})

    return __getattr__, __dir__
