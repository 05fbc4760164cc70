"""A real English corpus that ships with Python itself."""

from .._text import split_sentences, word_tokenize
from .._validation import check_bool, check_positive_int


def load_python_reference(
    *, min_words: int = 4, as_tokens: bool = False
) -> list[str] | list[list[str]]:
    """Load the sentences of the Python Language Reference topics.

    The text is the human-written English of the *Python Language Reference*
    and library topics that CPython ships in its standard library as
    ``pydoc_data.topics`` (the help texts of ``help("topics")``): about 465,000
    characters, some 3,000 sentences for ``min_words=4``. It is read from the
    running Python, so nothing is ever downloaded. Provenance: the CPython
    documentation, copyright the Python Software Foundation, distributed
    under the PSF License Agreement (see ``LICENSE`` of your Python).

    Parameters
    ----------
    min_words : int >= 1, default=4
        Sentences with fewer words are left out (headings, code fragments).
    as_tokens : bool, default=False
        Return lists of lower-cased words instead of strings.

    Returns
    -------
    sentences : list of str, or list of list of str
        The sentences, in the order of the topics.

    Examples
    --------
    >>> from sklearn_rnnmemory.datasets import load_python_reference
    >>> sentences = load_python_reference()
    >>> len(sentences) > 1000
    True
    """
    min_words = check_positive_int(min_words, "min_words")
    as_tokens = check_bool(as_tokens, "as_tokens")
    from pydoc_data.topics import topics

    sentences = [
        sentence
        for key in sorted(topics)
        for sentence in split_sentences(topics[key], min_words=min_words)
    ]
    return [word_tokenize(s) for s in sentences] if as_tokens else sentences
