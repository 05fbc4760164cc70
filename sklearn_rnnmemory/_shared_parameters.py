"""The parameters every recurrent estimator shares, declared once.

Each shared parameter is one :class:`Parameter` record in
:data:`SHARED_PARAMETERS`: how its value is checked in ``fit`` and how it is
documented. An estimator merges the records with those of its own parameters
(``_parameter_checks``) and fills its docstring from them with
:func:`fill_shared_docs`, whose entries take the defaults of the estimator's
signature. Adding a shared parameter is one record here plus its field, with
its default, in :class:`~sklearn_rnnmemory._recurrent_base.RecurrentEstimatorBase`
(whose dataclass fields write every estimator's explicit ``__init__``
signature, as scikit-learn reads it).
"""

import inspect
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral
from typing import TYPE_CHECKING, Any, TypeVar

from ._callbacks import check_callbacks
from ._docstring import Substitution
from ._torch.devices import check_device
from ._torch.optimizers import OPTIMIZERS, check_optimizer
from ._torch.registry import check_unit
from ._validation import check_positive_int, check_random_state, check_real

if TYPE_CHECKING:  # the estimators' base imports this module
    from ._recurrent_base import RecurrentEstimatorBase

T = TypeVar("T", bound="type[RecurrentEstimatorBase]")


@dataclass(frozen=True)
class Parameter:
    """How one estimator parameter is checked and documented.

    Attributes
    ----------
    check : callable
        ``check(value, name, estimator) -> value``: the value checked (as a
        Python number, a class, a list ...), or an error that names ``name``.
    kind : str
        Its type, as numpydoc writes it (``"int"``, ``"float or None"``).
    doc : str
        Its description, one paragraph; ``{samples}`` stands for what the
        estimator trains on (``windows`` or ``sequences``) and ``{scoring}``
        for what a scoring callback may score with.
    """

    check: Callable[[Any, str, Any], Any]
    kind: str = ""
    doc: str | None = None

    def entry(self, name: str, default: Any, **words: str) -> str:
        """The numpydoc entry: ``name : kind, default=...`` and the text."""
        shown = f'"{default}"' if isinstance(default, str) else repr(default)
        text = (self.doc or "").format(**words)
        return f"{name} : {self.kind}, default={shown}\n" + _indented(text)


_LITERAL = re.compile(r"``[^`]*``")


def _indented(text: str) -> str:
    """A paragraph wrapped and indented as a numpydoc description, never
    breaking a line inside a ``literal``."""
    protected = _LITERAL.sub(lambda m: m.group().replace(" ", "\0"), text)
    wrapped = textwrap.fill(
        protected,
        width=76,
        initial_indent="    ",
        subsequent_indent="    ",
        break_on_hyphens=False,
    )
    return wrapped.replace("\0", " ")


# -- the checks ------------------------------------------------------------------


def _unit(value: Any, name: str, estimator: Any) -> Any:
    return check_unit(value)


def _positive_int(value: Any, name: str, estimator: Any) -> int:
    return check_positive_int(value, name)


def _positive_int_or_none(value: Any, name: str, estimator: Any) -> int | None:
    return check_positive_int(value, name, allow_none=True)


def _positive_float(value: Any, name: str, estimator: Any) -> float:
    return check_real(value, name, low=0)


def _positive_float_or_none(value: Any, name: str, estimator: Any) -> float | None:
    return None if value is None else check_real(value, name, low=0)


def _share_or_none(value: Any, name: str, estimator: Any) -> float | None:
    return None if value is None else check_real(value, name, low=0, high=1)


def _verbosity(value: Any, name: str, estimator: Any) -> int:
    if not isinstance(value, Integral):
        raise ValueError(
            f"{name} must be an integer (0 prints nothing); got {value!r}."
        )
    return int(value)


def _callbacks(value: Any, name: str, estimator: Any) -> list:
    return check_callbacks(
        value,
        validated=estimator.validation_fraction is not None,
        scorer_names=estimator._scorer_names_work,
        owner=type(estimator).__name__,
    )


def _random_state(value: Any, name: str, estimator: Any) -> Any:
    check_random_state(value, name)
    return value


def _optimizer(value: Any, name: str, estimator: Any) -> type:
    return check_optimizer(value, name)


def _device(value: Any, name: str, estimator: Any) -> str:
    return check_device(value, name)


_OPTIMIZER_NAMES = ", ".join(f'"{name}"' for name in OPTIMIZERS)

#: The shared parameters, in the order ``fit`` checks them.
SHARED_PARAMETERS = {
    "unit": Parameter(
        _unit,
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
    ),
    "hidden_size": Parameter(_positive_int, "int", "Size ``H`` of the hidden state."),
    "num_layers": Parameter(
        _positive_int,
        "int",
        "Number of stacked recurrent layers; the last one is read out.",
    ),
    "max_epochs": Parameter(
        _positive_int, "int", "Number of passes over the training {samples}."
    ),
    "batch_size": Parameter(
        _positive_int, "int", "Training {samples} per gradient step."
    ),
    # Each estimator reads windows of seq_len its own way, and says how.
    "seq_len": Parameter(_positive_int_or_none),
    "max_steps": Parameter(
        _positive_int_or_none,
        "int",
        "Train for this many optimizer updates instead of ``max_epochs`` passes "
        "(the last pass stops early); ``None`` trains for ``max_epochs``. Every "
        "training length then gets the same number of updates, which passes "
        "over windows do not give: a pass over windows of length ``k`` makes "
        "``1 / k`` as many updates.",
    ),
    "lr": Parameter(_positive_float, "float", "Learning rate."),
    "max_grad_norm": Parameter(
        _positive_float_or_none,
        "float",
        "Clip the gradients' global 2-norm to this value (skorch's "
        "``GradientNormClipping``); ``None`` does not clip.",
    ),
    "validation_fraction": Parameter(
        _share_or_none,
        "float",
        "Share of the training {samples} held out for skorch's ``valid_loss`` "
        "(needed by ``EarlyStopping`` on ``valid_loss``); ``None`` trains on all.",
    ),
    "verbose": Parameter(
        _verbosity, "int", "The skorch net's verbosity; 0 prints nothing."
    ),
    "callbacks": Parameter(
        _callbacks,
        "list of skorch callbacks or (name, callback) tuples",
        "Passed through to the skorch net (``EarlyStopping``, ``ProgressBar``, "
        "``EpochScoring`` ...). A scoring callback scores with {scoring}. A "
        'callback that reads held-out data (``monitor="valid_loss"``, '
        "``on_train=False``) needs ``validation_fraction``.",
    ),
    "random_state": Parameter(
        _random_state,
        "int, RandomState instance or None",
        "Seeds weight initialisation, shuffling and the validation split; two "
        "fits with one integer seed give identical results on CPU. Torch's "
        "global random state is left as it was.",
    ),
    "optimizer": Parameter(
        _optimizer,
        f"{{{_OPTIMIZER_NAMES}}} or torch optimizer class",
        "The optimizer, by name or as a torch optimizer class.",
    ),
    "device": Parameter(
        _device,
        "str, torch.device or None",
        'Torch device; ``"auto"`` resolves in :meth:`fit` to ``"cuda"`` when '
        'CUDA is available, else ``"cpu"``; ``None`` is torch\'s default device.',
    ),
}

#: The shared parameters of the network's shape, in the order of the base
#: class's fields; documented together as ``%(network_parameters)s``.
NETWORK_PARAMETERS = ("unit", "hidden_size", "num_layers")

#: The shared parameters of how an estimator trains, in the order of the base
#: class's fields; documented together as ``%(training_parameters)s``.
TRAINING_PARAMETERS = (
    "max_epochs",
    "max_steps",
    "lr",
    "batch_size",
    "optimizer",
    "max_grad_norm",
    "validation_fraction",
    "callbacks",
    "verbose",
    "device",
    "random_state",
)

#: Fitted attributes every recurrent estimator sets, documented once.
SHARED_ATTRIBUTES = {
    "history_": (
        "history_ : skorch.History\n    The training history (``net_.history``)."
    ),
    "device_": "device_ : str\n    The device the network was trained on.",
    "n_updates_": "n_updates_ : int\n    Optimizer updates made.",
    "input_scale_": "input_scale_ : float\n"
    + _indented(
        "The network reads ``X / input_scale_`` and its output is multiplied "
        "back: 1 when the points' root-mean-square norm lies in ``[1/4, 4]`` "
        "(every built-in basis), else the power of two nearest that norm, so "
        "that points in any unit train alike and float32 neither overflows nor "
        "underflows."
    ),
}


def fill_shared_docs(estimator: T) -> T:
    """Class decorator: fill the ``%(name)s`` lines of an estimator's docstring
    with the entries of its checked parameters and of the shared attributes,
    and ``%(returns_fitted)s`` in its methods' with what ``fit`` returns.

    A parameter's entry shows the default of the estimator's signature.
    """
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(estimator).parameters.items()
    }
    words = {
        "samples": estimator._training_samples,
        "scoring": (
            "a callable ``scoring(net, X, y)`` or a scikit-learn scorer name"
            if estimator._scorer_names_work
            else "a callable ``scoring(net, X, y)``, as the network outputs one "
            "row per step"
        ),
    }
    snippets = {
        name: parameter.entry(name, defaults[name], **words)
        for name, parameter in estimator._parameter_checks.items()
        if parameter.doc is not None
    }
    for group, names in [
        ("network_parameters", NETWORK_PARAMETERS),
        ("training_parameters", TRAINING_PARAMETERS),
    ]:
        snippets[group] = "\n".join(snippets[name] for name in names)
    snippets["returns_fitted"] = (
        f"Returns\n-------\nself : {estimator.__name__}\n    The fitted estimator."
    )
    return Substitution(**snippets, **SHARED_ATTRIBUTES)(estimator)
