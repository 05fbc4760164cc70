"""scikit-learn's estimator checks and parameter validation on every unit's regressor
and on the language model."""

import pytest
from conftest import tiny
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from sklearn_rnnmemory import RecurrentLanguageModel
from sklearn_rnnmemory._torch.registry import UNITS as REGISTERED_UNITS

UNITS = list(REGISTERED_UNITS)


# n_features_in_ is d, the features per step: a 2-D X holds n scalar sequences
# (d = 1), not T features. NaN is end padding; the pickle check puts one first.
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in": "n_features_in_ counts features per step",
    "check_n_features_in_after_fitting": "n_features_in_ counts features per step",
    "check_estimators_pickle": "NaN is end padding; a NaN before a step is rejected",
}


# X of the language model is a 2-D array of token ids, a row a sequence and a
# column a step, padded at its end with NaN or a negative id.
LANGUAGE_MODEL_EXPECTED_FAILED_CHECKS = {
    "check_n_features_in": "a column of token ids is a step, not a feature: the "
    "model reads rows of any length and sets no n_features_in_",
    "check_n_features_in_after_fitting": "a column of token ids is a step, not a "
    "feature: the model reads rows of any length and sets no n_features_in_",
    "check_estimators_pickle": "NaN is end padding; a NaN before a token is rejected",
    "check_positive_only_tag_during_fit": "a negative id is end padding, so one "
    "before a token is rejected; ids are not required positive everywhere",
    "check_complex_data": "any non-numeric dtype, complex included, is refused "
    "with one message that says what token ids must be",
    "check_dtype_object": "token ids must be a numeric array; an object array is "
    "refused rather than guessed at",
    "check_estimators_empty_data_messages": "a row of no column is a sequence of "
    "no step, and the library's message says so",
    "check_fit2d_1feature": "one column is a sequence of one token, which has no "
    "next token to learn from; the library's message says so",
}


def expected_failed_checks(estimator):
    if isinstance(estimator, RecurrentLanguageModel):
        return LANGUAGE_MODEL_EXPECTED_FAILED_CHECKS
    if estimator.unit in ("rnn", "lstm", "gru"):
        return EXPECTED_FAILED_CHECKS
    # A custom cell's input projection is one float32 matmul over the batch; its
    # last bit depends on the batch layout (1.5e-7 relative, against rtol 1e-7).
    return {
        **EXPECTED_FAILED_CHECKS,
        "check_methods_sample_order_invariance": "float32 rounding of the batch",
    }


CHECKED_ESTIMATORS = [tiny(unit, max_epochs=2, hidden_size=4) for unit in UNITS] + [
    RecurrentLanguageModel(
        "gru",
        embedding_dim=3,
        hidden_size=4,
        seq_len=4,
        max_epochs=2,
        device="cpu",
        random_state=0,
    )
]


@parametrize_with_checks(
    CHECKED_ESTIMATORS, expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", CHECKED_ESTIMATORS, ids=repr)
def test_every_parameter_is_validated_as_scikit_learn_checks_it(estimator):
    # Not among the checks parametrize_with_checks yields to other libraries.
    check_param_validation(type(estimator).__name__, estimator)
