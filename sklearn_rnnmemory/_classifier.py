"""RecurrentClassifier: sequence classification with input truncation."""

from numbers import Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._nets import ClassifierNet
from ._recurrent_base import RecurrentEstimatorBase
from ._sequences import check_sequences
from ._units import SequenceClassifierModule


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


class RecurrentClassifier(ClassifierMixin, RecurrentEstimatorBase):
    """Classify sequences from the recurrent state after their first tokens.

    The network reads the first ``seq_len`` steps of each sequence (input
    truncation: the training length) from a zero state; a linear head on the
    state at the last step read gives the class logits. The model is a skorch
    ``NeuralNetClassifier`` built in :meth:`fit`. Its memory can be probed
    with :func:`sklearn_rnnmemory.scoring.make_probe_scorer`.

    Parameters
    ----------
    unit : str, torch.nn.Module subclass or callable, default="lstm"
        The recurrent unit: ``"rnn"`` (vanilla tanh), ``"lstm"``, ``"gru"`` on
        ``torch.nn.RNN/LSTM/GRU``; ``"mgu"``, ``"indrnn"``, ``"mingru"``,
        ``"minlstm"``, ``"peephole_lstm"``, ``"orthogonal"``, ``"lru"`` and
        ``"esn"`` (a fixed reservoir: only the readout learns) as custom cells.
        Or a unit of your own: a ``torch.nn.Module`` subclass or a factory
        ``f(input_size, hidden_size, num_layers)``, whose module maps inputs
        ``(B, T, input_size)`` to ``(outputs, last_state)`` with outputs
        ``(B, T, hidden_size)``, as ``torch.nn.RNN(..., batch_first=True)``
        does. It is kept as given and checked on a tiny input in :meth:`fit`,
        before training (see
        :func:`sklearn_rnnmemory.testing.check_recurrent_unit`).
    hidden_size : int, default=32
        Size ``H`` of the hidden state.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    seq_len : int, default=None
        Read only the first ``seq_len`` steps of each sequence, in ``fit`` and
        ``predict``; ``None`` reads whole sequences. :meth:`hidden_states`
        reads windows of this length.
    max_epochs : int, default=20
        Number of passes over the training sequences.
    max_steps : int, default=None
        Train for this many optimizer updates instead of ``max_epochs``
        passes (the last pass stops early); ``None`` trains for
        ``max_epochs``.
    lr : float, default=0.01
        Learning rate.
    batch_size : int, default=64
        Sequences per gradient step.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
            default="adam"
        The optimiser.
    max_grad_norm : float, default=None
        Clip the gradients' global 2-norm to this value.
    validation_fraction : float, default=None
        Share of the training sequences held out for skorch's ``valid_loss``.
    callbacks : list of skorch callbacks, default=None
        Passed through to the skorch net; a callback that reads held-out data
        (``monitor="valid_loss"``, ``on_train=False``) needs
        ``validation_fraction``.
    verbose : int, default=0
        skorch's verbosity.
    device : str, torch.device or None, default="auto"
        Torch device; ``"auto"`` resolves in :meth:`fit` to CUDA when present;
        ``None`` is torch's default device.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling and the validation split.

    Attributes
    ----------
    net_ : skorch.NeuralNetClassifier
        The trained network.
    history_ : skorch.History
        The training history.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    device_ : str
        The device the network was trained on.
    n_updates_ : int
        Optimizer updates made.
    converged_ : bool
        Whether the training loss had levelled off: its mean over the last
        tenth of the updates was less than 2 % below its mean over the tenth
        before (fewer than 20 updates count as not converged).
    n_features_in_ : int
        Dimension ``d`` of the input points.
    input_scale_ : float
        The network reads ``X / input_scale_``: 1 when the input points'
        root-mean-square norm lies in ``[1/4, 4]``, else the power of two
        nearest that norm.

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

    _scorer_names_work = True  # one row of class scores per sequence

    def __init__(
        self,
        unit="lstm",
        *,
        hidden_size=32,
        num_layers=1,
        seq_len=None,
        max_epochs=20,
        max_steps=None,
        lr=0.01,
        batch_size=64,
        optimizer="adam",
        max_grad_norm=None,
        validation_fraction=None,
        callbacks=None,
        verbose=0,
        device="auto",
        random_state=None,
    ):
        self.unit = unit
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.seq_len = seq_len
        self.max_epochs = max_epochs
        self.max_steps = max_steps
        self.lr = lr
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.max_grad_norm = max_grad_norm
        self.validation_fraction = validation_fraction
        self.callbacks = callbacks
        self.verbose = verbose
        self.device = device
        self.random_state = random_state

    def _truncate(self, X):
        """The first ``seq_len`` steps of each sequence; each must have one."""
        X = X if self.seq_len is None else X[:, : self.seq_len]
        if np.isnan(X[:, 0]).all(axis=1).any():
            raise ValueError("Every sequence of X must have at least one valid step.")
        return X

    def fit(self, X, y):
        """Train the classifier.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Input points, NaN-padded at the end.
        y : array-like of shape (n,)
            Class labels.

        Returns
        -------
        self : RecurrentClassifier
            The fitted classifier.
        """
        options = self._net_options()
        X = check_sequences(X, dtype=np.float32)
        encoder, y = _encode_labels(y, X.shape[0])
        d, n_classes = X.shape[2], len(encoder.classes_)
        self._check_network_size(d, n_classes, f", d={d}, {n_classes} classes")
        Xt = self._truncate(X)
        self._check_split(Xt.shape[0], "sequences")
        self.input_scale_ = self._input_scale(Xt)
        self.net_ = ClassifierNet(
            SequenceClassifierModule,
            module__input_size=X.shape[2],
            module__n_classes=len(encoder.classes_),
            criterion=torch.nn.CrossEntropyLoss,
            classes=np.arange(len(encoder.classes_)),
            **{**options, **self._step_budget(Xt.shape[0])},
        )
        self.net_.fit(self._network_input(Xt), y)
        self._after_fit()
        self.classes_ = encoder.classes_
        self.n_features_in_ = X.shape[2]
        return self

    def predict_proba(self, X):
        """Class probabilities from the first ``seq_len`` steps.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Input points, NaN-padded.

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = self._truncate(self._check_input(X))
        return self.net_.predict_proba(self._network_input(X))

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Input points, NaN-padded.

        Returns
        -------
        labels : ndarray of shape (n,)
        """
        check_is_fitted(self)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Input points, NaN-padded.
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
