"""Corpora by name: built-in ones, or a text file of the user's."""

import os
from pathlib import Path

import numpy as np

from .._text import split_sentences, word_tokenize
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
        ``"python-reference"``: the sentences of
        :func:`load_python_reference`; anything else: the path of a UTF-8 text
        file, split into sentences of lower-cased words.
    n_sequences : int, default=1000
        Number of sequences of the ``zipf`` corpus.
    length : int, default=80
        Tokens per sequence of the ``zipf`` corpus.
    random_state : int, default=0
        Seed of the ``zipf`` corpus.

    Returns
    -------
    sequences : ndarray of shape (n_sequences, length) or list of list of str
        Token ids (``zipf``) or word lists.

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
    sentences = [word_tokenize(s) for s in split_sentences(text, min_words=2)]
    if len(sentences) < 10:
        raise ValueError(
            f"corpus file {str(path)!r} holds {len(sentences)} sentence(s) of two "
            "words or more; a study needs at least 10."
        )
    return sentences
