"""The columns of a study: one table that rows, summary, text table, CSV and
the checks of a study folder read.

Adding a column to the study is one entry here (with the layout version that
introduced it, ``since``) plus the code in :mod:`._configuration` that fills
it; reading, checking, the CSV and the report follow from the entry.
"""

from dataclasses import dataclass

from ..indicators import INDICATORS


@dataclass(frozen=True)
class Column:
    """One scalar column of a study row.

    Attributes
    ----------
    name : str
        Key in the row, and the CSV header.
    description : str
        What it holds (for the docs and the report).
    label : str or None
        Header in the printed table; None keeps it out of the table.
    fmt : str
        Format of a value in the printed table.
    averaged : bool
        Whether the summary takes its mean (and 95 % interval) over seeds.
    lower : float or None
        The least value the quantity can take; the interval over seeds is cut
        there (a t-interval of three capacities can reach below 0).
    reported : bool
        Whether ``report.md``'s table of memory by training length shows it.
    kind : {"str", "int", "float", "bool", "floats", "float_rows", "pairs"}
        What a row holds, as JSON: a string, an integer, a number (integer or
        float), true or false; a list of numbers; a list of lists of numbers
        (a matrix's rows); a list of ``[int, number]`` pairs.
    nullable : bool
        Whether null may stand in (NaN, or not measured: a failed row).
    minimum : int or None
        The least value an ``int`` column may hold.
    choices : tuple of str
        The values a ``str`` column may hold; empty: any.
    since : int
        The layout version (:data:`SCHEMA_VERSION`) whose rows first hold it;
        rows of earlier versions lack it, and read it as absent.
    """

    name: str
    description: str
    label: str | None = None
    fmt: str = ".3f"
    averaged: bool = True
    lower: float | None = None
    reported: bool = False
    kind: str = "float"
    nullable: bool = True
    minimum: int | None = None
    choices: tuple[str, ...] = ()
    since: int = 1

    @property
    def missing(self) -> float | list | None:
        """The value of a row that lacks the column.

        NaN for a number, an empty list for a list, None otherwise.
        """
        if self.kind in ("int", "float"):
            return float("nan")
        return [] if self.kind in LIST_KINDS else None


#: The layout of a study's rows and metadata. Version 1 was written without a
#: version; version 2 added ``unit_ref`` and writes the version in every row
#: and in metadata.json. Raise it whenever a row gains or changes a field.
SCHEMA_VERSION = 2
#: Kinds of the columns that hold a list per row.
LIST_KINDS = ("floats", "float_rows", "pairs")

#: The columns that identify a configuration.
CONFIG_COLUMNS = ("unit", "seq_len", "hidden_size", "seed")


def _count(name: str, doc: str, header: str | None, *, minimum: int) -> Column:
    """A column of whole numbers that every row holds: a setting of its run."""
    return Column(
        name, doc, header, "d", False, kind="int", nullable=False, minimum=minimum
    )


COLUMNS = (
    Column("unit", "recurrent unit", "unit", "s", False, kind="str", nullable=False),
    Column(
        "unit_ref",
        "the unit by what it is: a built-in's name, or module:qualname of a "
        "unit of the user's own",
        None,
        "s",
        False,
        kind="str",
        nullable=False,
        since=2,
    ),
    _count("hidden_size", "size of the hidden state", "hidden", minimum=1),
    _count(
        "seq_len",
        "training length k (window of each training step)",
        "length",
        minimum=1,
    ),
    _count("seed", "random_state of the run", None, minimum=0),
    _count(
        "eval_len",
        "evaluation window length L the indicators are measured on",
        "window",
        minimum=1,
    ),
    Column(
        "n_windows", "evaluation windows that reach L", None, "d", False, kind="int"
    ),
    Column(
        "n_clusters",
        "independent clusters among them (windows, or the documents they come "
        "from): the observations of the capacity's standard errors",
        None,
        "d",
        False,
        kind="int",
        since=2,
    ),
    Column(
        "memory_capacity",
        "memory capacity at L: tokens of semantics retained",
        "capacity",
        lower=0.0,
        reported=True,
    ),
    Column(
        "capacity_ci_low",
        "low end of the capacity's 95 % interval in this run",
        lower=0.0,
    ),
    Column(
        "capacity_ci_high",
        "high end of the capacity's 95 % interval in this run",
        lower=0.0,
    ),
    Column(
        "explained_share",
        "share of the model's variance at L that the linear account by the "
        "tokens explains (1: linear in its tokens; low: capacity is only the "
        "best linear account)",
        "explained",
        ".2f",
        reported=True,
        since=2,
    ),
    Column(
        "memory_span",
        "memory span at L: lags held, each counted by its credit around 0.5",
        "span",
        ".1f",
        lower=0.0,
        reported=True,
    ),
    Column(
        "span_start",
        "the lag the memory span starts at (NaN where the span is 0)",
        "from",
        ".1f",
        lower=0.0,
        reported=True,
        since=2,
    ),
    Column("memory_rate", "memory capacity / L", "rate", lower=0.0),
    Column(
        "semantic_skill",
        "1 - MSE / MSE of the memoryless model, at L",
        "skill",
        reported=True,
    ),
    Column(
        "semantic_error",
        "error of the semantic point at L, relative to the semantics' size",
        "sem_error",
        reported=True,
    ),
    Column("baseline_error", "semantic error of the memoryless model"),
    Column(
        "semantic_similarity",
        "cosine of the semantic point at L, weighted by the semantics' size",
        "similarity",
    ),
    Column("baseline_similarity", "semantic similarity of the memoryless model"),
    Column(
        "probe_capacity",
        "decodability of past inputs from the states at L, summed over lags",
        "probe",
        lower=0.0,
        reported=True,
    ),
    Column(
        "probe_baseline",
        "the probe capacity of the current input alone: the inputs' own "
        "correlations over time",
        "probe_base",
        lower=0.0,
        reported=True,
        since=2,
    ),
    Column(
        "probe_net_capacity",
        "probe capacity less its baseline: past inputs the states hold beyond "
        "the current one",
        since=2,
    ),
    Column(
        "capacity_at_seq_len",
        "memory capacity on windows of the training length k",
        "cap@k",
        lower=0.0,
        reported=True,
    ),
    Column("n_parameters", "trainable parameters", kind="int"),
    Column(
        "macs_per_step", "multiply-adds per step and sequence of the recurrent layers"
    ),
    Column("capacity_per_parameter", "memory capacity per trainable parameter"),
    Column("capacity_per_mac", "memory capacity per multiply-add per step"),
    Column("n_updates", "optimizer updates made", kind="int"),
    Column(
        "converged",
        "whether the validation capacity at L levelled off before the cap "
        "(the plateau rule; in studies of layout 1, whether the training loss "
        "had levelled off)",
        None,
        "",
        False,
        kind="bool",
    ),
    Column("final_loss", "training loss of the last pass"),
    Column(
        "fit_time",
        "seconds spent training, the plateau rule's checks included (seeds "
        "trained as one stack: each round's time shared among its seeds)",
        "fit_s",
        ".1f",
    ),
    Column(
        "check_time",
        "seconds of fit_time spent on the plateau rule's validation checks",
        None,
        ".1f",
        False,
        since=2,
    ),
    Column(
        "measure_time",
        "seconds spent measuring on the test windows",
        None,
        ".1f",
        False,
        since=2,
    ),
    Column(
        "status",
        "ok or failed",
        None,
        "s",
        False,
        kind="str",
        nullable=False,
        choices=("ok", "failed"),
    ),
    Column(
        "error",
        "why a configuration failed",
        None,
        "s",
        False,
        kind="str",
        nullable=False,
    ),
)

#: The columns that hold a list per row (JSON lines only, not in the CSV).
LIST_FIELDS = (
    Column(
        "retention_curve",
        "retention r(delta) at L, delta = 0..L-1",
        averaged=False,
        kind="floats",
    ),
    Column(
        "retention_stderr",
        "standard error of each r(delta)",
        averaged=False,
        kind="floats",
    ),
    Column(
        "retention_matrix",
        "retention r_t(t - p) at every reading step t (rows) and position p",
        averaged=False,
        kind="float_rows",
    ),
    Column(
        "capacity_trajectory",
        "the plateau rule's checks: [updates, validation capacity at L] pairs",
        averaged=False,
        kind="pairs",
        since=2,
    ),
)

#: Every field of a row, scalar and list.
ROW_FIELDS = COLUMNS + LIST_FIELDS
#: Column name -> Column, list fields included.
BY_NAME = {column.name: column for column in ROW_FIELDS}
#: Scalar columns of a row, in table and CSV order.
SCALAR_COLUMNS = tuple(column.name for column in COLUMNS)
#: Columns holding a list per row (JSON lines only, not in the CSV).
LIST_COLUMNS = tuple(column.name for column in LIST_FIELDS)
#: Columns that may differ between two runs of one configuration.
TIMING_COLUMNS = ("fit_time", "check_time", "measure_time")
#: Columns averaged over seeds in the summary.
AVERAGED_COLUMNS = tuple(c.name for c in COLUMNS if c.averaged)
#: Columns of report.md's table of memory by training length.
REPORTED_COLUMNS = tuple(c.name for c in COLUMNS if c.reported)

assert set(INDICATORS) <= set(BY_NAME), "every indicator has a column"
assert all(c.kind in ("str", "int", "float", "bool", *LIST_KINDS) for c in ROW_FIELDS)
assert all(c.kind in LIST_KINDS for c in LIST_FIELDS)
assert all(1 <= c.since <= SCHEMA_VERSION for c in ROW_FIELDS)
