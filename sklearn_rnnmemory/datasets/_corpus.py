"""Corpora by name: built-in ones, or a text file of the user's."""

import os
from pathlib import Path

import numpy as np

from .._text import split_documents, word_tokenize
from ._python_reference import load_python_reference
from ._zipf import make_zipf_sequences

#: Built-in corpus names.
CORPORA = ("zipf", "python-reference")


def load_corpus(
    name: str | os.PathLike,
    *,
    n_sequences: int = 1000,
    length: int = 80,
    random_state: int = 0,
) -> np.ndarray | list[list[str]]:
    """Token sequences of a built-in corpus or of a text file.

    Parameters
    ----------
    name : str or path
        ``"zipf"``: :func:`make_zipf_sequences` (50 tokens, exponent 1);
        ``"python-reference"``: the documents of
        :func:`load_python_reference`; anything else: the path of a UTF-8 text
        file, read as documents separated by blank lines, each a list of
        lower-cased words (a memory study cuts its windows from each
        document's running text).
    n_sequences : int, default=1000
        Number of sequences of the ``zipf`` corpus.
    length : int, default=80
        Tokens per sequence of the ``zipf`` corpus.
    random_state : int, default=0
        Seed of the ``zipf`` corpus.

    Returns
    -------
    sequences : ndarray of shape (n_sequences, length) or list of list of str
        Token ids (``zipf``), or one word list per document.

    Examples
    --------
    >>> from sklearn_rnnmemory.datasets import load_corpus
    >>> load_corpus("zipf", n_sequences=3, length=4).shape
    (3, 4)
    """
    if not isinstance(name, str | os.PathLike):
        raise TypeError(
            f"corpus name must be one of {CORPORA} or the path of a text file; "
            f"got {name!r}."
        )
    if name == "zipf":
        return make_zipf_sequences(
            n_sequences, length, vocab_size=50, exponent=1.0, random_state=random_state
        )
    if name == "python-reference":
        return load_python_reference(as_tokens=True)
    path = Path(name)
    if not path.is_file():
        raise ValueError(
            f"corpus {str(name)!r} is neither a built-in corpus {CORPORA} nor an "
            "existing text file."
        )
    text = path.read_text(encoding="utf-8", errors="replace")
    documents = [word_tokenize(d) for d in split_documents(text)]
    if len(documents) < 2:
        raise ValueError(
            f"corpus file {str(path)!r} holds {len(documents)} document(s); a "
            "study holds out whole documents to measure on and needs at least 2: "
            "separate the documents by a blank line."
        )
    return documents
