"""SemanticEuclideanSpace: bases, inputs, padding, errors and the sklearn contract."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from sklearn_rnnmemory import SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import load_python_reference

TEXTS = ["The cat sat on the mat", "the dog sat", "a cat and a dog"]

# A sequence's length is not a feature count: transform takes sequences of any
# length, so there is no n_features_in_ to check. NaN marks padding at the end of a
# row, and the pickle check puts one before a token.
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in": "sequence length is not a feature count",
    "check_n_features_in_after_fitting": "sequence length is not a feature count",
    "check_transformer_general": "transform accepts sequences of any length",
    "check_estimators_pickle": "NaN is end padding; a NaN before a token is rejected",
}


@parametrize_with_checks(
    [SemanticEuclideanSpace(handle_unknown="ignore")],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_every_parameter_is_validated_as_scikit_learn_checks_it():
    # Not among the checks parametrize_with_checks yields to other libraries.
    check_param_validation(
        "SemanticEuclideanSpace", SemanticEuclideanSpace(handle_unknown="ignore")
    )


def test_onehot_points_are_the_axes():
    space = SemanticEuclideanSpace().fit(TEXTS)
    assert list(space.vocabulary_) == [
        "the",
        "cat",
        "sat",
        "on",
        "mat",
        "dog",
        "a",
        "and",
    ]
    np.testing.assert_array_equal(space.points_, np.eye(8))
    assert space.dim_ == 8
    out = space.transform(["the dog", "a cat sat on"])
    assert out.dtype == np.float32 and out.shape == (2, 4, 8)
    np.testing.assert_array_equal(out[0, :2], np.eye(8)[[0, 5]])
    assert np.isnan(out[0, 2:]).all() and not np.isnan(out[1]).any()


@pytest.mark.parametrize("dim", [None, 12])
def test_orthogonal_points_are_orthonormal(dim):
    space = SemanticEuclideanSpace("orthogonal", dim=dim, random_state=0).fit(TEXTS)
    assert space.points_.shape == (8, dim or 8)
    np.testing.assert_allclose(space.points_ @ space.points_.T, np.eye(8), atol=1e-12)


def test_random_points_have_unit_norm_and_are_nearly_orthogonal():
    tokens = [[str(i) for i in range(400)]]
    space = SemanticEuclideanSpace("random", dim=2000, random_state=0).fit(tokens)
    np.testing.assert_allclose(np.linalg.norm(space.points_, axis=1), 1.0)
    gram = space.points_ @ space.points_.T
    assert np.abs(gram[~np.eye(400, dtype=bool)]).max() < 0.15


def test_random_state_fixes_the_points():
    a = SemanticEuclideanSpace("random", dim=5, random_state=3).fit(TEXTS).points_
    b = SemanticEuclideanSpace("random", dim=5, random_state=3).fit(TEXTS).points_
    c = SemanticEuclideanSpace("random", dim=5, random_state=4).fit(TEXTS).points_
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_user_matrix_and_mapping():
    matrix = np.arange(6.0).reshape(3, 2)
    space = SemanticEuclideanSpace(matrix, vocabulary=["x", "y", "z"]).fit([["x"]])
    np.testing.assert_array_equal(space.transform([["z", "x"]])[0], matrix[[2, 0]])
    by_index = SemanticEuclideanSpace(matrix).fit(np.array([[0, 2, -1]]))
    np.testing.assert_array_equal(
        by_index.transform(np.array([[2, 1]]))[0], matrix[[2, 1]]
    )
    mapping = {"up": [0.0, 1.0], "down": [0.0, -1.0]}
    space = SemanticEuclideanSpace(mapping).fit([["up"]])
    np.testing.assert_array_equal(
        space.transform([["down", "up"]])[0], [[0, -1], [0, 1]]
    )


def test_integer_array_with_padding_and_token_lists_agree():
    ids = np.array([[3, 1, 2], [2, 3, -1], [1, -1, -1]])
    lists = [[3, 1, 2], [2, 3], [1]]
    a = SemanticEuclideanSpace().fit(ids)
    b = SemanticEuclideanSpace().fit(lists)
    assert a.vocabulary_ == b.vocabulary_ == {3: 0, 1: 1, 2: 2}
    np.testing.assert_array_equal(a.transform(ids), b.transform(lists))
    assert np.isnan(a.transform(ids)[2, 1:]).all()


def test_custom_tokenizer_min_count_and_max_vocab():
    # str.split keeps case, so "The" and "the" are two tokens, each counted apart.
    space = SemanticEuclideanSpace(tokenizer=str.split, min_count=2).fit(TEXTS)
    assert list(space.vocabulary_) == ["cat", "sat", "the", "dog", "a"]
    top = SemanticEuclideanSpace(max_vocab=3).fit(TEXTS)
    assert list(top.vocabulary_) == ["the", "cat", "sat"]  # ties: first seen


def test_handle_unknown():
    space = SemanticEuclideanSpace().fit(TEXTS)
    with pytest.raises(
        ValueError, match=r"Token 'bird' in X\[1\] is not in the vocabulary"
    ):
        space.transform(["the cat", "the bird"])
    out = space.set_params(handle_unknown="ignore").transform(["the bird"])
    np.testing.assert_array_equal(out[0, 1], np.zeros(8))


def test_nearest_tokens_round_trip():
    space = SemanticEuclideanSpace("random", dim=6, random_state=0).fit(TEXTS)
    points = space.transform(["a dog sat", "the mat"])
    tokens = space.nearest_tokens(points)
    assert tokens.shape == (2, 3, 1)
    assert tokens[:, :, 0].tolist() == [["a", "dog", "sat"], ["the", "mat", None]]
    two = space.nearest_tokens(points[0, 0] + 1e-3, k=2)
    assert two.shape == (2,) and two[0] == "a"


def test_cooccurrence_on_real_english_puts_related_words_together():
    sentences = load_python_reference(split="sentences")
    space = SemanticEuclideanSpace(
        "cooccurrence", dim=100, min_count=5, handle_unknown="ignore", random_state=0
    ).fit(sentences)
    np.testing.assert_allclose(np.linalg.norm(space.points_, axis=1), 1.0)

    def neighbours(word, k):
        return list(
            space.nearest_tokens(space.points_[space.vocabulary_[word]], k=k + 1)[1:]
        )

    assert "false" in neighbours("true", 3)
    assert "keyword" in neighbours("positional", 3)
    assert "tuple" in neighbours("list", 3)
    assert {"floating", "number", "numeric"} & set(neighbours("integer", 5))
    assert {"literal", "literals", "strings"} & set(neighbours("string", 5))


def test_clone_and_pickle_round_trip():
    space = SemanticEuclideanSpace("random", dim=4, random_state=0, min_count=1)
    assert clone(space).get_params() == space.get_params()
    space.fit(TEXTS)
    restored = pickle.loads(pickle.dumps(space))
    np.testing.assert_array_equal(restored.transform(TEXTS), space.transform(TEXTS))


def test_unfitted_use_raises_not_fitted():
    with pytest.raises(NotFittedError):
        SemanticEuclideanSpace().transform(TEXTS)


@pytest.mark.parametrize(
    "params, X, message",
    [
        (
            {"basis": "glove"},
            TEXTS,
            "The 'basis' parameter of SemanticEuclideanSpace must be a str among",
        ),
        (
            {"dim": 0},
            TEXTS,
            r"The 'dim' parameter of SemanticEuclideanSpace must be an int in the "
            r"range \[1, inf\)",
        ),
        ({"basis": "onehot", "dim": 3}, TEXTS, "basis='onehot' has dim equal"),
        ({"basis": "orthogonal", "dim": 3}, TEXTS, "needs dim >= the vocabulary size"),
        ({"basis": "cooccurrence", "dim": 30}, TEXTS, "at most as many dimensions"),
        (
            {"min_count": 0},
            TEXTS,
            r"The 'min_count' parameter of SemanticEuclideanSpace must be an int in "
            r"the range \[1, inf\)",
        ),
        ({"min_count": 9}, TEXTS, "vocabulary would be empty"),
        (
            {"handle_unknown": "skip"},
            TEXTS,
            "The 'handle_unknown' parameter of SemanticEuclideanSpace must be a str "
            "among",
        ),
        ({"basis": np.ones((2, 2)), "vocabulary": ["a"]}, TEXTS, "basis has 2 rows"),
        ({"vocabulary": ["a", "a"]}, TEXTS, "appears twice"),
        ({}, "the cat sat", "got a single string"),
        ({}, [], "holds no sequences"),
        ({}, [3], r"X\[0\] must be a string or a sequence"),
        ({}, np.array([[1, -1, 2]]), r"X\[0, 1\] is padding"),
        ({}, np.array([1, 2, 3]), "Reshape your data"),
        ({}, np.ones((2, 2, 2)), "2-D array of token ids"),
    ],
)
def test_bad_input_raises_a_named_value_error(params, X, message):
    with pytest.raises(ValueError, match=message):
        SemanticEuclideanSpace(**params).fit(X)


def test_token_ids_index_the_points():
    space = SemanticEuclideanSpace(handle_unknown="ignore").fit(TEXTS)
    ids = space.token_ids(["the dog", "a bird sat"])
    np.testing.assert_array_equal(ids, [[0, 5, -1], [6, 8, 2]])
    points = space.transform(["the dog", "a bird sat"])
    np.testing.assert_array_equal(points[0, :2], space.points_[[0, 5]])
    np.testing.assert_array_equal(points[1, 1], np.zeros(8))  # unknown: id 8


class OneColumnFrame:
    """What a one-column DataFrame of texts gives numpy: an (n, 1) object array."""

    def __init__(self, texts):
        self.texts = texts

    def __array__(self, dtype=None, copy=None):
        return np.array([[t] for t in self.texts], dtype=object)


def test_a_column_of_texts_is_tokenized_not_read_as_one_token_per_text():
    expected = SemanticEuclideanSpace().fit(TEXTS)
    for column in (OneColumnFrame(TEXTS), np.array([[t] for t in TEXTS])):
        space = SemanticEuclideanSpace().fit(column)
        assert space.vocabulary_ == expected.vocabulary_
        np.testing.assert_array_equal(
            space.transform(column), expected.transform(TEXTS)
        )


@pytest.mark.parametrize(
    "rows",
    [
        np.array([["a", "b", -1], ["c", -1, -1]], dtype=object),
        np.array([["a", "b", None], ["c", None, np.nan]], dtype=object),
        np.array([["a", "b", ""], ["c", "", ""]]),
    ],
    ids=["pad_value", "None and NaN", "empty string"],
)
def test_object_and_string_arrays_end_at_their_padding(rows):
    space = SemanticEuclideanSpace().fit(rows)
    assert list(space.vocabulary_) == ["a", "b", "c"]
    assert space.token_ids(rows).tolist() == [[0, 1], [2, -1]]
    custom = SemanticEuclideanSpace(pad_value="<pad>").fit(
        np.array([["a", "<pad>"], ["b", "c"]], dtype=object)
    )
    assert list(custom.vocabulary_) == ["a", "b", "c"]


def test_a_mapping_vocabulary_gives_each_token_its_index():
    space = SemanticEuclideanSpace(vocabulary={"dog": 1, "cat": 0}).fit(TEXTS[:1])
    assert list(space.tokens_) == ["cat", "dog"]
    assert space.token_ids([["dog", "cat"]]).tolist() == [[1, 0]]


def test_a_tokenizer_may_return_any_iterable_of_tokens():
    space = SemanticEuclideanSpace(tokenizer=lambda s: iter(s.split())).fit(["a b"])
    assert list(space.vocabulary_) == ["a", "b"]


def test_a_context_wider_than_every_sequence_counts_each_pair_once():
    corpus = load_python_reference(split="sentences", as_tokens=True)[:200]
    longest = max(len(s) for s in corpus)
    points = [
        SemanticEuclideanSpace("cooccurrence", dim=8, context_size=size, random_state=0)
        .fit(corpus)
        .points_
        for size in (longest - 1, 10**9)
    ]
    np.testing.assert_array_equal(points[0], points[1])


def test_nearest_tokens_of_points_beyond_float64_squares():
    space = SemanticEuclideanSpace("random", dim=2, random_state=0).fit(["a b c"])
    far = np.sign(space.points_[1]) * 1e308
    with np.errstate(all="raise"):
        nearest = space.nearest_tokens(np.stack([far, space.points_[2]]))
    # Every token is equally far from the first point at float64 precision.
    assert nearest[0, 0] in ("a", "b", "c") and nearest[1, 0] == "c"


def test_a_scaled_basis_keeps_its_points_in_float32():
    for scale in (1e25, 1e-25, 1e38, 1e-38):
        space = SemanticEuclideanSpace(np.eye(3) * scale).fit([[0, 1, 2]])
        out = space.transform([[2, 0]])
        np.testing.assert_allclose(out[0], np.eye(3, dtype=np.float32)[[2, 0]] * scale)


def test_sparse_and_tensor_bases_are_their_dense_points():
    import scipy.sparse as sp
    import torch

    for basis in (sp.eye(3, format="csr"), torch.eye(3, requires_grad=True)):
        space = SemanticEuclideanSpace(basis).fit([[0, 1, 2]])
        np.testing.assert_array_equal(space.points_, np.eye(3))
    with pytest.raises(ValueError, match="basis gives every token the zero point"):
        SemanticEuclideanSpace(np.zeros((3, 2))).fit([[0, 1]])
