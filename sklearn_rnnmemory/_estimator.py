"""RecurrentMemoryRegressor: a recurrent unit trained on the memory task."""

import numpy as np
import torch

from ._composition import check_composition, compose
from ._nets import MemoryNet
from ._recurrent_base import RecurrentEstimatorBase
from ._sequences import check_sequences, cut_windows, valid_steps
from ._units import MaskedSemanticLoss, SemanticReader
from ._validation import check_bool, check_positive_int, check_threshold
from .indicators import last_step_profile


def _forward(module, batch):
    return module(batch)


class RecurrentMemoryRegressor(RecurrentEstimatorBase):
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
        Number of stacked recurrent layers; the last one is read out.
    seq_len : int, default=None
        Training window length ``k``; each window starts from a zero state. The
        same cut applies in :meth:`predict`, :meth:`hidden_states` and
        :meth:`score`. ``None``, or a length beyond the longest sequence, reads
        whole sequences.
    composition : {"sum", "mean"}, default="sum"
        How a sequence's semantics is composed from its tokens' points.
    max_epochs : int, default=20
        Number of passes over the training windows.
    max_steps : int, default=None
        Train for this many optimizer updates instead of ``max_epochs``
        passes (the last pass stops early). Every training length then gets
        the same number of updates, which a pass does not give: a pass over
        windows of length ``k`` makes ``1 / k`` as many updates. ``None``
        trains for ``max_epochs``.
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
        ``EpochScoring`` with a callable scoring, ...). A callback that reads
        held-out data (``monitor="valid_loss"``, ``on_train=False``) needs
        ``validation_fraction``.
    verbose : int, default=0
        skorch's verbosity; 0 prints nothing.
    device : str, torch.device or None, default="auto"
        Torch device; ``"auto"`` resolves in :meth:`fit` to ``"cuda"`` when
        CUDA is available, else ``"cpu"``; ``None`` is torch's default device.
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
    n_updates_ : int
        Optimizer updates made.
    converged_ : bool
        Whether the training loss had levelled off: its mean over the last
        tenth of the updates was less than 2 % below its mean over the tenth
        before (fewer than 20 updates count as not converged).
    n_features_in_ : int
        Dimension ``d`` of the semantic points (1 for scalar sequences).
    input_scale_ : float
        The network reads ``X / input_scale_`` and its output is multiplied
        back: 1 when the points' root-mean-square norm lies in ``[1/4, 4]``
        (every built-in basis), else the power of two nearest that norm, so
        that points in any unit train alike and float32 neither overflows nor
        underflows.

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
        self.composition = composition
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
        check_composition(self.composition)
        options = self._net_options()
        X = check_sequences(X, dtype=np.float32)
        d = X.shape[2]
        self._check_network_size(d, d, f", d={d}")
        windows, _ = cut_windows(X, self.seq_len)
        if windows.shape[0] == 0:
            raise ValueError("X holds no valid step: every sequence is padding.")
        self._check_split(windows.shape[0])
        self.input_scale_ = self._input_scale(windows)
        windows = self._network_input(windows)
        # Padding is zero-filled once here, with the validity mask as the
        # targets' last channel, so no training step has to look for NaN;
        # without padding there is no mask at all.
        valid = valid_steps(windows)
        masked = not valid.all()
        if masked:
            windows = np.nan_to_num(windows)
        targets = compose(windows, self.composition, padded=False)
        if masked:
            targets = np.concatenate([targets, valid[..., None]], axis=-1)
        self.net_ = MemoryNet(
            SemanticReader,
            module__input_size=X.shape[2],
            module__output_size=X.shape[2],
            criterion=MaskedSemanticLoss,
            criterion__masked=masked,
            **{**options, **self._step_budget(windows.shape[0])},
        )
        self.net_.fit(windows, targets)
        self._after_fit()
        self.n_features_in_ = X.shape[2]
        return self

    # -- reading ------------------------------------------------------------

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
        return self._network_output(self._read(X, _forward, self.seq_len))

    def memory_profile(self, X, *, eval_len=None, threshold=0.5, probe=True):
        """Measure every memory indicator on sequences ``X``.

        The sequences are cut into windows of ``eval_len`` (default: the
        estimator's ``seq_len``), each read from a zero state; the indicators
        compare the model's semantic point at the windows' last step ``T``
        with the tokens read, across the windows that reach ``T``.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Semantic points of the evaluation sequences, NaN-padded.
        eval_len : int, default=None
            Evaluation window length; ``None`` uses ``seq_len``; a length
            beyond the longest sequence evaluates whole sequences.
        threshold : float in (0, 1], default=0.5
            Credit below which a lag ends the memory span.
        probe : bool, default=True
            Also decode the input points from the hidden states at ``T``
            (``probe_capacity``); False leaves it NaN and saves the time.

        Returns
        -------
        profile : sklearn_rnnmemory.indicators.MemoryProfile
            All indicators.
        """
        check_positive_int(eval_len, "eval_len", allow_none=True)
        threshold = check_threshold(threshold)
        probe = check_bool(probe, "probe")
        X = self._check_input(X)
        windows, _ = cut_windows(X, self.seq_len if eval_len is None else eval_len)
        if windows.shape[0] == 0:
            raise ValueError("X holds no valid step: every sequence is padding.")
        lengths = valid_steps(windows).sum(axis=1)
        step = int(lengths.max())
        rows = np.flatnonzero(lengths == step)
        # Only the windows that reach the last step enter the indicators, and
        # only their state at that step: no trajectory is kept.
        if rows.size < windows.shape[0] or step < windows.shape[1]:
            windows = windows[rows, :step]
        if rows.size > 1 and not (windows != windows[:1]).any():
            raise ValueError(
                f"Every evaluation window of X holds the same token points at all "
                f"{step} positions (a corpus of one repeated token, say): no lag's "
                "effect can be told apart, so retention is undefined. Evaluate on "
                "more varied sequences."
            )
        # Measured in the network's unit: the indicators are scale-free, and
        # a power of two changes no digit of them.
        windows = self._network_input(windows)
        predicted, states = self._read_last_step(windows)
        return last_step_profile(
            windows,
            predicted,
            composition=self.composition,
            last_states=states if probe else None,
            threshold=threshold,
        )

    def _read_last_step(self, windows):
        """The model's point and hidden state at the last step of windows that
        have no padding, ``(n, d)`` and ``(n, H)``, read in batches."""
        module = self.net_.module_
        module.eval()
        predicted, states = [], []
        with torch.no_grad():
            for start in range(0, windows.shape[0], self.batch_size):
                batch = torch.as_tensor(windows[start : start + self.batch_size])
                last = module.encoder(batch.to(self.device_))[:, -1]
                states.append(last.cpu().numpy())
                predicted.append(module.readout(last).cpu().numpy())
        return np.concatenate(predicted), np.concatenate(states)

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
        return windows, self._network_output(self._read_windows(windows, _forward))

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
        tags.target_tags.required = False
        return tags
