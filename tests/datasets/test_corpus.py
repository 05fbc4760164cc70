"""A user's corpus (datasets/_corpus.py): loaded, checked, decoded in its encoding."""

import re

import numpy as np
import pytest

from sklearn_rnnmemory.datasets import (
    load_corpus,
    load_python_reference,
    make_zipf_sequences,
)


def test_load_corpus(tmp_path):
    np.testing.assert_array_equal(
        load_corpus("zipf", n_sequences=4, length=6),
        make_zipf_sequences(4, 6, vocab_size=50, random_state=0),
    )
    assert load_corpus("python-reference") == load_python_reference(as_tokens=True)
    path = tmp_path / "text.txt"
    # Documents are separated by blank lines (whitespace-only lines count);
    # sentences and single line breaks stay inside a document.
    path.write_text(
        "One small step. For a man!\nA giant leap.\n \t\n\nSecond one\n\n\n"
    )
    assert load_corpus(path) == [
        ["one", "small", "step", "for", "a", "man", "a", "giant", "leap"],
        ["second", "one"],
    ]
    with pytest.raises(ValueError, match="neither a built-in corpus"):
        load_corpus(tmp_path / "missing.txt")
    (tmp_path / "one.txt").write_text("A single document.\nNo blank line.")
    with pytest.raises(ValueError, match="holds 1 document.*blank line"):
        load_corpus(tmp_path / "one.txt")


def test_corpus_names_and_sentence_lengths_are_checked():
    with pytest.raises(TypeError, match="corpus name must be one of"):
        load_corpus(None)
    with pytest.raises(ValueError, match="min_words must be a positive integer"):
        load_python_reference(min_words=0)
    with pytest.raises(ValueError, match="as_tokens must be True or False"):
        load_python_reference(as_tokens="yes")


# two documents, separated by a blank line, as a study needs
TEXT = ("Un café au lait. Le thé est chaud. " * 4 + "\n\n") * 2


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), None),
        (TEXT.encode("utf-8-sig"), None),
        (TEXT.encode("utf-16"), None),  # its byte-order mark names it
        (TEXT.encode("utf-32"), None),
        (TEXT.encode("latin-1"), "latin-1"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_a_corpus_file_is_decoded_in_its_encoding(tmp_path, data, encoding):
    path = tmp_path / "text.txt"
    path.write_bytes(data)
    words = {
        word for sequence in load_corpus(path, encoding=encoding) for word in sequence
    }
    assert {"café", "thé", "chaud"} <= words and not any("\ufffd" in w for w in words)


@pytest.mark.parametrize(
    ("data", "encoding", "message"),
    [
        # "Un caf" is 6 bytes: the 7th (0xe9, é in latin-1) is not UTF-8
        (TEXT.encode("latin-1"), None, "is not utf-8 text: byte 6 (line 1) is 0xe9"),
        (
            b"ok.\n" * 3 + "é".encode("utf-16-le"),
            None,
            "is not utf-8 text: byte 12 (line 4)",
        ),
        ("one two.\n".encode("utf-16-le"), None, "holds a NUL byte (byte 1), which"),
        (TEXT.encode("utf-8"), "klingon", "encoding 'klingon' is not a character set"),
        (TEXT.encode("utf-8"), "base64", "encoding 'base64' is not a character set"),
    ],
)
def test_a_corpus_file_that_does_not_decode_is_refused_by_offset(
    tmp_path, data, encoding, message
):
    path = tmp_path / "text.txt"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        load_corpus(path, encoding=encoding)
    assert "\n" not in str(info.value)
    if encoding is None:
        assert str(path) in str(info.value) and "encoding='latin-1'" in str(info.value)
