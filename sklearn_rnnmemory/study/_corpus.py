"""A corpus as a study reads it: training and test points, and their groups."""

import os
from typing import Any, NamedTuple

import numpy as np


class CorpusPoints(NamedTuple):
    """The points of a corpus, split for a study (see :func:`corpus_points`)."""

    X_train: np.ndarray
    X_test: np.ndarray
    train_groups: np.ndarray | None
    test_groups: np.ndarray | None
    description: dict[str, Any]


def corpus_points(
    corpus: str | os.PathLike = "zipf",
    *,
    n_sequences: int | None = None,
    basis: str | None = None,
    dim: int | None = None,
    max_vocab: int = 2000,
    test_size: float = 0.2,
    encoding: str | None = None,
) -> CorpusPoints:
    """The training and test points of a corpus, split for a study.

    As ``rnnmemory assess`` and :func:`run_study` read them.

    The corpus is loaded with :func:`~sklearn_rnnmemory.datasets.load_corpus`,
    its sequences are split into training and test sequences (seed 0), and
    a :class:`~sklearn_rnnmemory.SemanticEuclideanSpace` fitted on the
    training sequences gives their points. A text corpus is a list of
    documents: whole documents are held out, each is one sequence (its
    windows are cut from its running token stream) and the group of its
    windows.

    Parameters
    ----------
    corpus : str or path, default="zipf"
        A built-in corpus (:data:`~sklearn_rnnmemory.datasets.CORPORA`) or
        the path of a text file.
    n_sequences : int, default=None
        Sequences of the ``zipf`` corpus; None: ``load_corpus``'s default.
    basis : str, default=None
        Semantic basis (see :class:`~sklearn_rnnmemory.SemanticEuclideanSpace`);
        None: ``"onehot"`` for ``zipf``, ``"random"`` for a text corpus.
    dim : int, default=None
        Dimension of the points; None: the space's own default (``|V|`` for
        ``onehot``, ``min(64, |V|)`` for ``random`` and ``cooccurrence``).
    max_vocab : int, default=2000
        Largest vocabulary of a text corpus: its most frequent words; the
        others are left out of the sequences.
    test_size : float in (0, 1), default=0.2
        Share of the sequences held out for measuring.
    encoding : str, default=None
        Text encoding of a corpus file (see ``load_corpus``).

    Returns
    -------
    points : CorpusPoints
        ``X_train``, ``X_test``, ``train_groups`` and ``test_groups`` (None
        for ``zipf``: every window its own group) to pass to
        :func:`run_study`, and a ``description`` of the corpus for the
        study's metadata: its name, kind, sequences, tokens, basis, dimension
        and vocabulary.

    Examples
    --------
    >>> from sklearn_rnnmemory.study import corpus_points
    >>> points = corpus_points("zipf", n_sequences=50)
    >>> points.X_train.shape, points.X_test.shape
    ((40, 80, 50), (10, 80, 50))
    """
    from sklearn.model_selection import train_test_split

    from .._semantic_space import SemanticEuclideanSpace
    from .._validation import check_real
    from ..datasets import load_corpus

    test_size = check_real(test_size, "test_size", low=0, high=1)

    loaded: dict[str, Any] = {} if n_sequences is None else {"n_sequences": n_sequences}
    if encoding is not None:
        loaded["encoding"] = encoding
    sequences = load_corpus(corpus, **loaded)
    train, test = train_test_split(list(sequences), test_size=test_size, random_state=0)
    text = corpus != "zipf"
    groups: tuple[np.ndarray | None, np.ndarray | None]
    if text:
        groups = (np.arange(len(train)), np.arange(len(test)))
        space = SemanticEuclideanSpace(
            basis or "random",
            dim=dim,
            max_vocab=max_vocab,
            handle_unknown="ignore",
            random_state=0,
        )
    else:
        groups = (None, None)
        space = SemanticEuclideanSpace(basis or "onehot", dim=dim)
    X_train, X_test = space.fit_transform(train), space.transform(test)
    description = {
        "name": str(corpus),
        "kind": "documents" if text else "sequences",
        "n_train": len(X_train),
        "n_test": len(X_test),
        "n_tokens": int(sum(map(len, sequences))),
        "basis": space.basis,
        "dim": int(space.dim_),
        "vocabulary": len(space.vocabulary_),
    }
    if encoding is not None:
        description["encoding"] = encoding
    train_groups, test_groups = groups
    return CorpusPoints(X_train, X_test, train_groups, test_groups, description)
