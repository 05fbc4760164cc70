"""RecurrentMemoryRegressor: a unit trained on the memory task (definitions §3.3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.base import _fit_context
from sklearn.utils._param_validation import StrOptions

from ._composition import COMPOSITIONS, compose
from ._evaluation_windows import check_window_floor
from ._plateau import (
    PlateauCheck,
    PlateauStopping,
    PlateauTracker,
    split_validation,
    validation_capacity,
)
from ._recurrent_base import RecurrentEstimatorBase
from ._sequences import all_windows_alike, check_sequences, cut_windows, valid_steps
from ._shared_parameters import fill_shared_docs
from ._torch.losses import MaskedSemanticLoss
from ._torch.networks import SemanticReader
from ._torch.skorch_nets import MemoryNet
from ._typing import ArrayLike
from ._validation import (
    check_bool,
    check_groups,
    check_positive_int,
    check_threshold,
)
from .indicators import MemoryProfile, last_step_profile


def _forward(module, batch):
    return module(batch)


def _network(d, masked):
    """The network's sizes and loss, for points of dimension ``d``."""
    return {
        "module__input_size": d,
        "module__n_outputs": d,
        "criterion": MaskedSemanticLoss,
        "criterion__masked": masked,
    }


@dataclass(frozen=True)
class WindowReading:
    """Evaluation windows read once by the network, and what was read.

    Attributes
    ----------
    windows : ndarray of shape (n_windows, L, d)
        The windows cut from the sequences, NaN-padded.
    origin : ndarray of shape (n_windows, 2)
        Each window's sequence and first step.
    rows : ndarray of int
        The windows that reach the last step ``T``, the longest window length.
    reaching : ndarray of shape (len(rows), T, d)
        Those windows, cut at ``T``: what the indicators read.
    last_predicted : ndarray of shape (len(rows), d), float64, or None
        The model's point at ``T`` of each of them, in the unit of ``windows``.
    last_states : ndarray of shape (len(rows), H) or None
        The hidden state at ``T`` of each of them.
    predicted : ndarray of shape (n_windows, L, d), float32, or None
        The model's point at every step of every window (NaN at padding),
        where the reading kept them.
    """

    windows: np.ndarray
    origin: np.ndarray
    rows: np.ndarray
    reaching: np.ndarray
    last_predicted: np.ndarray | None
    last_states: np.ndarray | None
    predicted: np.ndarray | None


@fill_shared_docs
@dataclass(repr=False, eq=False, kw_only=True)
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
    %(network_parameters)s
    seq_len : int, default=None
        Training window length ``k``; each window starts from a zero state. The
        same cut applies in :meth:`predict`, :meth:`hidden_states` and
        :meth:`score`. ``None``, or a length beyond the longest sequence, reads
        whole sequences.
    %(training_parameters)s
    composition : {"sum", "mean"}, default="sum"
        How a sequence's semantics is composed from its tokens' points.
    plateau : PlateauStopping or None, default=None
        None trains for the fixed budget (``max_steps`` updates, or
        ``max_epochs`` passes), so a fit's cost is known in advance. A
        :class:`~sklearn_rnnmemory.PlateauStopping` holds out part of the
        training sequences and trains until the memory capacity measured on
        them at its ``eval_len`` levels off, the budget being the cap; its
        settings are nested parameters (``plateau__tol``).

    Attributes
    ----------
    net_ : skorch.NeuralNetRegressor
        The trained network; its module is a ``SemanticReader``.
    %(history_)s
    %(device_)s
    %(n_updates_)s
    converged_ : bool or None
        With ``plateau``: whether the capacity levelled off before the cap.
        None for a fixed budget, where nothing is measured while training.
    capacity_trajectory_ : list of (int, float)
        With ``plateau``: the ``(updates, capacity)`` pairs measured on the
        held-out sequences at each checkpoint; empty for a fixed budget.
    n_features_in_ : int
        Dimension ``d`` of the semantic points (1 for scalar sequences).
    %(input_scale_)s

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

    _parameter_constraints = {
        **RecurrentEstimatorBase._parameter_constraints,
        "composition": [StrOptions(set(COMPOSITIONS))],
        "plateau": [PlateauStopping, None],
    }

    composition: str = "sum"
    plateau: PlateauStopping | None = None

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self, X: ArrayLike, y: None = None, groups: ArrayLike | None = None
    ) -> RecurrentMemoryRegressor:
        """Train the network on windows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n, T, d) or (n, T)
            Semantic points of the training sequences, NaN-padded at the end;
            a 2-D array holds scalar sequences.
        y : None
            Ignored: the targets ``S_t`` are composed from ``X``.
        groups : array-like of shape (n,), default=None
            One label per sequence (its document), read only with
            ``plateau``: whole groups are held out, and the held-out windows of
            one group form one cluster of the retention's covariance.

        %(returns_fitted)s
        """
        self._start_fit()
        X = check_sequences(X, dtype=np.float32)
        d = X.shape[2]
        self._check_network_size(d, d, f", d={d}")
        groups = check_groups(groups, X.shape[0], of="sequence of X")
        plateau = self.plateau
        if plateau is not None:
            train, valid = split_validation(
                X.shape[0], plateau.validation_fraction, plateau.random_state, groups
            )
            X, X_valid = X[train], X[valid]
            groups_valid = None if groups is None else groups[valid]
            check_window_floor(
                X_valid,
                plateau.eval_len,
                groups=groups_valid,
                what="The validation share held out for plateau",
                remedy="raise plateau.validation_fraction, give more sequences or "
                "a shorter plateau.eval_len",
            )
        windows, targets, masked = self._training_windows(X, rescale=True)
        self.n_features_in_ = d
        check = tracker = None
        if plateau is not None:
            tracker = PlateauTracker(plateau.rule(self._update_cap(len(windows))))
            check = PlateauCheck(
                tracker,
                lambda: validation_capacity(
                    self, X_valid, plateau.eval_len, groups_valid
                ),
            )
        self._fit_network(
            MemoryNet,
            SemanticReader,
            windows,
            targets,
            plateau=check,
            **_network(d, masked),
        )
        self.converged_ = None if tracker is None else tracker.converged
        self.capacity_trajectory_ = [] if tracker is None else tracker.trajectory
        return self

    def _training_windows(self, X, rescale=False):
        """The windows the network trains on, their targets and whether they
        hold padding.

        ``X`` is cut into windows of ``seq_len`` and brought to the network's
        unit (``rescale``: ``input_scale_`` is set from these windows first).
        Padding is zero-filled here, with the validity mask as the targets'
        last channel, so no training step has to look for NaN; without padding
        there is no mask at all.
        """
        windows, _ = cut_windows(X, self.seq_len)
        if windows.shape[0] == 0:
            raise ValueError("X holds no valid step: every sequence is padding.")
        valid = valid_steps(windows)
        if rescale:
            self.input_scale_ = self._input_scale(windows, valid)
        windows = self._network_input(windows)
        masked = not valid.all()
        if masked:
            windows = np.nan_to_num(windows)
        targets = compose(windows, self.composition, padded=False)
        if masked:
            targets = np.concatenate([targets, valid[..., None]], axis=-1)
        return windows, targets, masked

    def _cross_check(self):
        super()._cross_check()
        if self.plateau is not None:
            # Every setting checked before any data is read.
            self.plateau._validate_params()

    def _training_arrays(self, X):
        windows, targets, _ = self._training_windows(X)
        return windows, targets

    # -- reading ------------------------------------------------------------

    def predict(self, X: ArrayLike) -> np.ndarray:
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

    def memory_profile(
        self,
        X: ArrayLike,
        *,
        eval_len: int | None = None,
        threshold: float = 0.5,
        probe: bool = True,
        groups: ArrayLike | None = None,
    ) -> MemoryProfile:
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
            Credit at which a lag counts one half toward the memory span.
        probe : bool, default=True
            Also decode the input points from the hidden states at ``T``
            (``probe_capacity``, beside its ``probe_baseline``); False leaves
            them NaN and saves the time.
        groups : array-like of shape (n,), default=None
            One label per sequence of ``X`` (its document, say): the windows
            cut from sequences of one label form one cluster of the
            retention's covariance. None: every window is its own cluster.

        Returns
        -------
        profile : sklearn_rnnmemory.indicators.MemoryProfile
            All indicators.
        """
        check_positive_int(eval_len, "eval_len", allow_none=True)
        threshold = check_threshold(threshold)
        probe = check_bool(probe, "probe")
        X = self._check_input(X)
        groups = check_groups(groups, X.shape[0], of="sequence of X")
        reading = self._read_evaluation(
            X, self.seq_len if eval_len is None else eval_len
        )
        return self._reading_profile(
            reading, threshold=threshold, probe=probe, groups=groups
        )

    def _read_evaluation(self, X, eval_len, *, trajectory=False):
        """Cut checked sequences ``X`` into windows of ``eval_len`` and read
        each once: what every indicator of one evaluation length is derived
        from.

        The windows that reach the last step ``T`` are read first, in
        batches of their own, so that the indicators are those of
        :meth:`memory_profile` whatever else is read; with ``trajectory``
        the other windows are read next, and the model's point at every step
        of every window is kept, for the retention matrix.
        """
        windows, origin = cut_windows(X, eval_len)
        lengths = valid_steps(windows).sum(axis=1)
        step = int(lengths.max(initial=0))
        rows = np.flatnonzero(lengths == step)
        # Only the windows that reach the last step enter the indicators, and
        # only their state at that step: no other step is kept unless asked.
        reaching = windows
        if rows.size < windows.shape[0] or step < windows.shape[1]:
            reaching = windows[rows, :step]
        predicted = None
        if trajectory:
            predicted = np.full(windows.shape, np.nan, np.float32)
        if rows.size == 0:  # every sequence is padding: nothing to read
            return WindowReading(windows, origin, rows, windows, None, None, predicted)
        last_predicted, last_states = self._read_last_step(
            reaching, None if predicted is None else (predicted, rows, step)
        )
        if predicted is not None and rows.size < windows.shape[0]:
            others = np.setdiff1d(np.arange(windows.shape[0]), rows)
            predicted[others] = self._read_windows(windows[others], _forward)
        if predicted is not None:
            predicted = self._network_output(predicted)
        return WindowReading(
            windows=windows,
            origin=origin,
            rows=rows,
            reaching=reaching,
            last_predicted=last_predicted,
            last_states=last_states,
            predicted=predicted,
        )

    def _reading_profile(self, reading, *, threshold, probe, groups):
        """Every indicator of :meth:`memory_profile` from one reading.

        ``groups``: one label per sequence the windows were cut from, or None.
        """
        if reading.rows.size == 0:
            raise ValueError("X holds no valid step: every sequence is padding.")
        windows = reading.reaching
        if groups is not None:
            groups = groups[reading.origin[reading.rows, 0]]
        if reading.rows.size > 1 and all_windows_alike(windows):
            raise ValueError(
                f"Every evaluation window of X holds the same token points at all "
                f"{windows.shape[1]} positions (a corpus of one repeated token, "
                "say): no lag's effect can be told apart, so retention is "
                "undefined. Evaluate on more varied sequences."
            )
        return last_step_profile(
            windows,
            reading.last_predicted,
            composition=self.composition,
            last_states=reading.last_states if probe else None,
            threshold=threshold,
            groups=groups,
        )

    def _read_last_step(self, windows, trajectory=None):
        """The model's point (in the unit of ``windows``, float64) and hidden
        state at the last step of windows that have no padding, ``(n, d)`` and
        ``(n, H)``, read in batches.

        Each batch is brought to the network's unit on its own, so no rescaled
        copy of all the windows is made. ``trajectory``: ``(predicted, rows,
        step)``, where the network's points at every step of the windows are
        written too (in its own unit), ``predicted[rows, :step]``.
        """
        module = self.net_.module_
        module.eval()
        predicted, states = [], []
        with torch.no_grad():
            for start in range(0, windows.shape[0], self.batch_size):
                batch = self._network_input(windows[start : start + self.batch_size])
                # torch.tensor copies: windows may be a read-only strided view
                encoded = module.encoder(torch.tensor(batch, device=self.device_))
                # A copy: a view of the last step would keep every step's
                # states of the batch alive.
                last = encoded[:, -1].clone()
                if trajectory is not None:
                    out, rows, step = trajectory
                    chunk = rows[start : start + self.batch_size]
                    out[chunk, :step] = module.readout(encoded).cpu().numpy()
                del encoded
                states.append(last.cpu().numpy())
                # The point at T is read off the state at T alone, whether or
                # not every step is read out: a readout over all steps may
                # round differently.
                predicted.append(module.readout(last).cpu().numpy())
        # float64 first: S_t in the unit of X may lie beyond float32's range.
        return (
            self._network_output(np.concatenate(predicted).astype(np.float64)),
            np.concatenate(states),
        )

    def read_windows(
        self, X: ArrayLike, *, eval_len: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
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
        reading = self._read_evaluation(
            X, self.seq_len if eval_len is None else eval_len, trajectory=True
        )
        return reading.windows, reading.predicted

    def score(self, X: ArrayLike, y: None = None) -> float:
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
