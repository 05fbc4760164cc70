"""The Python reference corpus (datasets/_python_reference.py): English sentences and
the topics' running text."""

import pytest

from sklearn_rnnmemory._text import word_tokenize
from sklearn_rnnmemory.datasets import load_python_reference


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
