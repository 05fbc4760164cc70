"""Default text tokenisation: lower-cased words."""

import re

_WORD = re.compile(r"\w+(?:'\w+)*")


def word_tokenize(text):
    """Split ``text`` into lower-cased words (letters, digits, inner apostrophes).

    Parameters
    ----------
    text : str
        Raw text.

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
