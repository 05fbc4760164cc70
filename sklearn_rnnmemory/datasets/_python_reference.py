"""A real English corpus that ships with Python itself."""

from typing import Literal, overload

from .._text import split_sentences, word_tokenize
from .._validation import check_bool, check_positive_int

#: How the text is divided: one item per topic, or per sentence.
SPLITS = ("documents", "sentences")


@overload
def load_python_reference(
    *, split: str = ..., min_words: int = ..., as_tokens: Literal[False] = ...
) -> list[str]: ...
@overload
def load_python_reference(
    *, split: str = ..., min_words: int = ..., as_tokens: Literal[True]
) -> list[list[str]]: ...
def load_python_reference(
    *, split: str = "documents", min_words: int = 4, as_tokens: bool = False
) -> list[str] | list[list[str]]:
    """Load the Python Language Reference topics, as documents or sentences.

    The text is the human-written English of the *Python Language Reference*
    and library topics that CPython ships in its standard library as
    ``pydoc_data.topics`` (the help texts of ``help("topics")``): about 465,000
    characters. Each topic is a document: 79 documents of 27 to 8,951 words
    (65,001 in all) on Python 3.11; 63,833 words on 3.10, 67,711 on 3.12 and
    69,350 on 3.13, in 79 documents each. It is read from the running Python,
    so nothing is ever downloaded. Provenance: the CPython documentation,
    copyright the Python Software Foundation, distributed under the PSF
    License Agreement (see ``LICENSE`` of your Python).

    Parameters
    ----------
    split : {"documents", "sentences"}, default="documents"
        One item per topic, the running text in which a memory study cuts its
        windows; or one per sentence (about 3,000 of four words or more).
    min_words : int >= 1, default=4
        Items with fewer words are left out (headings, code fragments).
    as_tokens : bool, default=False
        Return lists of lower-cased words instead of strings.

    Returns
    -------
    items : list of str, or list of list of str
        The documents or sentences, in the order of the topics.

    Examples
    --------
    >>> from sklearn_rnnmemory.datasets import load_python_reference
    >>> len(load_python_reference())
    79
    >>> len(load_python_reference(split="sentences")) > 1000
    True
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}; got {split!r}.")
    min_words = check_positive_int(min_words, "min_words")
    as_tokens = check_bool(as_tokens, "as_tokens")
    from pydoc_data.topics import topics

    if split == "documents":
        items = [
            " ".join(topics[key].split())
            for key in sorted(topics)
            if len(word_tokenize(topics[key])) >= min_words
        ]
    else:
        items = [
            sentence
            for key in sorted(topics)
            for sentence in split_sentences(topics[key], min_words=min_words)
        ]
    return [word_tokenize(item) for item in items] if as_tokens else items
