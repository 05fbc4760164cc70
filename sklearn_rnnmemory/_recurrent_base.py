"""What every recurrent estimator shares: parameters, the skorch net, reading.

The estimators own a skorch net built in ``fit`` (composition, not
inheritance), so they keep scikit-learn's estimator contract: ``__init__``
stores parameters only; ``fit`` validates them, seeds torch, resolves the
device and trains.
"""

import math
from numbers import Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import GradientNormClipping
from skorch.dataset import ValidSplit

from ._batches import WindowBatches
from ._nets import supports_fused
from ._sequences import check_sequences, cut_windows, merge_windows, valid_steps
from ._units import check_unit, check_unit_interface, check_unit_picklable, unit_label
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


#: Share of the updates in each of the two spans that the convergence rule
#: compares, and the relative improvement below which the loss has levelled off.
CONVERGENCE_SPAN = 0.1
CONVERGENCE_TOL = 0.02


def loss_levelled_off(batch_losses):
    """Whether training had levelled off: the rule behind ``converged_``.

    The mean training loss over the last tenth of the updates is compared
    with its mean over the tenth before: the loss has levelled off when the
    last tenth improved on it by less than 2 %. Fewer than 20 updates are too
    few to tell, and count as not converged.

    Parameters
    ----------
    batch_losses : sequence of float
        The training loss of every update, in order.

    Returns
    -------
    converged : bool
    """
    losses = np.asarray(batch_losses, dtype=float)
    span = max(math.ceil(CONVERGENCE_SPAN * losses.size), 1)
    if losses.size < max(20, 2 * span):
        return False
    last = losses[-span:].mean()
    before = losses[-2 * span : -span].mean()
    return bool(last >= before * (1 - CONVERGENCE_TOL))


class RecurrentEstimatorBase(BaseEstimator):
    """Base of the recurrent estimators; not for direct use.

    Subclasses define ``__init__`` with the shared parameters (``unit``,
    ``hidden_size``, ``num_layers``, ``seq_len``, ``max_epochs``,
    ``max_steps``, ``lr``,
    ``batch_size``, ``optimizer``, ``max_grad_norm``, ``validation_fraction``,
    ``callbacks``, ``verbose``, ``device``, ``random_state``) and build their
    net with :meth:`_net_options`.
    """

    def _check_params(self):
        """Validate the shared parameters; return the optimizer class."""
        check_unit(self.unit)
        for name in ("hidden_size", "num_layers", "max_epochs", "batch_size"):
            check_positive_int(getattr(self, name), name)
        # A user's unit is run on a tiny input now, so that one that breaks the
        # interface is refused before any training, in one line.
        check_unit_interface(
            self.unit, hidden_size=self.hidden_size, num_layers=self.num_layers
        )
        check_positive_int(self.seq_len, "seq_len", allow_none=True)
        check_positive_int(self.max_steps, "max_steps", allow_none=True)
        if isinstance(self.lr, bool) or not (isinstance(self.lr, Real) and self.lr > 0):
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
        if isinstance(self.optimizer, str) and self.optimizer in OPTIMIZERS:
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

    def _net_options(self):
        """Validate, seed torch, resolve the device; return skorch net options."""
        optimizer = self._check_params()
        device = self._check_device()
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
        options = {
            "optimizer": optimizer,
            "lr": self.lr,
            "max_epochs": self.max_epochs,
            "batch_size": self.batch_size,
            "iterator_train": WindowBatches,
            "iterator_valid": WindowBatches,
            "iterator_train__shuffle": True,
            "train_split": train_split,
            "callbacks": callbacks,
            "verbose": self.verbose,
            "device": device,
        }
        if supports_fused(optimizer, device):
            options["optimizer__fused"] = True
        return options

    def _step_budget(self, n_samples):
        """Net options that train for ``max_steps`` updates on ``n_samples``.

        The passes needed for that many batches, and a cap on the batches of
        the last one; no options when ``max_steps`` is None.
        """
        if self.max_steps is None:
            return {}
        n_train = n_samples
        if self.validation_fraction is not None:
            # skorch's ValidSplit holds out ceil(fraction * n), as ShuffleSplit
            n_train -= math.ceil(self.validation_fraction * n_samples)
        per_epoch = math.ceil(max(n_train, 1) / self.batch_size)
        return {
            "max_epochs": math.ceil(self.max_steps / per_epoch),
            "iterator_train__max_batches": self.max_steps,
        }

    def _after_fit(self):
        """Record the history and device; refuse a diverged network."""
        losses = np.asarray(self.net_.history[:, "train_loss"], dtype=float)
        weights_finite = all(
            bool(torch.isfinite(p).all()) for p in self.net_.module_.parameters()
        )
        if not (np.isfinite(losses).all() and weights_finite):
            bad = np.flatnonzero(~np.isfinite(losses))
            epoch = int(bad[0]) + 1 if bad.size else len(losses)
            raise ValueError(
                f"Training diverged: the loss or the weights became NaN or infinite "
                f"(epoch {epoch}). Lower lr (now {self.lr!r}) or set max_grad_norm."
            )
        self.history_ = self.net_.history
        self.device_ = str(self.net_.device)
        batch_losses = [
            batch["train_loss"]
            for epoch in self.net_.history
            for batch in epoch["batches"]
            if "train_loss" in batch
        ]
        self.n_updates_ = len(batch_losses)
        self.converged_ = loss_levelled_off(batch_losses)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True  # NaN pads sequences at the end
        tags.non_deterministic = self.device != "cpu"
        return tags

    def __getstate__(self):
        # torch.save stores the fitted network's classes by reference: say why
        # a user's unit has none here, rather than pickle's attribute error.
        if "net_" in self.__dict__:
            check_unit_picklable(self.unit, self.net_.module_)
        return super().__getstate__()

    def __setstate__(self, state):
        super().__setstate__(state)
        # skorch loads a CUDA-trained net onto the CPU where CUDA is missing;
        # read on the device the net now lives on.
        if "net_" in self.__dict__:
            self.device_ = str(self.net_.device)

    # -- reading ------------------------------------------------------------

    def _read_windows(self, windows, read):
        """Apply ``read(module, batch)`` to windows in batches; NaN at padding."""
        module = self.net_.module_
        module.eval()
        outputs = []
        with torch.no_grad():
            for start in range(0, windows.shape[0], self.batch_size):
                # Zero-filled padding: the network reads finite inputs only.
                batch = torch.as_tensor(
                    np.nan_to_num(windows[start : start + self.batch_size])
                )
                outputs.append(read(module, batch.to(self.device_)).cpu().numpy())
        out = np.concatenate(outputs, axis=0)
        out[~valid_steps(windows)] = np.nan
        return out

    def _read(self, X, read, seq_len):
        """Read ``X`` in windows of ``seq_len``, each from a zero state."""
        windows, origin = cut_windows(X, seq_len)
        values = self._read_windows(windows, read)
        return merge_windows(values, origin, X.shape[0], X.shape[1])

    def _check_input(self, X):
        """Validate points ``X`` for a fitted estimator; ``(n, T, d)`` float32."""
        check_is_fitted(self)
        X = check_sequences(X, dtype=np.float32)
        if X.shape[2] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[2]} features per step, but {type(self).__name__} "
                f"was fitted with {self.n_features_in_}."
            )
        return X

    def hidden_states(self, X, state="h", *, eval_len=None):
        """Return the hidden states of the last recurrent layer.

        Parameters
        ----------
        X : array-like
            Sequences, as for ``fit``.
        state : {"h", "hc"}, default="h"
            ``"h"``: hidden states; ``"hc"`` (LSTM only): hidden and cell states
            side by side.
        eval_len : int, default=None
            Read in windows of this length, each from a zero state; ``None``
            uses ``seq_len`` (whole sequences if that is ``None`` too).

        Returns
        -------
        states : ndarray of shape (n, T, H), or (n, T, 2H) for ``"hc"``
            NaN at padding.
        """
        check_is_fitted(self)
        if state not in ("h", "hc"):
            raise ValueError(f"state must be 'h' or 'hc'; got {state!r}.")
        if state == "hc" and self.unit != "lstm":
            raise ValueError(
                f"state='hc' needs an LSTM, which has a cell state; unit is "
                f"{unit_label(self.unit)!r}."
            )
        check_positive_int(eval_len, "eval_len", allow_none=True)
        X = self._check_input(X)
        with_cell = state == "hc"
        return self._read(
            X,
            lambda module, batch: module.states(batch, with_cell),
            self.seq_len if eval_len is None else eval_len,
        )

    def probe_inputs(self, X):
        """The inputs ``u`` the network reads, as the probe indicators take them.

        Parameters
        ----------
        X : array-like
            Sequences, as for ``fit``.

        Returns
        -------
        inputs : ndarray of shape (n, T, d)
            NaN-padded.
        """
        check_is_fitted(self)
        return self._check_input(X)
