"""What a study's files may hold, checked as input from someone else.

A study folder may come from another machine, another version of the library
or a hand edit. Each row of ``results.jsonl`` is checked against the column
table of :mod:`._columns` (the fields of its layout version and their kinds),
and ``metadata.json`` against :data:`METADATA_LAYOUT`. What is wrong is said in
one line that names the field; the callers add the file and the line. Nothing
read is ever run: settings that name modules are only compared.
"""

import json
import math
import os
from pathlib import Path
from typing import Any

from ._columns import LIST_KINDS, ROW_FIELDS, SCHEMA_VERSION, Column

#: The key that holds the layout version, in every row and in metadata.json.
VERSION_KEY = "schema_version"

_KIND_TEXT = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "floats": "a list of numbers",
    "float_rows": "a list of lists of numbers",
    "pairs": "a list of [int, number] pairs",
    "ints": "a list of integers",
    "strs": "a list of strings",
    "str_map": "an object of strings",
}


def shown(value: Any, width: int = 40) -> str:
    """A value as JSON on one line, cut to ``width`` characters."""
    try:
        text = json.dumps(value, ensure_ascii=True, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    names: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return names.get(type(value), "value")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_or_nan(value):
    """A list item: a number, or null for NaN; raise ``TypeError`` otherwise."""
    if value is None:
        return math.nan
    if not _is_number(value):
        raise TypeError
    return value


def _decode(kind: str, value: Any) -> Any:
    """``value`` (not null) as a row holds it, or ``TypeError`` if it is not of
    ``kind``."""
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "int" and _is_int(value):
        return value
    if kind == "float" and _is_number(value):
        return value
    if kind == "bool" and isinstance(value, bool):
        return value
    if not isinstance(value, list):
        raise TypeError
    if kind == "floats":
        return [_number_or_nan(v) for v in value]
    if kind == "float_rows":
        if not all(isinstance(row, list) for row in value):
            raise TypeError
        return [[_number_or_nan(v) for v in row] for row in value]
    if kind == "pairs":
        if not all(
            isinstance(pair, list) and len(pair) == 2 and _is_int(pair[0])
            for pair in value
        ):
            raise TypeError
        return [[pair[0], _number_or_nan(pair[1])] for pair in value]
    if kind == "ints" and all(_is_int(v) for v in value):
        return value
    if kind == "strs" and all(isinstance(v, str) for v in value):
        return value
    raise TypeError


def check_field(column: Column, value: Any) -> Any:
    """A row's value of ``column``, null read as the column's missing value;
    a ValueError names the field and what it should hold."""
    if value is None:
        if not column.nullable:
            raise ValueError(f"field {column.name!r} is null; it must be set")
        return column.missing
    expected = _KIND_TEXT[column.kind]
    if column.minimum is not None:
        expected += f" >= {column.minimum}"
    try:
        value = _decode(column.kind, value)
    except TypeError:
        raise ValueError(
            f"field {column.name!r} must be {expected}; got {shown(value)}"
        ) from None
    if column.minimum is not None and value < column.minimum:
        raise ValueError(f"field {column.name!r} must be {expected}; got {value}")
    if column.choices and value not in column.choices:
        raise ValueError(
            f"field {column.name!r} must be one of {list(column.choices)}; got "
            f"{shown(value)}"
        )
    return value


def layout_version(value: Any) -> int:
    """The layout version a row or metadata.json states (1 when it states
    none); a ValueError for one that is not a version, or newer than this
    library reads."""
    if value is None:
        return 1
    if not _is_int(value) or value < 1:
        raise ValueError(
            f"field {VERSION_KEY!r} must be a positive integer; got {shown(value)}"
        )
    if value > SCHEMA_VERSION:
        from .. import __version__

        raise ValueError(
            f"written in study layout version {value}, newer than sklearn-rnnmemory "
            f"{__version__} reads (versions 1 to {SCHEMA_VERSION}); upgrade "
            "sklearn-rnnmemory to read it"
        )
    return value


def check_row(row: dict[str, Any], version: int) -> dict[str, Any]:
    """A stored row checked against the columns of layout ``version``.

    Fields the version does not hold yet are given as absent (NaN, None or an
    empty list); fields no column knows are kept as they are. The row's
    settings and version are left out.

    Raises
    ------
    ValueError
        Naming the first field that is missing or of the wrong kind.
    """
    out = {}
    for column in ROW_FIELDS:
        if column.name in row:
            out[column.name] = check_field(column, row[column.name])
        elif column.since <= version:
            raise ValueError(f"field {column.name!r} is missing")
        else:
            out[column.name] = column.missing
    for name, value in row.items():
        if name not in out and name not in ("settings", VERSION_KEY):
            out[name] = value
    return out


# -- metadata.json ----------------------------------------------------------------

#: What metadata.json holds: key -> kind, or a nested layout. Every value may
#: be null; keys it does not list are kept and not read.
METADATA_LAYOUT = {
    VERSION_KEY: "int",
    "command": "str",
    "versions": "str_map",
    "device": "str",
    "machine": "str",
    "corpus": {
        "name": "str",
        "n_train": "int",
        "n_test": "int",
        "basis": "str",
        "dim": "int",
        "vocabulary": "int",
        "encoding": "str",
    },
    "seeds": "ints",
    "grid": {
        "units": "strs",
        "seq_lens": "ints",
        "hidden_sizes": "ints",
        "seeds": "ints",
        "eval_len": "int",
        "max_steps": "int",
        "epochs": "int",
    },
    "started": "str",
    "finished": "str",
    "duration_s": "float",
}


def _check_layout(value: dict, layout: dict, prefix: str) -> dict:
    out = dict(value)
    for key, kind in layout.items():
        item = value.get(key)
        if item is None:
            continue
        name = f"{prefix}{key}"
        if isinstance(kind, dict):
            if not isinstance(item, dict):
                raise ValueError(f"{name!r} must be an object; got {shown(item)}")
            out[key] = _check_layout(item, kind, f"{name}.")
            continue
        try:
            if kind == "str_map":
                if not isinstance(item, dict) or not all(
                    isinstance(v, str) for v in item.values()
                ):
                    raise TypeError
            else:
                out[key] = _decode(kind, item)
        except TypeError:
            raise ValueError(
                f"{name!r} must be {_KIND_TEXT[kind]}; got {shown(item)}"
            ) from None
    return out


def check_metadata(metadata: Any) -> dict[str, Any]:
    """metadata.json's content checked against :data:`METADATA_LAYOUT`, with
    its layout version under :data:`VERSION_KEY` (1 when it states none)."""
    if not isinstance(metadata, dict):
        raise ValueError(
            f"holds a JSON {json_type(metadata)}, not an object of the study's metadata"
        )
    version = layout_version(metadata.get(VERSION_KEY))
    return {**_check_layout(metadata, METADATA_LAYOUT, ""), VERSION_KEY: version}


assert all(c.kind in _KIND_TEXT for c in ROW_FIELDS)
assert set(LIST_KINDS) <= set(_KIND_TEXT)


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """metadata.json read and checked; a ValueError names the file and what is
    wrong, in one line."""
    data = Path(path).read_bytes()
    try:
        metadata = json.loads(data)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start}).") from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column "
            f"{exc.colno})."
        ) from None
    try:
        return check_metadata(metadata)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}.") from None
