"""Text handling: lower-cased words, sentences and documents."""

import re

from ._docstring import Substitution

_WORD = re.compile(r"\w+(?:'\w+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")

#: What every splitter takes.
_text_docs = Substitution(
    parameters_text="Parameters\n----------\ntext : str\n    Raw text."
)


@_text_docs
def word_tokenize(text: str) -> list[str]:
    """Split ``text`` into lower-cased words (letters, digits, inner apostrophes).

    %(parameters_text)s

    Returns
    -------
    tokens : list of str

    Examples
    --------
    >>> from sklearn_rnnmemory._text import word_tokenize
    >>> word_tokenize("The cat's hat, 2 times!")
    ['the', "cat's", 'hat', '2', 'times']
    """
    return _WORD.findall(text.lower())


@_text_docs
def split_sentences(text: str, *, min_words: int = 4) -> list[str]:
    """Split text into sentences at ``.``, ``!`` or ``?`` followed by space.

    %(parameters_text)s
    min_words : int, default=4
        Sentences with fewer words are left out (headings, fragments).

    Returns
    -------
    sentences : list of str
        The sentences, whitespace normalised.
    """
    return [
        " ".join(sentence.split())
        for sentence in _SENTENCE_END.split(text)
        if len(word_tokenize(sentence)) >= min_words
    ]


@_text_docs
def split_documents(text: str) -> list[str]:
    r"""Split text into documents at blank lines (lines of whitespace only).

    %(parameters_text)s

    Returns
    -------
    documents : list of str
        The documents that hold a word, stripped of surrounding whitespace.

    Examples
    --------
    >>> from sklearn_rnnmemory._text import split_documents
    >>> split_documents("One line.\nAnd its next.\n\n  \nAnother one.\n")
    ['One line.\nAnd its next.', 'Another one.']
    """
    return [part.strip() for part in _BLANK_LINES.split(text) if word_tokenize(part)]
