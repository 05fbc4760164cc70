"""RecurrentMemoryRegressor: a recurrent unit trained on the memory task."""

from numbers import Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetRegressor
from skorch.callbacks import GradientNormClipping
from skorch.dataset import ValidSplit

from . import indicators
from ._composition import check_composition, compose
from ._sequences import check_sequences, cut_windows, merge_windows, valid_steps
from ._units import MaskedSemanticLoss, SemanticReader, check_unit
from ._validation import check_positive_int

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}


def resolve_device(device):
    """Resolve ``"auto"`` to ``"cuda"`` when CUDA is available, else ``"cpu"``."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


class RecurrentMemoryRegressor(BaseEstimator):
    """A recurrent unit trained to carry a sequence's semantics in its state.

    The network reads the semantic points ``e_1..e_t`` of a window from a zero
    state and maps its hidden state linearly into the semantic space,
    ``S^_t = M h_t + b``. It is trained so that ``S^_t`` matches the composed
    semantics ``S_t`` at every valid step (mean squared distance, masked at
    padding). Training sequences are cut into consecutive windows of
    ``seq_len`` steps: the training length, the external factor of memory.
    The model is a skorch ``NeuralNetRegressor`` built in :meth:`fit`.

    Parameters
    ----------
    unit : {"rnn", "lstm", "gru"}, default="lstm"
        The recurrent unit: vanilla tanh RNN, LSTM or GRU, run on
        ``torch.nn.RNN/LSTM/GRU``.
    hidden_size : int, default=32
        Size ``H`` of the hidden state.
    num_layers : int, default=1
        Number of stacked recurrent layers; the last one is read out.
    seq_len : int, default=None
        Training window length ``k``; each window starts from a zero state. The
        same cut applies in :meth:`predict`, :meth:`hidden_states` and
        :meth:`score`. ``None`` reads whole sequences.
    composition : {"sum", "mean"}, default="sum"
        How a sequence's semantics is composed from its tokens' points.
    max_epochs : int, default=20
        Number of passes over the training windows.
    lr : float, default=0.01
        Learning rate.
    batch_size : int, default=64
        Windows per gradient step.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
            default="adam"
        The optimiser.
    max_grad_norm : float, default=None
        Clip the gradients' global 2-norm to this value (skorch's
        ``GradientNormClipping``); ``None`` does not clip.
    validation_fraction : float, default=None
        Share of the training windows held out for skorch's ``valid_loss``
        (needed by ``EarlyStopping`` on ``valid_loss``); ``None`` trains on all.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Passed through to the skorch net (``EarlyStopping``, ``ProgressBar``,
        ``EpochScoring``, ...).
    verbose : int, default=0
        skorch's verbosity; 0 prints nothing.
    device : str, default="auto"
        Torch device; ``"auto"`` resolves in :meth:`fit` to ``"cuda"`` when
        CUDA is available, else ``"cpu"``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split; two
        fits with one integer seed give identical results on CPU.

    Attributes
    ----------
    net_ : skorch.NeuralNetRegressor
        The trained network; its module is a ``SemanticReader``.
    history_ : skorch.History
        The training history (``net_.history``).
    device_ : str
        The device the network was trained on.
    n_features_in_ : int
        Dimension ``d`` of the semantic points (1 for scalar sequences).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory import RecurrentMemoryRegressor
    >>> X = np.random.default_rng(0).normal(size=(64, 10, 3)).astype("float32")
    >>> model = RecurrentMemoryRegressor("gru", hidden_size=8, seq_len=5,
    ...                                  max_epochs=2, random_state=0).fit(X)
    >>> model.predict(X).shape
    (64, 10, 3)
    >>> model.hidden_states(X).shape
    (64, 10, 8)
    """

    def __init__(
        self,
        unit="lstm",
        *,
        hidden_size=32,
        num_layers=1,
        seq_len=None,
        composition="sum",
        max_epochs=20,
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
        self.composition = composition
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.max_grad_norm = max_grad_norm
        self.validation_fraction = validation_fraction
        self.callbacks = callbacks
        self.verbose = verbose
        self.device = device
        self.random_state = random_state

    def _check_params(self):
        check_unit(self.unit)
        check_composition(self.composition)
        for name in ("hidden_size", "num_layers", "max_epochs", "batch_size"):
            check_positive_int(getattr(self, name), name)
        check_positive_int(self.seq_len, "seq_len", allow_none=True)
        if not isinstance(self.lr, Real) or not self.lr > 0:
            raise ValueError(f"lr must be a positive number; got {self.lr!r}.")
        if self.max_grad_norm is not None and not (
            isinstance(self.max_grad_norm, Real) and self.max_grad_norm > 0
        ):
            raise ValueError(
                f"max_grad_norm must be a positive number or None; got "
                f"{self.max_grad_norm!r}."
            )
        if self.validation_fraction is not None and not (
            isinstance(self.validation_fraction, Real)
            and 0 < self.validation_fraction < 1
        ):
            raise ValueError(
                "validation_fraction must be a number in (0, 1) or None; got "
                f"{self.validation_fraction!r}."
            )
        if isinstance(self.optimizer, str):
            if self.optimizer not in OPTIMIZERS:
                raise ValueError(
                    f"optimizer must be one of {sorted(OPTIMIZERS)} or a torch "
                    f"optimizer class; got {self.optimizer!r}."
                )
            return OPTIMIZERS[self.optimizer]
        if isinstance(self.optimizer, type) and issubclass(
            self.optimizer, torch.optim.Optimizer
        ):
            return self.optimizer
        raise ValueError(
            f"optimizer must be one of {sorted(OPTIMIZERS)} or a torch optimizer "
            f"class; got {self.optimizer!r}."
        )

    def _check_device(self):
        device = resolve_device(self.device)
        try:
            torch.empty(0, device=device)
        except (RuntimeError, AssertionError, ValueError) as exc:
            raise ValueError(
                f"device {self.device!r} cannot be used here: {exc}".rstrip()
            ) from None
        return str(device)

    def fit(self, X, y=None):
        """Train the network on windows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Semantic points of the training sequences, NaN-padded at the end;
            a 2-D array holds scalar sequences.
        y : None
            Ignored: the targets ``S_t`` are composed from ``X``.

        Returns
        -------
        self : RecurrentMemoryRegressor
            The fitted estimator.
        """
        optimizer = self._check_params()
        device = self._check_device()
        X = check_sequences(X, dtype=np.float32)
        windows, _ = cut_windows(X, self.seq_len)
        if windows.shape[0] == 0:
            raise ValueError("X holds no valid step: every sequence is padding.")
        targets = compose(windows, self.composition).astype(np.float32)

        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        torch.manual_seed(seed)
        callbacks = list(self.callbacks or [])
        if self.max_grad_norm is not None:
            callbacks.append(
                ("gradient_clipping", GradientNormClipping(self.max_grad_norm))
            )
        train_split = None
        if self.validation_fraction is not None:
            train_split = ValidSplit(self.validation_fraction, random_state=seed)
        self.net_ = NeuralNetRegressor(
            SemanticReader,
            module__unit=self.unit,
            module__input_size=X.shape[2],
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__output_size=X.shape[2],
            criterion=MaskedSemanticLoss,
            optimizer=optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train__shuffle=True,
            train_split=train_split,
            callbacks=callbacks,
            verbose=self.verbose,
            device=device,
        )
        self.net_.fit(windows, targets)
        self.history_ = self.net_.history
        self.device_ = device
        self.n_features_in_ = X.shape[2]
        return self

    # -- reading ------------------------------------------------------------

    def _check_input(self, X):
        check_is_fitted(self)
        X = check_sequences(X, dtype=np.float32)
        if X.shape[2] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[2]} features per step, but {type(self).__name__} "
                f"was fitted with {self.n_features_in_}."
            )
        return X

    def _read_windows(self, windows, read):
        """Apply ``read(module, batch)`` to windows in batches; NaN at padding."""
        module = self.net_.module_
        module.eval()
        outputs = []
        with torch.no_grad():
            for start in range(0, windows.shape[0], self.batch_size):
                batch = torch.as_tensor(windows[start : start + self.batch_size])
                outputs.append(read(module, batch.to(self.device_)).cpu().numpy())
        out = np.concatenate(outputs, axis=0)
        out[~valid_steps(windows)] = np.nan
        return out

    def _read(self, X, read, seq_len):
        windows, origin = cut_windows(X, seq_len)
        values = self._read_windows(windows, read)
        return merge_windows(values, origin, X.shape[0], X.shape[1])

    def predict(self, X):
        """Read sequences and return the model's semantic trajectory.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Semantic points, NaN-padded; cut into windows of ``seq_len``.

        Returns
        -------
        S_hat : ndarray of shape (n, T, d), dtype float32
            ``S^_t`` at every step, NaN at padding.
        """
        X = self._check_input(X)
        return self._read(X, lambda module, batch: module(batch), self.seq_len)

    def hidden_states(self, X, state="h"):
        """Return the hidden states of the last recurrent layer.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Semantic points, NaN-padded; cut into windows of ``seq_len``.
        state : {"h", "hc"}, default="h"
            ``"h"``: hidden states; ``"hc"`` (LSTM only): hidden and cell states
            side by side.

        Returns
        -------
        states : ndarray of shape (n, T, H), or (n, T, 2H) for ``"hc"``
            NaN at padding.
        """
        if state not in ("h", "hc"):
            raise ValueError(f"state must be 'h' or 'hc'; got {state!r}.")
        if state == "hc" and self.unit != "lstm":
            raise ValueError(
                f"state='hc' needs an LSTM, which has a cell state; unit is "
                f"{self.unit!r}."
            )
        X = self._check_input(X)
        with_cell = state == "hc"
        return self._read(
            X, lambda module, batch: module.states(batch, with_cell), self.seq_len
        )

    def memory_profile(self, X, *, eval_len=None, threshold=0.5):
        """Measure every memory indicator on sequences ``X``.

        The sequences are cut into windows of ``eval_len`` (default: the
        estimator's ``seq_len``), each read from a zero state, and the model's
        semantic points are compared with the composed semantics.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Semantic points of the evaluation sequences, NaN-padded.
        eval_len : int, default=None
            Evaluation window length; ``None`` uses ``seq_len``.
        threshold : float in (0, 1], default=0.5
            ``tau`` of memory span and token recall.

        Returns
        -------
        profile : sklearn_rnnmemory.indicators.MemoryProfile
            All indicators.
        """
        windows, predicted = self.read_windows(X, eval_len=eval_len)
        return indicators.memory_profile(
            windows, predicted, composition=self.composition, threshold=threshold
        )

    def read_windows(self, X, *, eval_len=None):
        """Cut sequences into evaluation windows and read each from a zero state.

        What every memory indicator takes: pass both arrays to the functions of
        :mod:`sklearn_rnnmemory.indicators` (with this estimator's
        ``composition``).

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Semantic points of the evaluation sequences, NaN-padded.
        eval_len : int, default=None
            Window length; ``None`` uses ``seq_len``.

        Returns
        -------
        windows : ndarray of shape (n_windows, L, d)
            The windows' semantic points, NaN-padded.
        predicted : ndarray of shape (n_windows, L, d)
            The model's semantic points ``S^_t`` on each window.
        """
        check_positive_int(eval_len, "eval_len", allow_none=True)
        X = self._check_input(X)
        windows, _ = cut_windows(X, self.seq_len if eval_len is None else eval_len)
        return windows, self._read_windows(windows, lambda module, batch: module(batch))

    def score(self, X, y=None):
        """Memory capacity on ``X``, read in windows of ``seq_len``.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Semantic points of the evaluation sequences, NaN-padded.
        y : None
            Ignored.

        Returns
        -------
        capacity : float
            Token-equivalents of semantics retained (greater is better).
        """
        return self.memory_profile(X).memory_capacity

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        tags.target_tags.required = False
        tags.non_deterministic = self.device != "cpu"
        return tags
