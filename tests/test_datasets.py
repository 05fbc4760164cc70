"""Built-in corpora."""

import re

import numpy as np
import pytest

from sklearn_rnnmemory._text import word_tokenize
from sklearn_rnnmemory.datasets import (
    load_corpus,
    load_python_reference,
    make_zipf_sequences,
)


def test_zipf_frequencies_follow_the_law():
    tokens = make_zipf_sequences(2000, 50, vocab_size=20, exponent=1.2, random_state=0)
    assert tokens.shape == (2000, 50) and tokens.dtype.kind == "i"
    freq = np.bincount(tokens.ravel(), minlength=20) / tokens.size
    expected = np.arange(1, 21) ** -1.2
    np.testing.assert_allclose(freq, expected / expected.sum(), rtol=0.05)
    uniform = make_zipf_sequences(500, 40, vocab_size=4, exponent=0, random_state=0)
    np.testing.assert_allclose(
        np.bincount(uniform.ravel()) / uniform.size, 0.25, atol=0.01
    )


def test_zipf_is_seeded():
    a = make_zipf_sequences(5, 5, random_state=1)
    np.testing.assert_array_equal(a, make_zipf_sequences(5, 5, random_state=1))
    assert not np.array_equal(a, make_zipf_sequences(5, 5, random_state=2))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_sequences": 0}, "n_sequences must be a positive integer"),
        ({"length": -1}, "length must be a positive integer"),
        ({"vocab_size": 1.5}, "vocab_size must be a positive integer"),
        ({"exponent": -1}, "exponent must be a number >= 0"),
        ({"exponent": "1"}, "exponent must be a number >= 0"),
    ],
)
def test_zipf_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_zipf_sequences(**{"n_sequences": 3, "length": 3, **kwargs})


def test_python_reference_is_english_sentences():
    sentences = load_python_reference(split="sentences")
    assert len(sentences) > 1000
    tokens = load_python_reference(split="sentences", as_tokens=True)
    assert len(tokens) == len(sentences)
    assert all(len(words) >= 4 for words in tokens)
    words = {w for sentence in tokens for w in sentence}
    assert {"the", "object", "function", "is"} <= words


def test_python_reference_documents_are_the_topics_running_text():
    from pydoc_data.topics import topics

    documents = load_python_reference(as_tokens=True)
    # One document per topic (every topic has four words or more), in the
    # topics' order, every word of it: nothing is cut at sentences.
    assert len(documents) == len(topics)
    key = sorted(topics)[0]
    assert documents[0] == word_tokenize(topics[key])
    assert sum(map(len, documents)) == sum(
        len(word_tokenize(text)) for text in topics.values()
    )
    assert load_python_reference(min_words=10**6) == []
    with pytest.raises(ValueError, match="split must be one of"):
        load_python_reference(split="paragraphs")


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


def test_zipf_takes_numpy_numbers_as_python_ones():
    python = make_zipf_sequences(4, 6, vocab_size=7, exponent=1.5, random_state=3)
    numpy = make_zipf_sequences(
        np.int64(4),
        np.int32(6),
        vocab_size=np.uint8(7),
        exponent=np.float32(1.5),
        random_state=np.int64(3),
    )
    np.testing.assert_array_equal(numpy, python)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"n_sequences": 10**8, "length": 10**8},
            "n_sequences=100000000 sequences of length=100000000",
        ),
        ({"vocab_size": 10**14}, "vocab_size=100000000000000 tokens would need"),
        ({"random_state": -1}, "random_state must be an integer in"),
        ({"exponent": float("inf")}, "exponent must be a number >= 0"),
    ],
)
def test_zipf_refuses_what_cannot_be_drawn_before_allocating(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_zipf_sequences(**{"n_sequences": 3, "length": 4, **kwargs})


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
