"""Built-in data: nothing here is ever downloaded."""

from ._python_reference import load_python_reference

__all__ = ["load_python_reference"]
