"""Reading a study back from its folder or its results file, without training."""

import os
from pathlib import Path

from .._unit_names import UNIT_NAMES
from ._results import StudyResult
from ._schema import VERSION_KEY, read_metadata
from ._storage import read_rows
from ._study_folder import METADATA_NAME, RESULTS_NAME


def load_study(path: str | os.PathLike) -> StudyResult:
    """Read a study back from its folder or its results file, without training.

    The folder is read as input from someone else: every line of the results
    file must be a complete row of one study, each configuration once, and
    metadata.json (when there is one) must be of the study's layout. Folders of
    earlier layouts load, with the fields they lack as absent (NaN). Nothing
    read is run.

    Parameters
    ----------
    path : str or path
        A folder written by ``rnnmemory assess`` (holding ``results.jsonl`` and
        ``metadata.json``) or a JSON-lines results file of :func:`run_study`.

    Returns
    -------
    result : StudyResult
        Its rows (one per configuration and seed, in the grid's order: units as
        the metadata lists them, else in the registry's order, then lengths,
        hidden sizes and seeds ascending), settings and, for a folder,
        metadata.

    Raises
    ------
    ValueError
        In one line naming the file, the line and what is wrong: a line that
        is not a row (not JSON, not an object, a field missing or of the wrong
        kind), a row of another study or layout version, a configuration
        twice, a layout newer than this library reads, or no finished row. A
        last line cut off while being written is left out with a warning.

    Examples
    --------
    >>> from sklearn_rnnmemory.study import load_study
    >>> load_study("no-such-folder")
    Traceback (most recent call last):
    ...
    ValueError: no-such-folder holds no study: no results.jsonl there.
    """
    path = Path(path)
    folder = path if path.is_dir() or not path.suffix else path.parent
    results = folder / RESULTS_NAME if path.is_dir() or not path.suffix else path
    if not results.is_file():
        raise ValueError(f"{path} holds no study: no {RESULTS_NAME} there.")
    stored = read_rows(results)
    if not stored.rows:
        raise ValueError(
            f"{results} holds no finished configuration: the study stopped before "
            "its first one finished (or has not finished one yet). Resume the "
            "study to run them."
        )
    metadata_file = folder / METADATA_NAME
    metadata = read_metadata(metadata_file) if metadata_file.is_file() else None
    if metadata is not None and metadata[VERSION_KEY] != stored.version:
        raise ValueError(
            f"{metadata_file} is of study layout version {metadata[VERSION_KEY]} "
            f"and {results} of version {stored.version}; they are not of one study."
        )
    rows = stored.rows
    # Rows are stored as they finish; give them back in the grid's order.
    units = list((metadata or {}).get("grid", {}).get("units") or [])
    units += [u for u in UNIT_NAMES if u not in units]
    rank = {unit: n for n, unit in enumerate(units)}
    rows.sort(
        key=lambda r: (
            rank.get(r["unit"], len(rank)),
            r["unit"],
            r["seq_len"],
            r["hidden_size"],
            r["seed"],
        )
    )
    return StudyResult(rows, settings=stored.settings, metadata=metadata)
