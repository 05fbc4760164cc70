"""The parameters every recurrent estimator shares, each declared once.

A shared parameter is one field of
:class:`~sklearn_rnnmemory._recurrent_base.RecurrentEstimatorBase`, declared
with :func:`shared`: its default, its scikit-learn constraints and its
documentation. The dataclass writes every estimator's explicit ``__init__``
signature from the fields (as scikit-learn's ``get_params`` and ``clone`` read
it); :func:`declared_constraints` gives the base's ``_parameter_constraints``,
which each estimator merges with those of its own parameters, as scikit-learn's
estimators do; :func:`fill_shared_docs` fills an estimator's docstring with the
entries, each showing the default of the estimator's signature.
"""

import dataclasses
import inspect
import re
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ._docstring import Substitution

if TYPE_CHECKING:  # the estimators' base imports this module
    from ._recurrent_base import RecurrentEstimatorBase

T = TypeVar("T", bound="type[RecurrentEstimatorBase]")

#: The groups a shared parameter is documented in: ``%(network_parameters)s``
#: and ``%(training_parameters)s``, in the order of the base class's fields.
GROUPS = ("network", "training")


@dataclass(frozen=True)
class Parameter:
    """How one shared estimator parameter is checked and documented.

    Attributes
    ----------
    constraints : list
        Its scikit-learn constraints (``Interval``, ``StrOptions``, types,
        None ...), as ``_parameter_constraints`` takes them.
    kind : str
        Its type, as numpydoc writes it (``"int"``, ``"float or None"``).
    doc : str or None
        Its description, one paragraph; ``{samples}`` stands for what the
        estimator trains on (``windows`` or ``sequences``) and ``{scoring}``
        for what a scoring callback may score with. None: each estimator
        describes it in its own docstring.
    group : {"network", "training"} or None
        The group it is documented in.
    """

    constraints: list
    kind: str = ""
    doc: str | None = None
    group: str | None = None

    def entry(self, name: str, default: Any, **words: str) -> str:
        """The numpydoc entry: ``name : kind, default=...`` and the text."""
        shown = f'"{default}"' if isinstance(default, str) else repr(default)
        text = (self.doc or "").format(**words)
        return f"{name} : {self.kind}, default={shown}\n" + _indented(text)


def shared(
    default: Any,
    constraints: list,
    kind: str = "",
    doc: str | None = None,
    *,
    group: str | None = None,
) -> Any:
    """The dataclass field of a shared parameter: its default, and its
    :class:`Parameter` record (constraints and documentation) as metadata."""
    record = Parameter(constraints, kind, doc, group)
    return dataclasses.field(default=default, metadata={"parameter": record})


def declared_parameters(estimator: type) -> dict[str, Parameter]:
    """The :class:`Parameter` records of an estimator class's fields, in field
    order; a field a subclass redeclares (to change its default) keeps the
    record of the class that declared it."""
    records = {}
    for klass in reversed(estimator.__mro__):
        for field in vars(klass).get("__dataclass_fields__", {}).values():
            if "parameter" in field.metadata:
                records[field.name] = field.metadata["parameter"]
    return records


def declared_constraints(estimator: type) -> dict[str, list]:
    """``_parameter_constraints`` of the fields declared with :func:`shared`."""
    return {
        name: record.constraints
        for name, record in declared_parameters(estimator).items()
    }


def check_declared(estimator: type) -> None:
    """Refuse an estimator class that is not a dataclass of its own, with
    scikit-learn's ``repr`` and identity equality kept.

    The dataclass writes the ``__init__`` signature that scikit-learn reads
    the parameters from: an annotated attribute of an undecorated subclass
    would not be a parameter, and a dataclass's own ``repr`` and ``==`` would
    replace scikit-learn's.
    """
    options = vars(estimator).get("__dataclass_params__")
    if options is None or options.repr or options.eq:
        raise TypeError(
            f"{estimator.__name__} must be decorated with "
            "@dataclasses.dataclass(repr=False, eq=False, kw_only=True), as every "
            "recurrent estimator is: its parameters are its dataclass fields."
        )


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
    with the entries of its shared parameters (each alone, and by group) and
    of the shared attributes, and ``%(returns_fitted)s`` in its methods' with
    what ``fit`` returns.

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
    records = {
        name: record
        for name, record in declared_parameters(estimator).items()
        if record.doc is not None
    }
    snippets = {
        name: record.entry(name, defaults[name], **words)
        for name, record in records.items()
    }
    for group in GROUPS:
        snippets[f"{group}_parameters"] = "\n".join(
            snippets[name] for name, record in records.items() if record.group == group
        )
    snippets["returns_fitted"] = (
        f"Returns\n-------\nself : {estimator.__name__}\n    The fitted estimator."
    )
    return Substitution(**snippets, **SHARED_ATTRIBUTES)(estimator)
