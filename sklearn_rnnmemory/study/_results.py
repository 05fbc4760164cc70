"""A finished study: its rows, their summary over seeds, and the guidance
(definitions §3.7)."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, cast

import numpy as np
import scipy.stats

from .._typing import ArrayLike
from ..selection import DEFAULT_TOL, RULES, LengthRecommendation, seq_len_guidance
from ._columns import AVERAGED_COLUMNS, BY_NAME, SCALAR_COLUMNS

if TYPE_CHECKING:  # pandas is optional
    import pandas

#: Level of the intervals over seeds.
CONFIDENCE = 0.95


def seed_interval(
    values: ArrayLike, lower: float | None = None
) -> tuple[float, float, float]:
    """Mean and 95 % t-interval of the mean over seeds; NaN values left out.

    Returns ``(mean, low, high)``; the interval is NaN with fewer than two
    finite values, and its low end is cut at ``lower`` when given.
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if values.size < 2:
        return mean, float("nan"), float("nan")
    half = scipy.stats.t.ppf((1 + CONFIDENCE) / 2, values.size - 1) * (
        values.std(ddof=1) / math.sqrt(values.size)
    )
    low = mean - half if lower is None else max(mean - half, lower)
    return mean, low, mean + half


@contextmanager
def _text_file(path_or_file: str | os.PathLike | IO[str]) -> Iterator[IO[str]]:
    """An open text file for the CSV writer: the one given, or ``path`` opened."""
    if hasattr(path_or_file, "write"):
        yield cast(IO[str], path_or_file)  # any object with write(), as csv takes
        return
    with open(path_or_file, "w", newline="") as f:
        yield f


def _group_key(row):
    return (row["unit"], row["hidden_size"], row["seq_len"])


class StudyResult:
    """The rows of a memory study, with the guidance they give.

    Parameters
    ----------
    rows : list of dict
        One row per configuration and seed (see :data:`COLUMNS`).
    settings : dict, default=None
        The study's settings, as stored with every row.
    metadata : dict, default=None
        What was run (command line, versions, device, corpus, times), when a
        folder written by ``rnnmemory assess`` was loaded.

    Attributes
    ----------
    rows : list of dict
        One row per configuration and seed, in the study's order: the
        configuration (``unit``, ``seq_len``, ``hidden_size``, ``seed``; the
        unit by what it is in ``unit_ref``), the
        evaluation length ``eval_len``, every indicator at ``eval_len``, the
        capacity at the training length, ``retention_curve``,
        ``retention_stderr`` and ``retention_matrix``, the model's size and
        cost, the training (``n_updates``, ``converged`` by the plateau rule,
        ``capacity_trajectory``: the ``[updates, validation capacity]`` pairs
        it measured, ``final_loss``, ``fit_time``), ``status`` (``"ok"`` or
        ``"failed"``) and ``error``.
    settings : dict or None
    metadata : dict or None
    """

    def __init__(
        self,
        rows: Iterable[dict[str, Any]],
        *,
        settings: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.rows = list(rows)
        self.settings = settings
        self.metadata = metadata

    # -- selections ----------------------------------------------------------

    def ok_rows(self) -> list[dict[str, Any]]:
        """Return the rows of the configurations that trained and were measured.

        Returns
        -------
        rows : list of dict
            The rows whose ``status`` is ``"ok"``.
        """
        return [row for row in self.rows if row["status"] == "ok"]

    def failed_rows(self) -> list[dict[str, Any]]:
        """Return the rows of the configurations that failed.

        Returns
        -------
        rows : list of dict
            The rows whose ``status`` is not ``"ok"``, with ``error``.
        """
        return [row for row in self.rows if row["status"] != "ok"]

    def unconverged_rows(self) -> list[dict[str, Any]]:
        """Return the rows that trained but did not reach the plateau.

        Returns
        -------
        rows : list of dict
            The successful rows whose validation capacity had not levelled off
            before the cap (the plateau rule).
        """
        return [row for row in self.ok_rows() if not row.get("converged", True)]

    # -- summary and guidance ------------------------------------------------

    def summary(self) -> list[dict[str, Any]]:
        """Mean and 95 % interval over seeds, per unit, size and length.

        Returns
        -------
        summary : list of dict
            One dict per (unit, hidden_size, seq_len) of the successful rows,
            in the study's order: ``eval_len``, ``n_seeds``, ``n_converged``,
            and for every averaged column its mean under its own name and the
            interval as ``<name>_low`` and ``<name>_high`` (NaN with one seed);
            the mean ``retention_curve``.
        """
        groups: dict[tuple, list[dict[str, Any]]] = {}
        for row in self.ok_rows():
            groups.setdefault(_group_key(row), []).append(row)
        out = []
        for (unit, hidden_size, seq_len), rows in groups.items():
            entry = {
                "unit": unit,
                "hidden_size": hidden_size,
                "seq_len": seq_len,
                "eval_len": rows[0].get("eval_len", seq_len),
                "n_seeds": len(rows),
                "n_converged": sum(bool(r.get("converged", True)) for r in rows),
            }
            for column in AVERAGED_COLUMNS:
                # .get: rows written before a column existed lack it
                mean, low, high = seed_interval(
                    [r.get(column, np.nan) for r in rows], BY_NAME[column].lower
                )
                entry[column] = mean
                entry[f"{column}_low"] = low
                entry[f"{column}_high"] = high
            curves = [r["retention_curve"] for r in rows if len(r["retention_curve"])]
            width = max((len(c) for c in curves), default=0)
            padded = [
                np.pad(
                    np.asarray(c, float), (0, width - len(c)), constant_values=np.nan
                )
                for c in curves
            ]
            with np.errstate(all="ignore"):
                entry["retention_curve"] = (
                    np.nanmean(padded, axis=0).tolist() if padded else []
                )
            out.append(entry)
        return out

    def recommendations(
        self,
        *,
        rule: str = "saturation",
        tol: float = DEFAULT_TOL,
        metric: str = "memory_capacity",
    ) -> dict[tuple[str, int], LengthRecommendation]:
        """Recommended training length per unit and hidden size.

        Parameters
        ----------
        rule : {"saturation", "best"}, default="saturation"
            See :func:`sklearn_rnnmemory.selection.recommend_seq_len`.
        tol : float, default=0.05
            Tolerance of the ``saturation`` rule.
        metric : str, default="memory_capacity"
            The column to read: by default the memory capacity at the common
            evaluation length ``eval_len``; seeds are averaged.

        Returns
        -------
        guidance : dict
            ``(unit, hidden_size)`` ->
            :class:`~sklearn_rnnmemory.selection.LengthRecommendation`, with the
            length, its mean score, and its ``stability``: the share of seeds
            whose own scores pick the same length.
        """
        if metric not in BY_NAME or BY_NAME[metric].kind not in ("int", "float"):
            raise ValueError(
                f"metric must be a numeric column of the study; got {metric!r}."
            )
        out = {}
        for hidden_size in sorted({r["hidden_size"] for r in self.rows}):
            rows = [r for r in self.ok_rows() if r["hidden_size"] == hidden_size]
            if not rows:
                continue
            cv_results = {
                "params": [
                    {
                        "unit": r["unit"],
                        "seq_len": r["seq_len"],
                        "random_state": r["seed"],
                    }
                    for r in rows
                ],
                f"mean_test_{metric}": [r.get(metric, np.nan) for r in rows],
            }
            guidance = seq_len_guidance(cv_results, metric=metric, rule=rule, tol=tol)
            for unit, found in guidance.items():
                out[(unit, hidden_size)] = found
        return out

    def recommendation_records(
        self, *, tol: float = DEFAULT_TOL, metric: str = "memory_capacity"
    ) -> list[dict[str, Any]]:
        """Return both rules' recommendations as plain records.

        Parameters
        ----------
        tol : float, default=0.05
            Tolerance of the ``saturation`` rule.
        metric : str, default="memory_capacity"
            The column to read, as in :meth:`recommendations`.

        Returns
        -------
        records : list of dict
            For JSON and reports: per unit and hidden size, each rule's length,
            stability and mean score, and ``tied``, the lengths not
            significantly below the best.
        """
        by_rule = {
            rule: self.recommendations(rule=rule, tol=tol, metric=metric)
            for rule in RULES
        }
        records = []
        for key in by_rule["saturation"]:
            unit, hidden_size = key
            record = {
                "unit": unit,
                "hidden_size": hidden_size,
                "metric": metric,
                "eval_len": self._eval_len(),
            }
            for rule in RULES:
                found = by_rule[rule].get(key)
                record[rule] = None if found is None else found.seq_len
                record[f"{rule}_stability"] = None if found is None else found.stability
                record[f"{rule}_score"] = None if found is None else found.score
            record["tied"] = list(by_rule["saturation"][key].tied)
            record["n_seeds"] = by_rule["saturation"][key].n_seeds
            records.append(record)
        return records

    def _eval_len(self):
        lengths = {r.get("eval_len") for r in self.ok_rows()}
        return lengths.pop() if len(lengths) == 1 else None

    # -- output --------------------------------------------------------------

    def table(self) -> str:
        """Return the summary as a fixed-width text table.

        The capacity is the mean over seeds with its 95 % interval; ``conv``
        counts the seeds whose validation capacity had levelled off before the
        cap.

        Returns
        -------
        table : str
            A header, then one line per unit, size and length.
        """
        columns = [
            c
            for c in ("unit", "hidden_size", "seq_len", "eval_len")
            if BY_NAME[c].label
        ]
        indicators = [c.name for c in BY_NAME.values() if c.label and c.averaged]
        header = [str(BY_NAME[c].label) for c in columns]
        header += [str(BY_NAME[indicators[0]].label), "95% over seeds"]
        header += [str(BY_NAME[c].label) for c in indicators[1:]] + ["seeds", "conv"]
        lines = [header]
        for entry in self.summary():
            cells = [format(entry[c], BY_NAME[c].fmt) for c in columns]
            first = indicators[0]
            cells.append(format(entry[first], BY_NAME[first].fmt))
            low, high = entry[f"{first}_low"], entry[f"{first}_high"]
            cells.append(f"[{low:.2f}, {high:.2f}]" if np.isfinite(low) else "-")
            cells += [
                format(entry[c], BY_NAME[c].fmt) if np.isfinite(entry[c]) else "-"
                for c in indicators[1:]
            ]
            cells += [
                str(entry["n_seeds"]),
                f"{entry['n_converged']}/{entry['n_seeds']}",
            ]
            lines.append(cells)
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        return "\n".join(
            "  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True))
            for line in lines
        )

    def to_csv(self, path: str | os.PathLike | IO[str]) -> None:
        """Write the rows as CSV: one per configuration and seed.

        Every scalar column, and beside each row the capacity's mean and 95 %
        interval over its seeds.

        Parameters
        ----------
        path : str, path-like or file-like
            A file name or an open text file.
        """
        summary = {_group_key(e): e for e in self.summary()}
        extra = ("capacity_seed_mean", "capacity_seed_low", "capacity_seed_high")
        with _text_file(path) as f:
            writer = csv.writer(f)
            writer.writerow([*SCALAR_COLUMNS, *extra])
            for row in self.rows:
                group = summary.get(_group_key(row), {})
                writer.writerow(
                    [row.get(c, "") for c in SCALAR_COLUMNS]
                    + [
                        group.get(f"memory_capacity{s}", "")
                        for s in ("", "_low", "_high")
                    ]
                )

    def summary_to_csv(self, path: str | os.PathLike | IO[str]) -> None:
        """Write the summary as CSV: one row per unit, size and length.

        Each averaged column with its mean and 95 % interval over seeds.

        Parameters
        ----------
        path : str, path-like or file-like
            A file name or an open text file.
        """
        names = ["unit", "hidden_size", "seq_len", "eval_len", "n_seeds", "n_converged"]
        for column in AVERAGED_COLUMNS:
            names += [column, f"{column}_low", f"{column}_high"]
        with _text_file(path) as f:
            writer = csv.writer(f)
            writer.writerow(names)
            for entry in self.summary():
                writer.writerow([entry[name] for name in names])

    def to_frame(self, *, summary: bool = False) -> pandas.DataFrame:
        """The rows (or the summary) as a pandas DataFrame.

        Parameters
        ----------
        summary : bool, default=False
            False: one row per configuration and seed, every scalar column.
            True: the summary, one row per unit, size and length.

        Returns
        -------
        frame : pandas.DataFrame
            One row per configuration and seed, or per unit, size and length.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "StudyResult.to_frame needs pandas: pip install pandas (or "
                "sklearn-rnnmemory[pandas])."
            ) from None
        if summary:
            return pd.DataFrame(
                [
                    {k: v for k, v in e.items() if k != "retention_curve"}
                    for e in self.summary()
                ]
            )
        return pd.DataFrame(
            [{c: row.get(c, np.nan) for c in SCALAR_COLUMNS} for row in self.rows],
            columns=list(SCALAR_COLUMNS),
        )

    def __repr__(self):
        ok = len(self.ok_rows())
        units = list(dict.fromkeys(r["unit"] for r in self.rows))
        lengths = sorted({r["seq_len"] for r in self.rows})
        seeds = sorted({r["seed"] for r in self.rows})
        eval_len = self._eval_len()
        return (
            f"StudyResult({len(self.rows)} rows: {ok} ok, {len(self.rows) - ok} "
            f"failed; units {', '.join(map(str, units))}; lengths "
            f"{', '.join(map(str, lengths))}; seeds {', '.join(map(str, seeds))}"
            + (f"; eval_len {eval_len}" if eval_len is not None else "")
            + ")"
        )
