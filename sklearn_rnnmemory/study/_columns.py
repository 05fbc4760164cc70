"""The columns of a study: one table that rows, summary, text table and CSV read.

Adding a column to the study is one entry here plus the code in
:mod:`._configuration` that fills it.
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
    """

    name: str
    description: str
    label: str | None = None
    fmt: str = ".3f"
    averaged: bool = True
    lower: float | None = None
    reported: bool = False


#: The columns that identify a configuration.
CONFIG_COLUMNS = ("unit", "seq_len", "hidden_size", "seed")

COLUMNS = (
    Column("unit", "recurrent unit", "unit", "s", False),
    Column("hidden_size", "size of the hidden state", "hidden", "d", False),
    Column(
        "seq_len",
        "training length k (window of each training step)",
        "length",
        "d",
        False,
    ),
    Column("seed", "random_state of the run", None, "d", False),
    Column(
        "eval_len",
        "evaluation window length L the indicators are measured on",
        "window",
        "d",
        False,
    ),
    Column("n_windows", "evaluation windows that reach L", None, "d", False),
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
    Column("memory_span", "memory span at L", "span", ".1f", lower=0.0, reported=True),
    Column("memory_rate", "memory capacity / L", "rate", lower=0.0),
    Column(
        "semantic_skill",
        "1 - MSE / MSE of the memoryless model, at L",
        "skill",
        reported=True,
    ),
    Column(
        "semantic_error",
        "mean relative error of the semantic point at L",
        "sem_error",
        reported=True,
    ),
    Column("baseline_error", "semantic error of the memoryless model"),
    Column(
        "semantic_similarity", "mean cosine of the semantic point at L", "similarity"
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
        "capacity_at_seq_len",
        "memory capacity on windows of the training length k",
        "cap@k",
        lower=0.0,
        reported=True,
    ),
    Column("n_parameters", "trainable parameters"),
    Column(
        "macs_per_step", "multiply-adds per step and sequence of the recurrent layers"
    ),
    Column("capacity_per_parameter", "memory capacity per trainable parameter"),
    Column("capacity_per_mac", "memory capacity per multiply-add per step"),
    Column("n_updates", "optimizer updates made"),
    Column(
        "converged",
        "whether the validation capacity at L levelled off before the cap "
        "(the plateau rule)",
        None,
        "",
        False,
    ),
    Column("final_loss", "training loss of the last pass"),
    Column("fit_time", "seconds spent training", "fit_s", ".1f"),
    Column("status", "ok or failed", None, "s", False),
    Column("error", "why a configuration failed", None, "s", False),
)

#: Column name -> Column.
BY_NAME = {column.name: column for column in COLUMNS}
#: Scalar columns of a row, in table and CSV order.
SCALAR_COLUMNS = tuple(column.name for column in COLUMNS)
#: Columns holding a list per row (JSON lines only, not in the CSV).
LIST_COLUMNS = (
    "retention_curve",
    "retention_stderr",
    "retention_matrix",
    "capacity_trajectory",
)
#: Columns that may differ between two runs of one configuration.
TIMING_COLUMNS = ("fit_time",)
#: Columns averaged over seeds in the summary.
AVERAGED_COLUMNS = tuple(c.name for c in COLUMNS if c.averaged)
#: Columns of report.md's table of memory by training length.
REPORTED_COLUMNS = tuple(c.name for c in COLUMNS if c.reported)

assert set(INDICATORS) <= set(BY_NAME), "every indicator has a column"
