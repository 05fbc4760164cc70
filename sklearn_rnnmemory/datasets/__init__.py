"""Built-in data: nothing here is ever downloaded."""

from ._corpus import CORPORA, load_corpus
from ._python_reference import load_python_reference
from ._zipf import make_zipf_sequences

__all__ = ["CORPORA", "load_corpus", "load_python_reference", "make_zipf_sequences"]
