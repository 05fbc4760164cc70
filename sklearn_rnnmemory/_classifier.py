"""RecurrentClassifier: sequence classification with input truncation."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._docstring import Substitution, parameter_snippets
from ._recurrent_base import RecurrentEstimatorBase
from ._sequences import check_sequences
from ._shared_parameters import fill_shared_docs
from ._torch.networks import SequenceClassifierModule
from ._torch.skorch_nets import ClassifierNet
from ._typing import ArrayLike


def _label_kind(label):
    if isinstance(label, str):
        return "str"
    if isinstance(label, Real):
        return "NaN" if label != label else "number"
    return type(label).__name__


def _encode_labels(y, n_sequences):
    """The label encoder and the labels as class indices; each check names y."""
    if y is None:
        raise ValueError(
            "RecurrentClassifier requires y to be passed, but the target y is None."
        )
    try:
        y = column_or_1d(y, warn=True)
    except ValueError as exc:  # scikit-learn's message names y and its shape
        raise ValueError(str(exc)) from None
    if y.shape[0] != n_sequences:
        raise ValueError(
            f"y must hold one label per sequence, {n_sequences}; got {y.shape[0]}."
        )
    if y.dtype == object:
        kinds = sorted({_label_kind(label) for label in y})
        if len(kinds) > 1 or kinds[0] not in ("str", "number"):
            raise TypeError(
                f"y must hold labels of one kind, all strings or all numbers; got "
                f"labels of kinds {kinds}."
            )
    try:
        check_classification_targets(y)
    except ValueError as exc:
        raise ValueError(f"y must hold class labels: {exc}") from None
    encoder = LabelEncoder().fit(y)
    if len(encoder.classes_) < 2:
        raise ValueError(
            f"y must hold at least 2 classes; got {len(encoder.classes_)} class."
        )
    return encoder, encoder.transform(y).astype(np.int64)


#: The input sequences, as the fitted classifier reads them.
_INPUTS = parameter_snippets(
    "X",
    "X : array-like of shape (n, T, d) or (n, T)\n    Input points, NaN-padded.",
)


@Substitution(**_INPUTS)
@fill_shared_docs
@dataclass(repr=False, eq=False, kw_only=True)
class RecurrentClassifier(ClassifierMixin, RecurrentEstimatorBase):
    """Classify sequences from the recurrent state after their first tokens.

    The network reads the first ``seq_len`` steps of each sequence (input
    truncation: the training length) from a zero state; a linear head on the
    state at the last step read gives the class logits. The model is a skorch
    ``NeuralNetClassifier`` built in :meth:`fit`. Its memory can be probed
    with :func:`sklearn_rnnmemory.scoring.make_probe_scorer`.

    Parameters
    ----------
    %(network_parameters)s
    seq_len : int, default=None
        Read only the first ``seq_len`` steps of each sequence, in ``fit`` and
        ``predict``; ``None`` reads whole sequences. :meth:`hidden_states`
        reads windows of this length.
    %(training_parameters)s

    Attributes
    ----------
    net_ : skorch.NeuralNetClassifier
        The trained network.
    %(history_)s
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    %(device_)s
    %(n_updates_)s
    n_features_in_ : int
        Dimension ``d`` of the input points.
    %(input_scale_)s

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory import RecurrentClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(80, 6, 2)).astype("float32")
    >>> y = np.where(X[:, 0, 0] > 0, "up", "down")   # the first step decides
    >>> model = RecurrentClassifier("gru", hidden_size=8, max_epochs=50, lr=0.02,
    ...                             random_state=0).fit(X, y)
    >>> model.classes_
    array(['down', 'up'], dtype='<U4')
    >>> model.score(X, y) > 0.9
    True
    """

    _training_samples = "sequences"
    _scorer_names_work = True  # one row of class scores per sequence

    def _truncate(self, X):
        """The first ``seq_len`` steps of each sequence; each must have one."""
        X = X if self.seq_len is None else X[:, : self.seq_len]
        if np.isnan(X[:, 0]).all(axis=1).any():
            raise ValueError("Every sequence of X must have at least one valid step.")
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike) -> RecurrentClassifier:
        """Train the classifier.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Input points, NaN-padded at the end.
        y : array-like of shape (n,)
            Class labels.

        %(returns_fitted)s
        """
        self._start_fit()
        X = check_sequences(X, dtype=np.float32)
        encoder, y = _encode_labels(y, X.shape[0])
        d, n_classes = X.shape[2], len(encoder.classes_)
        self._check_network_size(d, n_classes, f", d={d}, {n_classes} classes")
        Xt = self._truncate(X)
        self.input_scale_ = self._input_scale(Xt)
        self._fit_network(
            ClassifierNet,
            SequenceClassifierModule,
            self._network_input(Xt),
            y,
            module__input_size=d,
            module__n_outputs=n_classes,
            criterion=torch.nn.CrossEntropyLoss,
            classes=np.arange(n_classes),
        )
        self.classes_ = encoder.classes_
        self.n_features_in_ = d
        return self

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities from the first ``seq_len`` steps.

        %(parameters_X)s

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = self._truncate(self._check_input(X))
        return self.net_.predict_proba(self._network_input(X))

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predicted class labels.

        %(parameters_X)s

        Returns
        -------
        labels : ndarray of shape (n,)
            The most probable class of each sequence, from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def score(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> float:
        """Mean accuracy on ``X`` and ``y``.

        Parameters
        ----------
        %(X)s
        y : array-like of shape (n,)
            True labels.
        sample_weight : array-like of shape (n,), default=None
            Sample weights.

        Returns
        -------
        accuracy : float
            Share of correctly classified sequences.
        """
        X = self._check_input(X)
        if y is None:
            raise ValueError("score needs the true labels y; got None.")
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y must hold one label per sequence, {X.shape[0]}; got an array of "
                f"shape {y.shape}."
            )
        return super().score(X, y, sample_weight=sample_weight)
