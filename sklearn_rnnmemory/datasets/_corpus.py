"""Corpora by name: built-in ones, or a text file of the user's."""

import codecs
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
    encoding: str | None = None,
) -> np.ndarray | list[list[str]]:
    """Token sequences of a built-in corpus or of a text file.

    Parameters
    ----------
    name : str or path
        ``"zipf"``: :func:`make_zipf_sequences` (50 tokens, exponent 1);
        ``"python-reference"``: the documents of
        :func:`load_python_reference`; anything else: the path of a text file
        (see ``encoding``), read as documents separated by blank lines, each a
        list of lower-cased words (a memory study cuts its windows from each
        document's running text).
    n_sequences : int, default=1000
        Number of sequences of the ``zipf`` corpus.
    length : int, default=80
        Tokens per sequence of the ``zipf`` corpus.
    random_state : int, default=0
        Seed of the ``zipf`` corpus.
    encoding : str, default=None
        Text encoding of a corpus file; None: UTF-8, or UTF-16 / UTF-32 where
        the file starts with their byte-order mark. Decoding is strict: a byte
        that is not of the encoding is refused, naming the file and its
        offset.

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
    text = read_text_file(path, encoding)
    documents = [word_tokenize(d) for d in split_documents(text)]
    if len(documents) < 2:
        raise ValueError(
            f"corpus file {str(path)!r} holds {len(documents)} document(s); a "
            "study holds out whole documents to measure on and needs at least 2: "
            "separate the documents by a blank line."
        )
    return documents


#: Byte-order marks and the encodings they name, longest first (UTF-32's
#: little-endian mark begins with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text_file(path: str | os.PathLike, encoding: str | None = None) -> str:
    """The text of a file, decoded strictly.

    ``encoding=None`` reads UTF-8, or the encoding a byte-order mark names.
    A ValueError names the file, the encoding and the offset of the first byte
    that does not decode, in one line; so it does for NUL bytes, which no text
    holds (UTF-16 without its mark, or not text at all).
    """
    data = Path(path).read_bytes()
    if encoding is None:
        encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    else:
        try:
            known = getattr(codecs.lookup(encoding), "_is_text_encoding", True)
        except (LookupError, TypeError):
            known = False
        if not known:
            raise ValueError(
                f"encoding {encoding!r} is not a character set Python knows (e.g. "
                "'utf-8', 'latin-1', 'utf-16')."
            )
    fix = (
        "give the file's character set as encoding, e.g. encoding='latin-1' or "
        "encoding='utf-16'."
    )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"corpus file {str(path)!r} is not {exc.encoding} text: byte "
            f"{exc.start} (line {line}) is 0x{data[exc.start]:02x}, which "
            f"{exc.encoding} cannot decode; {fix}"
        ) from None
    if "\x00" in text:
        offset = data.find(b"\x00")
        raise ValueError(
            f"corpus file {str(path)!r} holds a NUL byte (byte {offset}), which "
            f"no {encoding} text holds: it is UTF-16 or UTF-32 without a "
            f"byte-order mark, or not text; {fix}"
        )
    return text
