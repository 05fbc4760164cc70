"""Where a study's rows live: a JSON-lines file, locked while it is written.

Each finished row is appended, flushed and synced at once, so that a study that
stops (killed, interrupted, a machine lost) resumes where it stopped. Settings
are stored as typed JSON and compared as values on resume. While a study writes
a results file it holds an exclusive lock on it: a second study on the same
file is refused instead of interleaving with the first or deleting its rows.
"""

import hashlib
import json
import math
import os
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


def fingerprint(*arrays: np.ndarray) -> str:
    """A short hash of arrays' shapes and bytes: the data a study ran on."""
    digest = hashlib.blake2b(digest_size=8)
    for array in arrays:
        digest.update(str(array.shape).encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _qualified_name(obj):
    return f"{obj.__module__}.{obj.__qualname__}"


def encode_setting(value: Any, name: str = "estimator_params") -> Any:
    """A setting as typed JSON, comparable by value.

    Plain values stay as they are; a class or function becomes its qualified
    name; an object with ``get_params`` (a skorch callback, an estimator)
    becomes its class and parameters, so that two equal callbacks compare
    equal whatever their address in memory.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        value = float(value)
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, list | tuple):
        return [encode_setting(v, f"{name}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {str(k): encode_setting(v, f"{name}[{k!r}]") for k, v in value.items()}
    if isinstance(value, type):
        return {"class": _qualified_name(value)}
    if hasattr(value, "get_params"):
        params = value.get_params(deep=False)
        return {
            "object": _qualified_name(type(value)),
            "params": encode_setting(params, f"{name}.params"),
        }
    if callable(value) and hasattr(value, "__qualname__"):
        return {"function": _qualified_name(value)}
    raise ValueError(
        f"{name} holds {value!r}, which a study cannot store or compare on resume; "
        "use plain values, classes, functions or objects with get_params."
    )


def decode_none(value: Any) -> Any:
    """JSON null back to NaN, in scalars and lists."""
    if value is None:
        return float("nan")
    if isinstance(value, list):
        return [decode_none(v) for v in value]
    return value


def _encode_nan(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_encode_nan(v) for v in value]
    return value


def row_to_json(row: dict[str, Any]) -> str:
    """One row as a line of JSON; NaN as null."""
    return json.dumps({k: _encode_nan(v) for k, v in row.items()})


def check_results_file(path: Path, *, resume: bool, overwrite: bool) -> None:
    """Refuse a results path that cannot be written or would lose rows.

    Called before anything is trained or written.
    """
    if path.is_dir():
        raise ValueError(f"results_file {path} is a directory; give a file name.")
    if not path.parent.is_dir():
        raise ValueError(
            f"results_file {path}: the folder {path.parent} does not exist."
        )
    if resume and overwrite:
        raise ValueError("resume and overwrite exclude each other; choose one.")
    if path.exists() and path.stat().st_size > 0 and not (resume or overwrite):
        raise ValueError(
            f"results_file {path} already holds results; resume them with "
            "resume=True, or replace them with overwrite=True."
        )


class ResultsFile:
    """An open, exclusively locked JSON-lines results file.

    Parameters
    ----------
    path : Path
        The file; created if missing.
    settings : dict
        The study's settings; every row written carries them, and every row
        read on resume must hold the same.
    """

    def __init__(self, path: Path, settings: dict[str, Any]) -> None:
        self.path = path
        self.settings = settings
        self._file = open(path, "a+b")  # noqa: SIM115 - held until close()
        if fcntl is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                raise ValueError(
                    f"results_file {path} is being written by another study right "
                    "now; wait for it to finish or choose another file."
                ) from None

    def read(self) -> list[dict[str, Any]]:
        """The rows already in the file; a torn last line is cut off."""
        self._file.seek(0)
        data = self._file.read()
        rows, good_end = [], 0
        for number, line in enumerate(data.splitlines(keepends=True), start=1):
            try:
                if not line.endswith(b"\n"):
                    raise ValueError("no line end")
                row = json.loads(line)
            except ValueError:
                if good_end + len(line) == len(data):
                    break  # the last line was being written when the run stopped
                raise ValueError(
                    f"Results file {self.path} has a corrupt line {number}; it "
                    "cannot be resumed."
                ) from None
            if row.get("settings") != self.settings:
                raise ValueError(
                    f"Results file {self.path} holds rows of a study with other "
                    f"settings or data (line {number}); resume it with the same "
                    "ones, or choose another file."
                )
            rows.append({k: decode_none(v) for k, v in row.items() if k != "settings"})
            good_end += len(line)
        if good_end < len(data):
            self._file.truncate(good_end)
        return rows

    def clear(self) -> None:
        """Drop every row (``overwrite``)."""
        self._file.truncate(0)

    def append(self, row: dict[str, Any]) -> None:
        """Write one row and make sure it is on disk."""
        self._file.seek(0, os.SEEK_END)
        self._file.write(
            (row_to_json({**row, "settings": self.settings}) + "\n").encode()
        )
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()  # closing releases the lock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_rows(path: str | os.PathLike) -> tuple[list[dict[str, Any]], Any]:
    """Every row of a results file, NaN restored, and the settings of its first
    row; nothing is checked or changed."""
    rows, settings = [], None
    with open(path, "rb") as f:
        for line in f:
            if not line.endswith(b"\n"):
                break  # a torn last line
            row = json.loads(line)
            if settings is None:
                settings = row.get("settings")
            rows.append({k: decode_none(v) for k, v in row.items() if k != "settings"})
    return rows, settings
