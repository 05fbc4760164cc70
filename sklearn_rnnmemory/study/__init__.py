"""Memory studies: sweep units x training lengths x hidden sizes x seeds.

:func:`run_study` trains a :class:`~sklearn_rnnmemory.RecurrentMemoryRegressor`
per configuration, measures every indicator on the test sequences at one common
evaluation length, and appends each finished row to a JSON-lines file, so that
an interrupted study resumes where it stopped. :func:`load_study` reads a
finished (or interrupted) study back without training; :class:`StudyResult`
holds the rows, their summary over seeds and the length guidance
(definitions §3.7). :func:`corpus_points` gives a corpus's points as a study
reads them; :func:`check_study_folder`, :func:`study_metadata`,
:func:`write_metadata` and :func:`write_report` keep a study's folder, as
``rnnmemory assess`` writes it.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_names
from .._unit_names import UNIT_NAMES
from ._defaults import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_HIDDEN_SIZES,
    DEFAULT_LEARNING_RATES,
    DEFAULT_MAX_STEPS,
    DEFAULT_PLATEAU_TOL,
    DEFAULT_SEEDS,
    DEFAULT_SEQ_LENS,
    DEFAULT_UNITS,
)

if TYPE_CHECKING:  # pragma: no cover
    from ._columns import COLUMNS, LIST_FIELDS, SCHEMA_VERSION
    from ._corpus import corpus_points
    from ._load import load_study
    from ._report import unsettled_rows, write_report
    from ._results import StudyResult
    from ._run import run_study
    from ._study_folder import (
        METADATA_NAME,
        RESULTS_NAME,
        check_study_folder,
        study_folder,
        study_metadata,
        write_metadata,
    )

# Loaded on first use (PEP 562): the defaults above are plain values, for the
# command line's help; running a study loads torch, reading one scipy.
_LAZY = {
    "COLUMNS": "._columns",
    "LIST_FIELDS": "._columns",
    "SCHEMA_VERSION": "._columns",
    "corpus_points": "._corpus",
    "load_study": "._load",
    "unsettled_rows": "._report",
    "write_report": "._report",
    "StudyResult": "._results",
    "run_study": "._run",
    "METADATA_NAME": "._study_folder",
    "RESULTS_NAME": "._study_folder",
    "check_study_folder": "._study_folder",
    "study_folder": "._study_folder",
    "study_metadata": "._study_folder",
    "write_metadata": "._study_folder",
}


__getattr__, __dir__ = lazy_names(__name__, globals(), _LAZY)


__all__ = [
    "COLUMNS",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_HIDDEN_SIZES",
    "DEFAULT_LEARNING_RATES",
    "DEFAULT_MAX_STEPS",
    "DEFAULT_PLATEAU_TOL",
    "DEFAULT_SEEDS",
    "DEFAULT_SEQ_LENS",
    "DEFAULT_UNITS",
    "LIST_FIELDS",
    "METADATA_NAME",
    "RESULTS_NAME",
    "SCHEMA_VERSION",
    "StudyResult",
    "UNIT_NAMES",
    "check_study_folder",
    "corpus_points",
    "load_study",
    "run_study",
    "study_folder",
    "study_metadata",
    "unsettled_rows",
    "write_metadata",
    "write_report",
]
