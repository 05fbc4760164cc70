"""What every recurrent estimator shares: parameters, the skorch net, reading.

The estimators own a skorch net built in ``fit`` (composition, not
inheritance), so they keep scikit-learn's estimator contract: ``__init__``
stores parameters only; ``fit`` validates them, seeds torch, resolves the
device and trains.
"""

import inspect
import math
from numbers import Integral

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback, GradientNormClipping
from skorch.callbacks.scoring import ScoringBase
from skorch.dataset import ValidSplit

from ._batches import WindowBatches
from ._nets import supports_fused
from ._sequences import check_sequences, cut_windows, merge_windows, valid_steps
from ._units import (
    LAYER_MACS,
    check_unit,
    check_unit_interface,
    check_unit_picklable,
    unit_label,
)
from ._validation import (
    check_memory,
    check_positive_int,
    check_random_state,
    check_real,
)

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

#: Callback names the estimators' nets use themselves: skorch's defaults and
#: the gradient clipping of ``max_grad_norm``.
RESERVED_CALLBACK_NAMES = (
    "epoch_timer",
    "train_loss",
    "valid_loss",
    "valid_acc",
    "print_log",
    "gradient_clipping",
)

# Inputs whose points have a root-mean-square norm within this factor of 1
# are read as they are; others are divided by the power of two nearest it.
_SCALE_BAND = 4.0

# Bytes per parameter while training: float32 weights, their gradients and
# up to two optimizer moments (Adam's).
_TRAINING_BYTES_PER_PARAMETER = 16


def resolve_device(device):
    """Resolve ``"auto"`` to ``"cuda"`` when CUDA is available, else ``"cpu"``;
    ``None`` to torch's default device."""
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device is None:
        return torch.empty(0).device
    return device


def _layer_parameters(unit, input_size, hidden_size):
    """Weights of one layer, about its multiply-adds per step."""
    layer = LAYER_MACS.get(unit)
    if layer is None:  # a unit without a count: as many as an LSTM's
        return 4 * hidden_size * (hidden_size + input_size)
    return layer(input_size, hidden_size)


def _setting(callback, name):
    """A callback's setting ``name``: the attribute of an instance, the
    default of a class; None if it has none."""
    if isinstance(callback, type):
        try:
            parameter = inspect.signature(callback).parameters.get(name)
        except (TypeError, ValueError):
            return None
        return None if parameter is None else parameter.default
    return getattr(callback, name, None)


def _builds_bare(callback_class):
    """Whether a callback class can be built without arguments, as skorch
    builds the classes it is given."""
    try:
        inspect.signature(callback_class).bind()
    except TypeError:
        return False
    except ValueError:  # no signature to read: let skorch try
        return True
    return True


def _needs_validation(callback):
    """What a callback reads that only held-out data records, and what the
    user may set instead; None if it reads no held-out data."""
    monitor = _setting(callback, "monitor")
    if isinstance(monitor, str) and monitor.startswith("valid"):
        return (
            f"monitors {monitor!r}, which is recorded only on held-out data",
            "monitor 'train_loss'",
        )
    # skorch's scoring callbacks score the held-out data unless on_train.
    if _setting(callback, "on_train") is False:
        return "scores held-out data (on_train=False)", "on_train=True"
    return None


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

    #: Whether skorch's scoring callbacks may name a scikit-learn scorer: only
    #: where the network outputs one row per sample.
    _scorer_names_work = False

    def _check_params(self):
        """Validate the shared parameters; return them checked (Python numbers,
        the optimizer class, the callbacks list)."""
        check_unit(self.unit)
        params = {
            name: check_positive_int(getattr(self, name), name)
            for name in ("hidden_size", "num_layers", "max_epochs", "batch_size")
        }
        # A user's unit is run on a tiny input now, so that one that breaks the
        # interface is refused before any training, in one line.
        check_unit_interface(
            self.unit,
            hidden_size=params["hidden_size"],
            num_layers=params["num_layers"],
        )
        for name in ("seq_len", "max_steps"):
            params[name] = check_positive_int(
                getattr(self, name), name, allow_none=True
            )
        params["lr"] = check_real(self.lr, "lr", low=0)
        params["max_grad_norm"] = (
            None
            if self.max_grad_norm is None
            else check_real(self.max_grad_norm, "max_grad_norm", low=0)
        )
        params["validation_fraction"] = (
            None
            if self.validation_fraction is None
            else check_real(
                self.validation_fraction, "validation_fraction", low=0, high=1
            )
        )
        if not isinstance(self.verbose, Integral):
            raise ValueError(
                f"verbose must be an integer (0 prints nothing); got {self.verbose!r}."
            )
        params["callbacks"] = self._check_callbacks()
        check_random_state(self.random_state)
        if isinstance(self.optimizer, str) and self.optimizer in OPTIMIZERS:
            params["optimizer"] = OPTIMIZERS[self.optimizer]
        elif isinstance(self.optimizer, type) and issubclass(
            self.optimizer, torch.optim.Optimizer
        ):
            params["optimizer"] = self.optimizer
        else:
            raise ValueError(
                f"optimizer must be one of {sorted(OPTIMIZERS)} or a torch optimizer "
                f"class; got {self.optimizer!r}."
            )
        return params

    def _check_callbacks(self):
        """The callbacks as a list skorch takes, every item checked."""
        callbacks = self.callbacks
        if callbacks is None:
            return []
        if not isinstance(callbacks, list | tuple):
            hint = ""
            if isinstance(callbacks, Callback):
                hint = f" Wrap a single callback in a list: callbacks=[{callbacks!r}]."
            raise TypeError(
                "callbacks must be a list of skorch callbacks or (name, callback) "
                f"pairs, or None; got {callbacks!r}.{hint}"
            )
        names = set()
        for i, item in enumerate(callbacks):
            callback = item
            if isinstance(item, tuple | list):
                if len(item) != 2 or not isinstance(item[0], str):
                    raise TypeError(
                        f"callbacks[{i}] must be a skorch callback or a (name, "
                        f"callback) pair; got {item!r}."
                    )
                name, callback = item
                if name in names:
                    raise ValueError(
                        f"callbacks[{i}] is named {name!r}, as another callback is; "
                        "give each a name of its own."
                    )
                if name in RESERVED_CALLBACK_NAMES:
                    raise ValueError(
                        f"callbacks[{i}] is named {name!r}, a name the estimator "
                        f"gives a callback of its own {RESERVED_CALLBACK_NAMES}; "
                        "give it another name."
                    )
                names.add(name)
            is_callback = isinstance(callback, Callback) or (
                isinstance(callback, type) and issubclass(callback, Callback)
            )
            if not is_callback:
                raise TypeError(
                    f"callbacks[{i}] must be a skorch callback (an instance or "
                    f"subclass of skorch.callbacks.Callback); got {callback!r}."
                )
            needs = _needs_validation(callback)
            if self.validation_fraction is None and needs is not None:
                raise ValueError(
                    f"callbacks[{i}] {needs[0]}; set validation_fraction (e.g. 0.2) "
                    f"or {needs[1]}."
                )
            if isinstance(callback, type) and not _builds_bare(callback):
                raise TypeError(
                    f"callbacks[{i}] is the class {callback.__name__}, which needs "
                    "arguments; pass an instance built with them."
                )
            scoring = _setting(callback, "scoring")
            is_scoring = isinstance(callback, ScoringBase) or (
                isinstance(callback, type) and issubclass(callback, ScoringBase)
            )
            if (
                is_scoring
                and not self._scorer_names_work
                and (scoring is None or isinstance(scoring, str))
            ):
                raise ValueError(
                    f"callbacks[{i}] scores with scikit-learn's scorer "
                    f"{scoring!r}, which needs one output row per sample; the "
                    f"network of {type(self).__name__} outputs one per step. Pass "
                    "a callable scoring(net, X, y) instead."
                )
        return list(callbacks)

    def _check_device(self):
        device = self.device
        if isinstance(device, bool) or not (
            device is None or isinstance(device, str | torch.device | int)
        ):
            raise TypeError(
                "device must be 'auto', a torch device name such as 'cpu' or "
                f"'cuda:0', a torch.device or None; got {device!r}."
            )
        try:
            device = torch.device(resolve_device(device))
            # A round trip: a device that holds no data (meta) fails here.
            torch.ones(1, device=device).cpu()
        except (
            RuntimeError,
            AssertionError,
            ValueError,
            TypeError,
            NotImplementedError,
        ) as exc:
            raise ValueError(
                f"device {self.device!r} cannot be used here: {exc}".rstrip()
            ) from None
        return str(device)

    def _check_network_size(self, input_size, n_outputs, described, embedded=0):
        """Refuse, before building it, a network too large to train here.

        Parameters
        ----------
        input_size : int
            Inputs per step of the first recurrent layer.
        n_outputs : int
            Outputs of the linear head on the last layer's state.
        described : str
            The parameters beyond the shared ones that size the network, for
            the message.
        embedded : int, default=0
            Rows of an input embedding of ``input_size`` columns.
        """
        unit = self.unit
        hidden, layers = int(self.hidden_size), int(self.num_layers)
        input_size, n_outputs, embedded = int(input_size), int(n_outputs), int(embedded)
        n_parameters = (
            _layer_parameters(unit, input_size, hidden)
            + (layers - 1) * _layer_parameters(unit, hidden, hidden)
            + (hidden + 1) * n_outputs
            + embedded * input_size
        )
        check_memory(
            n_parameters * _TRAINING_BYTES_PER_PARAMETER,
            f"Training a network of about {n_parameters:.3g} parameters "
            f"(unit={unit!r}, hidden_size={hidden}, num_layers={layers}{described})",
            "choose a smaller network.",
        )

    def _net_options(self):
        """Validate, seed torch, resolve the device; return skorch net options."""
        params = self._check_params()
        device = self._check_device()
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        torch.manual_seed(seed)
        callbacks = params["callbacks"]
        if params["max_grad_norm"] is not None:
            callbacks.append(
                ("gradient_clipping", GradientNormClipping(params["max_grad_norm"]))
            )
        train_split = None
        if params["validation_fraction"] is not None:
            train_split = ValidSplit(params["validation_fraction"], random_state=seed)
        options = {
            "optimizer": params["optimizer"],
            "lr": params["lr"],
            "max_epochs": params["max_epochs"],
            "batch_size": params["batch_size"],
            "iterator_train": WindowBatches,
            "iterator_valid": WindowBatches,
            "iterator_train__shuffle": True,
            "train_split": train_split,
            "callbacks": callbacks,
            "verbose": self.verbose,
            "device": device,
            "module__unit": self.unit,
            "module__hidden_size": params["hidden_size"],
            "module__num_layers": params["num_layers"],
        }
        if supports_fused(params["optimizer"], device):
            options["optimizer__fused"] = True
        return options

    def _check_split(self, n_samples, what="windows"):
        """Refuse a validation share that leaves nothing to train on."""
        if self.validation_fraction is None:
            return
        n_valid = math.ceil(self.validation_fraction * n_samples)
        if n_samples - n_valid < 1:
            raise ValueError(
                f"validation_fraction={self.validation_fraction!r} holds out "
                f"{n_valid} of the {n_samples} training {what}, leaving none to "
                "train on; lower it or give more data."
            )

    # -- scale --------------------------------------------------------------

    @staticmethod
    def _input_scale(X):
        """1, or the power of two nearest the root-mean-square norm of ``X``'s
        valid points when that lies outside ``[1/4, 4]``.

        The network reads ``X / input_scale_``: it trains alike whatever unit
        ``X`` is measured in, and float32 neither overflows on huge points nor
        loses tiny ones. A power of two divides exactly.
        """
        points = X[valid_steps(X)]
        largest = float(np.abs(points).max(initial=0.0))
        if not largest > 0:
            return 1.0
        # Divided by the largest value first, so that squares do not overflow
        # or vanish in float32.
        unit = points / np.float32(largest)
        rms = largest * math.sqrt(np.square(unit).sum(dtype=np.float64) / len(unit))
        if 1 / _SCALE_BAND <= rms <= _SCALE_BAND:
            return 1.0
        return math.ldexp(1.0, round(math.log2(rms)))

    def _scale_exponent(self):
        return math.frexp(getattr(self, "input_scale_", 1.0))[1] - 1

    def _network_input(self, X):
        """``X`` in the unit the network reads (``X`` itself at scale 1)."""
        exponent = self._scale_exponent()
        return X if exponent == 0 else np.ldexp(X, -exponent)

    def _network_output(self, values):
        """Points the network outputs, back in the unit of ``X``."""
        exponent = self._scale_exponent()
        if exponent == 0:
            return values
        with np.errstate(over="ignore"):  # beyond float32 only if S_t is too
            return np.ldexp(values, exponent)

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
        tags.non_deterministic = str(self.device) != "cpu"
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
                    self._network_input(
                        np.nan_to_num(windows[start : start + self.batch_size])
                    )
                )
                outputs.append(read(module, batch.to(self.device_)).cpu().numpy())
            if not outputs:
                # Every sequence is padding: no window, and so NaN everywhere,
                # as wide as the network's output (read off one zero step).
                step = torch.zeros((1, 1) + windows.shape[2:], dtype=torch.float32)
                width = read(module, step.to(self.device_)).shape[-1]
                return np.full((0, windows.shape[1], width), np.nan, np.float32)
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
