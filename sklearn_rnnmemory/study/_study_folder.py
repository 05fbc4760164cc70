"""The folder of a study: its files, the check before a study starts in it,
and its metadata.

``rnnmemory assess`` writes a study into a folder: the rows as they finish
(:data:`RESULTS_NAME`), what was run (:data:`METADATA_NAME`) and the report
(:data:`~._report.REPORT_FILES`); :func:`~._load.load_study` reads it back.
"""

import json
import os
import platform
import shlex
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ._columns import SCHEMA_VERSION
from ._defaults import (
    DEFAULT_HIDDEN_SIZES,
    DEFAULT_SEEDS,
    DEFAULT_SEQ_LENS,
    DEFAULT_UNITS,
    PLATEAU_TOL,
)
from ._folder import check_all_writable, write_file
from ._report import REPORT_FILES
from ._schema import VERSION_KEY, read_metadata

#: The rows of a study folder, one JSON line per finished configuration.
RESULTS_NAME = "results.jsonl"
#: What was run in a study folder: command, versions, machine, corpus, grid.
METADATA_NAME = "metadata.json"
#: Every file a study writes in its folder.
FOLDER_FILES = (RESULTS_NAME, METADATA_NAME, *REPORT_FILES)


def check_study_folder(
    folder: str | os.PathLike, *, resume: bool = False, overwrite: bool = False
) -> None:
    """Refuse a folder a study cannot start in; write nothing.

    Parameters
    ----------
    folder : str or path
        The study's folder; it need not exist yet.
    resume : bool, default=False
        The study will finish the study already in ``folder``.
    overwrite : bool, default=False
        The study will replace the results already in ``folder``.

    Raises
    ------
    ValueError
        In one line starting with ``folder``: it is a file, is not writable,
        holds a file a study writes that is a link (a write would land outside
        it), holds results and neither ``resume`` nor ``overwrite`` is given,
        or holds a study of another layout version to resume.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file, not a folder.")
    if not folder.exists():
        return
    check_all_writable(folder, FOLDER_FILES)
    results = folder / RESULTS_NAME
    if results.is_file() and results.stat().st_size > 0 and not (resume or overwrite):
        raise ValueError(
            f"{folder} already holds results; add resume=True to finish that study "
            "or overwrite=True to replace it."
        )
    metadata = folder / METADATA_NAME
    if resume and metadata.is_file():
        version = read_metadata(metadata)[VERSION_KEY]
        if version != SCHEMA_VERSION:
            raise ValueError(
                f"{folder} holds a study of layout version {version}, and this "
                f"sklearn-rnnmemory writes version {SCHEMA_VERSION}; resume=True "
                "cannot mix them: finish it with the version that started it, or "
                "start again with overwrite=True or in another folder."
            )
    if not os.access(folder, os.W_OK):
        raise ValueError(f"{folder} is not writable.")


@contextmanager
def study_folder(folder: str | os.PathLike) -> Iterator[Path]:
    """Make ``folder`` (and its missing parents) for the block.

    Those made here are removed again if they are still empty when the block
    fails (a check refused the study before anything was written).

    Parameters
    ----------
    folder : str or path-like
        The study's folder.

    Yields
    ------
    folder : pathlib.Path
        The folder, made.
    """
    folder = Path(folder)
    made = [path for path in (folder, *folder.parents) if not path.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder
    except BaseException:
        for path in made:  # the deepest first
            if any(path.iterdir()):
                break
            path.rmdir()
        raise


def _versions() -> dict[str, str]:
    import numpy
    import sklearn
    import skorch
    import torch

    from .. import __version__

    return {
        "python": platform.python_version(),
        "sklearn-rnnmemory": __version__,
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
    }


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def study_metadata(
    command: Sequence[str],
    *,
    device: str,
    corpus: dict[str, Any],
    units: Sequence[Any] = DEFAULT_UNITS,
    seq_lens: Sequence[int] = DEFAULT_SEQ_LENS,
    hidden_sizes: Sequence[int] = DEFAULT_HIDDEN_SIZES,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    eval_len: int | None = None,
    max_steps: int | None = None,
    epochs: int | None = None,
    plateau_tol: float = PLATEAU_TOL,
) -> dict[str, Any]:
    """What a study run from a command records in its folder, as it starts.

    The grid takes :func:`run_study`'s defaults; ``eval_len``, ``max_steps``
    and ``epochs`` are recorded as given (None: not given). The start time
    is now; :func:`write_metadata` given ``started`` adds the end.

    Parameters
    ----------
    command : sequence of str
        The command line, as typed.
    device : str
        The torch device the study trains on.
    corpus : dict
        What the corpus is (``CorpusPoints.description``).
    units, seq_lens, hidden_sizes, seeds : sequence
        The study's grid, as :func:`run_study` takes it.
    eval_len, max_steps, epochs : int or None
        As given; None: not given.
    plateau_tol : float
        The plateau rule's tolerance.

    Returns
    -------
    metadata : dict
        The record, ready for :func:`write_metadata`.
    """
    from .._torch.registry import unit_label

    return {
        VERSION_KEY: SCHEMA_VERSION,
        "command": shlex.join(list(command)),
        "versions": _versions(),
        "device": device,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "corpus": corpus,
        "seeds": list(seeds),
        "grid": {
            "units": [unit_label(u) for u in units],
            "seq_lens": list(seq_lens),
            "hidden_sizes": list(hidden_sizes),
            "seeds": list(seeds),
            "eval_len": eval_len,
            "max_steps": max_steps,
            "epochs": epochs,
            "plateau_tol": plateau_tol,
        },
        "started": _now(),
        "finished": None,
    }


def write_metadata(
    folder: str | os.PathLike,
    metadata: dict[str, Any],
    *,
    started: float | None = None,
) -> None:
    """Write ``metadata`` as the folder's ``METADATA_NAME``.

    Parameters
    ----------
    folder : str or path-like
        The study's folder.
    metadata : dict
        The record of :func:`study_metadata`.
    started : float, default=None
        The ``time.time()`` at which the study started: marks it finished, the
        end time and the duration recorded first.
    """
    if started is not None:
        metadata.update(finished=_now(), duration_s=round(time.time() - started, 1))
    write_file(Path(folder) / METADATA_NAME, json.dumps(metadata, indent=2) + "\n")
