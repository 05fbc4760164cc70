"""Where a study's rows live: a JSON-lines file, locked while it is written.

Each finished row is appended, flushed and synced at once, so that a study that
stops (killed, interrupted, a machine lost) resumes where it stopped. Settings
are stored as typed JSON and compared as values on resume; every row states
its layout version. While a study writes a results file it holds an exclusive
lock on it: a second study on the same file is refused instead of interleaving
with the first or deleting its rows. Reading checks every line as a row of one
study (:func:`parse_rows`), the same for resuming, loading and reporting.
"""

import hashlib
import json
import math
import os
import warnings
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ._columns import CONFIG_COLUMNS, SCHEMA_VERSION
from ._folder import check_writable, open_file
from ._schema import VERSION_KEY, check_row, json_type, layout_version, shown

fcntl: ModuleType | None
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


def _encode_nan(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_encode_nan(v) for v in value]
    return value


def row_to_json(row: dict[str, Any]) -> str:
    """One row as a line of JSON; NaN as null."""
    return json.dumps({k: _encode_nan(v) for k, v in row.items()})


def describe_change(
    stored: Any, current: Any, hints: dict[str, str] | None = None
) -> list[str]:
    """What differs between two studies' settings, one phrase per setting
    (the estimator's parameters by their own names); ``hints`` adds a note to
    a setting's phrase, formatted with its stored value as ``old``."""
    if not (isinstance(stored, dict) and isinstance(current, dict)):
        return [f"the settings changed from {shown(stored)} to {shown(current)}"]
    changes = []
    for name in sorted(stored.keys() | current.keys()):
        old, new = stored.get(name, _ABSENT), current.get(name, _ABSENT)
        if old == new:
            continue
        if name == "data":
            changes.append(
                "the data changed (the sequences differ from those the stored rows "
                "were measured on)"
            )
        elif name == "estimator_params" and isinstance(old, dict):
            new = new if isinstance(new, dict) else {}
            changes += describe_change(old, new, hints)
        else:
            old = "unset" if old is _ABSENT else shown(old)
            new = "unset" if new is _ABSENT else shown(new)
            change = f"{name} changed from {old} to {new}"
            if hints and name in hints:
                change += f" ({hints[name].format(old=old)})"
            changes.append(change)
    return changes


_ABSENT = object()


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
    check_writable(path)
    if resume and overwrite:
        raise ValueError("resume and overwrite exclude each other; choose one.")
    if path.exists() and path.stat().st_size > 0 and not (resume or overwrite):
        raise ValueError(
            f"results_file {path} already holds results; resume them with "
            "resume=True, or replace them with overwrite=True."
        )


@dataclass
class StoredRows:
    """The rows of a results file, checked.

    Attributes
    ----------
    rows : list of dict
        The rows, as :func:`._schema.check_row` gives them.
    lines : list of int
        The line number of each row.
    settings : dict or None
        The settings every row carries (None without rows).
    version : int or None
        The layout version every row has (None without rows).
    good_end : int
        Bytes of the file up to the end of its last whole row.
    torn_line : int or None
        The number of a last line that was cut off while being written.
    unterminated : bool
        Whether the last row is whole but lacks its line end.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    settings: dict[str, Any] | None = None
    version: int | None = None
    good_end: int = 0
    torn_line: int | None = None
    unterminated: bool = False


def _config_text(row):
    return ", ".join(f"{c} {row[c]}" for c in CONFIG_COLUMNS)


def parse_rows(data: bytes, path: str | os.PathLike) -> StoredRows:
    """Check every line of a results file's content as a row of one study.

    A last line that does not parse as JSON and lacks its line end was cut off
    while being written: it is reported in ``torn_line``, not refused. Blank
    lines are skipped. Everything else that is not a complete, well-typed row
    of the same study, each configuration once, is refused in one line naming
    the file and the line.
    """
    out = StoredRows()
    seen: dict[Any, int] = {}
    offset = 0
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        start, offset = offset, offset + len(line)
        where = f"{path}, line {number}"
        terminated = line.endswith((b"\n", b"\r"))
        if not line.strip():
            out.good_end = offset
            continue
        try:
            row = json.loads(line.rstrip(b"\r\n"))  # columns within the line
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"{where}: not UTF-8 text (byte {start + exc.start} of the file)."
            ) from None
        except ValueError as exc:
            if not terminated:
                out.torn_line = number
                break
            message = getattr(exc, "msg", str(exc))
            column = getattr(exc, "colno", None)
            at = f" at column {column}" if column else ""
            raise ValueError(f"{where}: not valid JSON ({message}{at}).") from None
        if not isinstance(row, dict):
            raise ValueError(
                f"{where}: a JSON {json_type(row)} where a row (a JSON object) belongs."
            )
        try:
            version = layout_version(row.get(VERSION_KEY))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}.") from None
        settings = row.get("settings")
        if not isinstance(settings, dict):
            raise ValueError(
                f"{where}: field 'settings' is missing or not an object; every row "
                "of a study carries its settings."
            )
        if out.version is not None and version != out.version:
            raise ValueError(
                f"{where}: a row of study layout version {version}, and line "
                f"{out.lines[0]} of version {out.version}; a results file holds one "
                "version."
            )
        if out.settings is not None and settings != out.settings:
            changes = "; ".join(describe_change(out.settings, settings)[:3])
            raise ValueError(
                f"{where}: a row of another study than line {out.lines[0]}'s "
                f"({changes}); a results file holds one study."
            )
        try:
            row = check_row(row, version)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}.") from None
        study_len = settings.get("eval_len")
        if isinstance(study_len, int) and row["eval_len"] != study_len:
            raise ValueError(
                f"{where}: eval_len {row['eval_len']} differs from the study's "
                f"eval_len {study_len} in its settings."
            )
        key = tuple(row[c] for c in CONFIG_COLUMNS)
        if key in seen:
            raise ValueError(
                f"{where}: the same configuration as line {seen[key]} "
                f"({_config_text(row)}); each configuration is run once, so one of "
                "them is a copy."
            )
        seen[key] = number
        out.rows.append(row)
        out.lines.append(number)
        out.settings, out.version = settings, version
        out.good_end = offset
        out.unterminated = not terminated
    return out


class ResultsFile:
    """An open, exclusively locked JSON-lines results file.

    Parameters
    ----------
    path : Path
        The file; created if missing. A link is refused.
    settings : dict
        The study's settings; every row written carries them, and every row
        read on resume must hold the same.
    """

    def __init__(self, path: Path, settings: dict[str, Any]) -> None:
        self.path = path
        self.settings = settings
        fd = open_file(path, os.O_RDWR | os.O_CREAT)
        self._file = open(fd, "r+b")  # noqa: SIM115 - held until close()
        if fcntl is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                raise ValueError(
                    f"results_file {path} is being written by another study right "
                    "now; wait for it to finish or choose another file."
                ) from None

    def read(
        self,
        unit_refs: dict[str, str] | None = None,
        hints: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """The rows already in the file, checked as rows of this study.

        A last line cut off while being written is cut from the file (its
        configuration runs again); a whole last row without its line end gets
        one.

        Parameters
        ----------
        unit_refs : dict, default=None
            This study's units: label -> :func:`unit_reference`. A stored row
            of a unit of the same label that is another unit is refused.
        hints : dict, default=None
            Notes on changed settings, as :func:`describe_change` takes them.
        """
        self._file.seek(0)
        stored = parse_rows(self._file.read(), self.path)
        where = f"results_file {self.path}"
        if stored.rows and stored.version != SCHEMA_VERSION:
            raise ValueError(
                f"{where} holds rows of study layout version {stored.version}, "
                f"and this sklearn-rnnmemory writes version {SCHEMA_VERSION}; one "
                "file cannot hold both: finish the study with the version that "
                "started it, or start it again with overwrite or in another file."
            )
        if stored.rows and stored.settings != self.settings:
            changes = describe_change(stored.settings, self.settings, hints)
            raise ValueError(
                f"{where} holds rows of a study with other settings: "
                f"{'; '.join(changes[:3])}. "
                "Resume it with the same settings and data, or choose another file."
            )
        for row, line in zip(stored.rows, stored.lines, strict=True):
            ref = (unit_refs or {}).get(row["unit"])
            if ref is not None and ref != row["unit_ref"]:
                raise ValueError(
                    f"{where}, line {line}: the rows of {row['unit']!r} there are of "
                    f"{row['unit_ref']}, and {row['unit']!r} of this study is {ref}; "
                    "one name cannot stand for two units in a study: rename one, "
                    "or choose another file."
                )
        if stored.torn_line is not None:
            warnings.warn(
                f"{where}: line {stored.torn_line} was cut off while being written "
                "(the run stopped there); it is dropped and its configuration runs "
                "again.",
                UserWarning,
                stacklevel=3,
            )
            self._file.truncate(stored.good_end)
        elif stored.unterminated:
            self._file.seek(0, os.SEEK_END)
            self._file.write(b"\n")
            self._file.flush()
        return stored.rows

    def clear(self) -> None:
        """Drop every row (``overwrite``)."""
        self._file.truncate(0)

    def append(self, row: dict[str, Any]) -> None:
        """Write one row and make sure it is on disk."""
        self._file.seek(0, os.SEEK_END)
        line = row_to_json(
            {**row, "settings": self.settings, VERSION_KEY: SCHEMA_VERSION}
        )
        self._file.write((line + "\n").encode())
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()  # closing releases the lock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_rows(path: str | os.PathLike) -> StoredRows:
    """Every row of a results file, checked; nothing is changed.

    A last line cut off while being written is left out with a warning.
    """
    with open(path, "rb") as f:
        stored = parse_rows(f.read(), path)
    if stored.torn_line is not None:
        warnings.warn(
            f"{path}: line {stored.torn_line} was cut off while being written (the "
            "run stopped there); it is left out.",
            UserWarning,
            stacklevel=3,
        )
    return stored
