"""What every recurrent estimator shares: parameters, the skorch net, reading.

The estimators own a skorch net built in ``fit`` (composition, not
inheritance), so they keep scikit-learn's estimator contract: ``__init__``
stores parameters only; ``fit`` checks them, trains under its own seed and
resolves the device.

Parameters are dataclass fields: the shared ones are declared once here, each
with its default, its scikit-learn constraints and its documentation; each
estimator adds its own and overrides the defaults it changes. The dataclass
writes the explicit ``__init__`` signature that scikit-learn's ``get_params``
and ``clone`` read (and that type checkers see); ``fit`` validates the
parameters against ``_parameter_constraints`` through scikit-learn's
``_fit_context`` and reads them as attributes.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import KW_ONLY, dataclass
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import torch
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import GradientNormClipping
from skorch.dataset import ValidSplit

from ._callbacks import CallbacksLike, check_callbacks
from ._sequences import check_sequences, cut_windows, merge_windows, valid_steps
from ._shared_parameters import check_declared, declared_constraints, shared
from ._torch.batches import BatchOrder, WindowBatches
from ._torch.devices import DeviceLike, check_device
from ._torch.optimizers import (
    OPTIMIZERS,
    OptimizerLike,
    check_optimizer,
    supports_fused,
)
from ._torch.registry import UNITS, UnitLike, check_unit, unit_label
from ._torch.seeding import GeneratorStates, continued, seeded
from ._torch.skorch_nets import TrainingInterrupted, ctrl_c_stops_training
from ._torch.unit_checks import check_unit_interface, check_unit_picklable
from ._typing import RandomStateLike
from ._validation import check_memory, check_positive_int, check_random_state

# Inputs whose points have a root-mean-square norm within this factor of 1
# are read as they are; others are divided by the power of two nearest it.
_SCALE_BAND = 4.0

# Bytes per parameter while training: float32 weights, their gradients and
# up to two optimizer moments (Adam's).
_TRAINING_BYTES_PER_PARAMETER = 16


def _layer_parameters(unit, input_size, hidden_size):
    """Weights of one layer, about its multiply-adds per step."""
    if not isinstance(unit, str):  # a user's unit: count as many as an LSTM's
        return 4 * hidden_size * (hidden_size + input_size)
    return UNITS[unit].layer_macs(input_size, hidden_size)


def n_train(n_samples: int, validation_fraction: float | None) -> int:
    """Samples left to train on once ``validation_fraction`` is held out."""
    if validation_fraction is None:
        return n_samples
    # skorch's ValidSplit holds out ceil(fraction * n), as ShuffleSplit
    return n_samples - math.ceil(validation_fraction * n_samples)


def update_cap(
    n_samples: int,
    *,
    max_steps: int | None,
    max_epochs: int,
    batch_size: int,
    validation_fraction: float | None,
) -> int:
    """The most optimizer updates a fit on ``n_samples`` samples makes:
    ``max_steps``, or ``max_epochs`` passes over the training share."""
    if max_steps is not None:
        return max_steps
    per_epoch = math.ceil(max(n_train(n_samples, validation_fraction), 1) / batch_size)
    return max_epochs * per_epoch


_POSITIVE_INT = Interval(Integral, 1, None, closed="left")
_OPTIMIZER_NAMES = ", ".join(f'"{name}"' for name in OPTIMIZERS)


@dataclass(repr=False, eq=False)
class RecurrentEstimatorBase(BaseEstimator):
    """Base of the recurrent estimators; not for direct use.

    Its fields are the shared parameters, each declared once with
    :func:`~sklearn_rnnmemory._shared_parameters.shared`: its default, its
    constraints and its documentation. A subclass, decorated with
    ``@dataclass(repr=False, eq=False, kw_only=True)`` (scikit-learn's ``repr``,
    identity equality and hashing kept; written out so that type checkers see
    the fields), adds its own fields and redeclares those whose default it
    changes, merges the constraints of its own parameters into
    ``_parameter_constraints``, decorates ``fit`` with scikit-learn's
    ``_fit_context`` (which validates every parameter against them), begins it
    with :meth:`_start_fit` and trains its net with :meth:`_fit_network`.
    """

    unit: UnitLike = shared(
        "lstm",
        [StrOptions(set(UNITS)), callable],
        "str, torch.nn.Module subclass or callable",
        'The recurrent unit: ``"rnn"`` (vanilla tanh), ``"lstm"``, ``"gru"`` on '
        '``torch.nn.RNN/LSTM/GRU``; ``"mgu"``, ``"indrnn"``, ``"mingru"``, '
        '``"minlstm"``, ``"peephole_lstm"``, ``"orthogonal"``, ``"lru"`` and '
        '``"esn"`` (a fixed reservoir: only the readout learns) as custom cells. '
        "Or a unit of your own: a ``torch.nn.Module`` subclass or a factory "
        "``f(input_size, hidden_size, num_layers)``, whose module maps inputs "
        "``(B, T, input_size)`` to ``(outputs, last_state)`` with outputs "
        "``(B, T, hidden_size)``, as ``torch.nn.RNN(..., batch_first=True)`` "
        "does. It is kept as given and checked on a tiny input in :meth:`fit`, "
        "before training (see "
        ":func:`sklearn_rnnmemory.testing.check_recurrent_unit`).",
        group="network",
    )
    _: KW_ONLY
    hidden_size: int = shared(
        32, [_POSITIVE_INT], "int", "Size ``H`` of the hidden state.", group="network"
    )
    num_layers: int = shared(
        1,
        [_POSITIVE_INT],
        "int",
        "Number of stacked recurrent layers; the last one is read out.",
        group="network",
    )
    # Each estimator reads windows of seq_len its own way, and says how.
    seq_len: int | None = shared(None, [_POSITIVE_INT, None])
    max_epochs: int = shared(
        20,
        [_POSITIVE_INT],
        "int",
        "Number of passes over the training {samples}.",
        group="training",
    )
    max_steps: int | None = shared(
        None,
        [_POSITIVE_INT, None],
        "int",
        "Train for this many optimizer updates instead of ``max_epochs`` passes "
        "(the last pass stops early); ``None`` trains for ``max_epochs``. Every "
        "training length then gets the same number of updates, which passes "
        "over windows do not give: a pass over windows of length ``k`` makes "
        "``1 / k`` as many updates.",
        group="training",
    )
    lr: float = shared(
        0.01,
        [Interval(Real, 0, None, closed="neither")],
        "float",
        "Learning rate.",
        group="training",
    )
    batch_size: int = shared(
        64,
        [_POSITIVE_INT],
        "int",
        "Training {samples} per gradient step.",
        group="training",
    )
    optimizer: OptimizerLike = shared(
        "adam",
        [StrOptions(set(OPTIMIZERS)), type],
        f"{{{_OPTIMIZER_NAMES}}} or torch optimizer class",
        "The optimizer, by name or as a torch optimizer class.",
        group="training",
    )
    max_grad_norm: float | None = shared(
        None,
        [Interval(Real, 0, None, closed="neither"), None],
        "float",
        "Clip the gradients' global 2-norm to this value (skorch's "
        "``GradientNormClipping``); ``None`` does not clip.",
        group="training",
    )
    validation_fraction: float | None = shared(
        None,
        [Interval(Real, 0, 1, closed="neither"), None],
        "float",
        "Share of the training {samples} held out for skorch's ``valid_loss`` "
        "(needed by ``EarlyStopping`` on ``valid_loss``); ``None`` trains on all.",
        group="training",
    )
    callbacks: CallbacksLike = shared(
        None,
        [list, tuple, None],
        "list of skorch callbacks or (name, callback) tuples",
        "Passed through to the skorch net (``EarlyStopping``, ``ProgressBar``, "
        "``EpochScoring`` ...). A scoring callback scores with {scoring}. A "
        'callback that reads held-out data (``monitor="valid_loss"``, '
        "``on_train=False``) needs ``validation_fraction``.",
        group="training",
    )
    verbose: int = shared(
        0,
        ["verbose"],
        "int",
        "The skorch net's verbosity; 0 prints nothing.",
        group="training",
    )
    device: DeviceLike = shared(
        "auto",
        [str, torch.device, Interval(Integral, 0, None, closed="left"), None],
        "str, torch.device or None",
        'Torch device; ``"auto"`` resolves in :meth:`fit` to ``"cuda"`` when '
        'CUDA is available, else ``"cpu"``; ``None`` is torch\'s default device.',
        group="training",
    )
    random_state: RandomStateLike = shared(
        None,
        ["random_state"],
        "int, RandomState instance or None",
        "Seeds weight initialisation, shuffling and the validation split; two "
        "fits with one integer seed give identical results on CPU. Torch's "
        "global random state is left as it was.",
        group="training",
    )

    #: Parameter name -> its scikit-learn constraints: the shared ones (set
    #: below, from the fields); a subclass merges its own.
    _parameter_constraints: ClassVar[dict[str, list]]

    #: What the network trains on, for messages and docs.
    _training_samples = "windows"

    #: Whether skorch's scoring callbacks may name a scikit-learn scorer: only
    #: where the network outputs one row per sample.
    _scorer_names_work = False

    @classmethod
    def _get_param_names(cls):
        # Every read of the parameters (get_params, clone, repr, validation)
        # passes here: a subclass that is not a dataclass of its own would
        # silently drop the annotated attributes it adds.
        check_declared(cls)
        return super()._get_param_names()

    def _start_fit(self):
        """Forget any earlier fit, then run the checks that a constraint cannot
        make (:meth:`_cross_check`; ``fit``'s ``_fit_context`` has checked the
        constraints): a fit that stops part way, by an error or Ctrl-C, leaves
        no earlier model that would read as this one."""
        self._forget_fit()
        self._cross_check()

    def _check_params(self):
        """Check every parameter, as ``fit`` does before it reads data: the
        constraints, then the checks across parameters."""
        self._validate_params()
        self._cross_check()

    def _cross_check(self):
        """The checks a constraint cannot make: of a parameter against another
        (callbacks that need ``validation_fraction``), or that build something
        (the device, the optimizer class, a user's unit run on a tiny input)."""
        check_unit(self.unit)
        check_optimizer(self.optimizer)
        check_callbacks(
            self.callbacks,
            validated=self.validation_fraction is not None,
            scorer_names=self._scorer_names_work,
            owner=type(self).__name__,
        )
        check_device(self.device)
        # A user's unit is run on a tiny input now, so that one that breaks the
        # interface is refused before any training, in one line.
        check_unit_interface(
            self.unit,
            hidden_size=int(self.hidden_size),
            num_layers=int(self.num_layers),
        )

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

    def _net_options(self, seed, device):
        """The skorch net's options from the parameters (checked): Python
        numbers, as torch's constructors require, and the optimizer's class."""
        callbacks = list(self.callbacks or [])
        if self.max_grad_norm is not None:
            callbacks.append(
                ("gradient_clipping", GradientNormClipping(float(self.max_grad_norm)))
            )
        train_split = None
        if self.validation_fraction is not None:
            train_split = ValidSplit(float(self.validation_fraction), random_state=seed)
        optimizer = check_optimizer(self.optimizer)
        options = {
            "optimizer": optimizer,
            "lr": float(self.lr),
            "max_epochs": int(self.max_epochs),
            "batch_size": int(self.batch_size),
            "iterator_train": WindowBatches,
            "iterator_valid": WindowBatches,
            "iterator_train__shuffle": True,
            "train_split": train_split,
            "callbacks": callbacks,
            "verbose": self.verbose,
            "device": device,
            "module__unit": self.unit,
            "module__hidden_size": int(self.hidden_size),
            "module__num_layers": int(self.num_layers),
        }
        if supports_fused(optimizer, device):
            options["optimizer__fused"] = True
        return options

    def _device_name(self):
        """The device a fit trains on: ``device`` resolved (``"auto"``) and
        named as torch names it."""
        return check_device(self.device)

    def _fit_network(self, net_class, module, X, y, *, plateau=None, **network):
        """Build the skorch net and train it on ``(X, y)`` under the fit's seed.

        Torch's generators start from a seed drawn from ``random_state`` (so
        that two fits with one seed are identical) and are restored afterwards
        (so that the user's own random state is not touched); where they got
        to is kept, with the order of the batches, so that
        :meth:`_continue_training` goes on as if training had not stopped.

        Parameters
        ----------
        net_class : type
            The skorch net.
        module : type
            The network it trains.
        X, y : ndarray
            The training samples (windows or sequences) and targets.
        plateau : PlateauCheck, default=None
            Runs the plateau rule inside the fit: it reads the model as it
            trains (so ``net_`` is set before training) and ends training at
            the checkpoint where the rule is finished.
        **network
            The net's other options: the network's sizes (``module__...``),
            the criterion.
        """
        self._check_split(len(X))
        seed = self._torch_seed()
        device = self._device_name()
        order = BatchOrder(int(self.batch_size), budget=self.max_steps)
        if self.max_steps is None:
            epochs = int(self.max_epochs)
        else:
            epochs = order.passes_for(self.max_steps, self._n_train(len(X)))
        net = self._new_network(
            net_class, module, seed, order, epochs, device, plateau=plateau, **network
        )
        if plateau is not None:
            # The plateau check reads the model as it trains.
            self.net_, self.device_ = net, str(net.device)
        with self._stopped_by_ctrl_c():
            with seeded(seed, device):
                net.initialize()
                order.start_from_global_generator()
                net.partial_fit(X, y, epochs=epochs)
                generators = GeneratorStates.capture(device)
            self.net_ = net
            self._generator_states_ = generators
            self._after_fit()

    def _torch_seed(self):
        """The seed torch's generators start from in :meth:`fit`, drawn from
        ``random_state``."""
        return check_random_state(self.random_state).randint(np.iinfo(np.int32).max)

    def _new_network(
        self, net_class, module, seed, order, epochs, device, plateau=None, **network
    ):
        """The skorch net a fit trains, not yet initialised, on ``device``:
        ``order`` gives its training batches, ``epochs`` its passes (see
        :meth:`_fit_network` for the other parameters)."""
        options = self._net_options(seed, device)
        options.update(max_epochs=epochs, iterator_train__order=order)
        if plateau is not None:
            options["callbacks"] = [*options["callbacks"], ("plateau", plateau)]
            options["iterator_train__stop"] = plateau.stop_requested
        return net_class(module, **network, **options)

    def _advance(self, X: ArrayLike, n_updates: int):
        """Train the fitted model for ``n_updates`` more updates on ``X``.

        ``X`` must be the training data of ``fit``. The result is the model a
        fit with ``n_updates`` more updates would have given (the same batches,
        the optimizer's state carried on), up to the history, whose epochs end
        where each call ended. For training in rounds.

        Parameters
        ----------
        X : array-like
            The training data ``fit`` was given.
        n_updates : int
            Optimizer updates to make.

        Returns
        -------
        self : object
            The estimator, trained further.
        """
        n_updates = check_positive_int(n_updates, "n_updates")
        samples, targets = self._training_arrays(self._check_input(X))
        self._continue_training(samples, targets, n_updates)
        return self

    def _training_arrays(self, X):
        """The samples and targets ``fit`` trains the net on, from checked
        input ``X``."""
        raise NotImplementedError

    def _continue_training(self, X, y, n_updates):
        """Train the fitted net for ``n_updates`` more updates on the samples
        and targets it was trained on, exactly as if the earlier training had
        not stopped: the batches continue the same shuffled passes, the
        optimizer keeps its state, torch's generators go on from where the
        fit left them. Epochs of the history end where each call ends.
        """
        net = self.net_
        order = net.iterator_train__order
        n_train = self._n_train(len(X))
        if order.permutation is not None and len(order.permutation) != n_train:
            raise ValueError(
                f"X holds {n_train} training {self._training_samples}, but this "
                f"{type(self).__name__} was trained on {len(order.permutation)}: "
                "continue training on the data it was fitted on."
            )
        order.budget = n_updates
        with self._stopped_by_ctrl_c():
            with continued(self._generator_states_):
                net.partial_fit(X, y, epochs=order.passes_for(n_updates, n_train))
            self._after_fit()

    @contextmanager
    def _stopped_by_ctrl_c(self):
        """Within: Ctrl-C stops training and leaves the estimator unfitted."""
        try:
            with ctrl_c_stops_training():
                yield
        except (TrainingInterrupted, KeyboardInterrupt) as exc:
            self._forget_fit()
            raise KeyboardInterrupt(
                f"{type(self).__name__}.fit was interrupted; the estimator is not "
                "fitted."
            ) from exc
        except BaseException:
            # A fit that fails part way (a diverged network, say) leaves no
            # model that would read as this one.
            self._forget_fit()
            raise

    def _forget_fit(self):
        """Drop every fitted attribute, so that the estimator reads as unfitted
        (``check_is_fitted`` looks for names ending in ``_``)."""
        for name in [n for n in vars(self) if n.endswith("_") and n[:2] != "__"]:
            delattr(self, name)

    def _check_split(self, n_samples):
        """Refuse a validation share that leaves nothing to train on."""
        if self.validation_fraction is None:
            return
        n_valid = math.ceil(self.validation_fraction * n_samples)
        if n_samples - n_valid < 1:
            raise ValueError(
                f"validation_fraction={self.validation_fraction!r} holds out "
                f"{n_valid} of the {n_samples} training {self._training_samples}, "
                "leaving none to train on; lower it or give more data."
            )

    # -- scale --------------------------------------------------------------

    @staticmethod
    def _input_scale(X, valid=None):
        """1, or the power of two nearest the root-mean-square norm of ``X``'s
        valid points when that lies outside ``[1/4, 4]``.

        The network reads ``X / input_scale_``: it trains alike whatever unit
        ``X`` is measured in, and float32 neither overflows on huge points nor
        loses tiny ones. A power of two divides exactly. ``valid``: the mask of
        valid steps, if known.
        """
        if valid is None:
            valid = valid_steps(X)
        # Without padding every point is valid: no copy of them is made.
        points = X.reshape(-1, X.shape[-1]) if valid.all() else X[valid]
        largest = max(float(points.max(initial=0.0)), -float(points.min(initial=0.0)))
        if not largest > 0:
            return 1.0
        # Divided by the largest value first, so that squares do not overflow
        # or vanish in float32; squared in place, summed in float64.
        unit = points / np.float32(largest)
        np.square(unit, out=unit)
        rms = largest * math.sqrt(unit.sum(dtype=np.float64) / len(unit))
        if 1 / _SCALE_BAND <= rms <= _SCALE_BAND:
            return 1.0
        return math.ldexp(1.0, round(math.log2(rms)))

    def _scale_exponent(self):
        return math.frexp(getattr(self, "input_scale_", 1.0))[1] - 1

    def _network_input(self, X):
        """``X`` in the unit the network reads (``X`` itself at scale 1)."""
        exponent = self._scale_exponent()
        if exponent == 0:
            return X
        with np.errstate(over="ignore"):
            scaled = np.ldexp(X, -exponent)
        if exponent < 0 and np.isinf(scaled).any():
            raise ValueError(
                f"X holds values beyond float32's range once divided by "
                f"input_scale_={self.input_scale_:.3g}, the scale of the points "
                f"this {type(self).__name__} was fitted on: pass points in the "
                "unit of the training data."
            )
        return scaled

    def _network_output(self, values):
        """Points the network outputs, back in the unit of ``X``."""
        exponent = self._scale_exponent()
        if exponent == 0:
            return values
        with np.errstate(over="ignore"):  # beyond float32 only if S_t is too
            return np.ldexp(values, exponent)

    def _n_train(self, n_samples):
        """Samples left to train on once the validation share is held out."""
        return n_train(n_samples, self.validation_fraction)

    def _update_cap(self, n_samples):
        """The most updates a fit on ``n_samples`` makes: ``max_steps``, or
        ``max_epochs`` passes."""
        return update_cap(
            n_samples,
            max_steps=self.max_steps,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            validation_fraction=self.validation_fraction,
        )

    def _after_fit(self):
        """Record the history and device; refuse a diverged network."""
        losses = np.asarray(self.net_.history[:, "train_loss"], dtype=float)
        weights_finite = all(
            bool(torch.isfinite(p).all()) for p in self.net_.module_.parameters()
        )
        batch_losses = [
            batch["train_loss"]
            for epoch in self.net_.history
            for batch in epoch["batches"]
            if "train_loss" in batch
        ]
        if not (np.isfinite(losses).all() and weights_finite):
            label = unit_label(self.unit)
            if batch_losses and not np.isfinite(batch_losses[0]):
                # Before the first update the learning rate has done nothing.
                raise ValueError(
                    f"Training of unit {label} gave a NaN or infinite loss on its "
                    "first batch, before any update: the unit's outputs in "
                    "training mode (or the inputs) are not finite; the learning "
                    "rate is not the cause."
                )
            bad = np.flatnonzero(~np.isfinite(losses))
            epoch = int(bad[0]) + 1 if bad.size else len(losses)
            raise ValueError(
                f"Training diverged: the loss or the weights of unit {label} became "
                f"NaN or infinite (epoch {epoch}). Lower lr (now {self.lr!r}) or set "
                "max_grad_norm."
            )
        self.history_ = self.net_.history
        self.device_ = str(self.net_.device)
        self.n_updates_ = len(batch_losses)

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

    def hidden_states(
        self, X: ArrayLike, state: str = "h", *, eval_len: int | None = None
    ) -> np.ndarray:
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

    def probe_inputs(self, X: ArrayLike) -> np.ndarray:
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


RecurrentEstimatorBase._parameter_constraints = declared_constraints(
    RecurrentEstimatorBase
)
