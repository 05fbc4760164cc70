"""A study's folder as a product: tables, guidance, figures and ``report.md``.

Everything here is rebuilt from the rows (and the metadata when there is any),
without training: ``rnnmemory assess`` writes it at the end of a run and
``rnnmemory report DIR`` writes it again from a finished folder. Names and
text from the rows and the metadata (units, corpus, command, errors) come from
someone else's files: they enter ``report.md`` escaped, as plain text.
"""

import io
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .._plateau_rule import PlateauRule
from ..selection import DEFAULT_TOL, MIN_PAIRS, TIE_LEVEL
from ._columns import BY_NAME, REPORTED_COLUMNS
from ._folder import check_all_writable, write_file
from ._results import CONFIDENCE, StudyResult

FIGURES = {
    "capacity_vs_length.png": "Memory capacity against training length",
    "retention_curves.png": "Retention curves",
    "retention_matrix.png": "Retention matrix of the configuration with most memory",
}


#: Every file the report writes, in the order it writes them.
REPORT_FILES = (
    "results.csv",
    "summary.csv",
    "recommendations.json",
    *FIGURES,
    "report.md",
)

# What markdown, HTML or math would read inline: escaped with a backslash.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~&])")


def _text(value) -> str:
    """A value from a study's files as plain markdown text, on one line."""
    return _INLINE_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _code(value) -> str:
    """A value as an inline code span, on one line, whatever backticks it
    holds."""
    text = " ".join(str(value).split())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _number(value, fmt=".2f"):
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return format(value, fmt)


def _stability(value):
    return "–" if value is None else f"{value:.0%}"


def _markdown_table(header, lines):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(cell) for cell in line) + " |" for line in lines]
    return "\n".join(out)


def plateau_rule(result: StudyResult) -> PlateauRule | None:
    """The plateau rule the study trained under, from its settings; None for
    a study without one."""
    params = (result.settings or {}).get("estimator_params") or {}
    plateau = params.get("plateau")
    if not isinstance(plateau, dict) or "params" not in plateau:
        return None
    options = plateau["params"]
    if params.get("max_steps") is None:
        return None  # capped by passes: the cap differs by length
    return PlateauRule(
        params["max_steps"],
        tol=options["tol"],
        first_round=options["first_round"],
        min_updates=options["min_updates"],
    )


def unsettled_rows(result: StudyResult) -> list[dict]:
    """The rows of configurations that stopped at the cap before levelling off.

    None where the plateau rule was off (tol 0: every configuration trained to
    the cap, as asked).

    Parameters
    ----------
    result : StudyResult
        A study (finished or not).

    Returns
    -------
    rows : list of dict
        Those rows, in the order of ``result.rows``.
    """
    rule = plateau_rule(result)
    if rule is not None and rule.tol == 0:
        return []
    return result.unconverged_rows()


def _what_was_run(result):
    metadata = result.metadata or {}
    settings = result.settings or {}
    lines = []
    if metadata.get("command"):
        lines.append(f"- Command: {_code(metadata['command'])}")
    corpus = metadata.get("corpus")
    if corpus:
        lines.append(
            f"- Corpus: {_text(corpus.get('name'))} ({corpus.get('n_train')} "
            f"training and {corpus.get('n_test')} test "
            f"{_text(corpus.get('kind', 'sequences'))}, basis "
            f"{_text(corpus.get('basis'))}, {corpus.get('dim')} dimensions, "
            f"{corpus.get('vocabulary')} tokens)"
        )
    if metadata.get("device"):
        machine = metadata.get("machine") or ""
        lines.append(f"- Device: {_text(metadata['device'])} ({_text(machine)})")
    if metadata.get("versions"):
        versions = ", ".join(
            f"{_text(k)} {_text(v)}" for k, v in metadata["versions"].items()
        )
        lines.append(f"- Versions: {versions}")
    if metadata.get("started"):
        duration = metadata.get("duration_s")
        lines.append(
            f"- Started {_text(metadata['started'])}, finished "
            f"{_text(metadata.get('finished') or '–')}"
            + (f" ({duration:.0f} s)" if duration is not None else "")
        )
    seeds = sorted({row["seed"] for row in result.rows})
    lines.append(f"- Seeds: {', '.join(map(str, seeds))}")
    params = settings.get("estimator_params") or {}
    if isinstance(params, dict) and params:
        shown = ", ".join(
            f"{_text(k)}={_text(json.dumps(v))}" for k, v in sorted(params.items())
        )
        lines.append(f"- Estimator settings: {shown}")
    rates = settings.get("learning_rates") or {}
    if rates:
        shown = ", ".join(f"{unit} {rate:g}" for unit, rate in rates.items())
        lines.append(f"- Learning rates: {shown}")
    if "eval_len" in settings:
        lines.append(f"- Evaluation length L: {_text(settings['eval_len'])}")
    rule = plateau_rule(result)
    if rule is not None:
        lines.append(f"- Training: {rule.describe()}")
    return "\n".join(lines)


def _guidance_section(records, eval_len):
    header = [
        "unit",
        "hidden",
        "recommended k (saturation)",
        "tied",
        "stability",
        "best k",
        "stability",
        f"capacity at L = {eval_len}",
    ]
    lines = [
        [
            _text(r["unit"]),
            r["hidden_size"],
            _number(r["saturation"], "d"),
            ", ".join(map(str, r.get("tied", []))) or "–",
            _stability(r["saturation_stability"]),
            _number(r["best"], "d"),
            _stability(r["best_stability"]),
            _number(r["best_score"]),
        ]
        for r in records
    ]
    return _markdown_table(header, lines)


def _summary_section(result):
    # The capacity first, with its interval over seeds; then the others.
    first, *others = REPORTED_COLUMNS
    header = ["unit", "hidden", "k", "L", BY_NAME[first].label]
    header += [f"{CONFIDENCE:.0%} over seeds"]
    header += [BY_NAME[n].label for n in others] + ["seeds", "converged"]
    lines = []
    for e in result.summary():
        low, high = e[f"{first}_low"], e[f"{first}_high"]
        interval = f"[{_number(low)}, {_number(high)}]" if np.isfinite(low) else "–"
        lines.append(
            [
                _text(e["unit"]),
                e["hidden_size"],
                e["seq_len"],
                e["eval_len"],
                _number(e[first]),
                interval,
            ]
            + [_number(e[n]) for n in others]
            + [e["n_seeds"], f"{e['n_converged']}/{e['n_seeds']}"]
        )
    return _markdown_table(header, lines)


def report_markdown(
    result: StudyResult, figures: Sequence[str] = (), *, tol: float = DEFAULT_TOL
) -> str:
    """The text of ``report.md`` for a study."""
    records = result.recommendation_records(tol=tol)
    eval_len = result._eval_len()
    parts = [
        "# Memory assessment",
        "",
        "## What was run",
        "",
        _what_was_run(result),
        "",
    ]
    parts += ["## Recommended training lengths", ""]
    if records:
        parts += [
            _guidance_section(records, eval_len),
            "",
            f"What the recommendation means: every model, whatever its training "
            f"length k, is measured on windows of the same length L = {eval_len}, "
            "each trained until its memory capacity at L on held-out validation "
            "sequences levelled off (or to the cap). *tied* are the lengths whose "
            "mean capacity is not significantly below the best k's (a one-sided "
            f"paired t-test over seeds at {TIE_LEVEL:.0%}; with fewer than "
            f"{MIN_PAIRS} seeds every length is tied): between them the data "
            "cannot choose. *saturation* is the shortest tied k whose mean "
            f"capacity is within {tol:.0%} of the best k's; *best* is the k with "
            "the highest mean. *stability* is the share of seeds whose own "
            "results, read alone, pick the same k: a low stability means the "
            "seeds disagree and the choice between those lengths matters little.",
            "",
        ]
    else:
        parts += ["No configuration finished: there is no recommendation.", ""]
    failed = result.failed_rows()
    if failed:
        parts += ["## Failed configurations", ""]
        parts += [
            f"- {_text(r['unit'])} k={r['seq_len']} H={r['hidden_size']} "
            f"seed={r['seed']}: {_text(r['error'])}"
            for r in failed
        ]
        parts.append("")
    unconverged = result.unconverged_rows()
    rule = plateau_rule(result)
    if unconverged and rule is not None and not unsettled_rows(result):
        parts += [
            "## Training",
            "",
            f"The plateau rule was off: every configuration trained to the cap "
            f"of {rule.max_steps:,} updates.",
            "",
        ]
    elif unconverged:
        parts += [
            "## Configurations that had not levelled off",
            "",
            "Their memory capacity at L on the validation sequences still moved "
            "by the tolerance or more over the last two rounds when training "
            "stopped at the cap; a higher cap (`--max-steps`) may change their "
            "numbers.",
            "",
        ]
        parts += [
            f"- {_text(r['unit'])} k={r['seq_len']} H={r['hidden_size']} "
            f"seed={r['seed']} ({_number(r['n_updates'], 'd')} updates; validation "
            "capacity "
            + ", ".join(
                f"{c:.1f}" for _, c in (r.get("capacity_trajectory") or [])[-3:]
            )
            + " at the last checkpoints)"
            for r in unconverged
        ]
        parts.append("")
    if result.ok_rows():
        parts += ["## Memory by training length", "", _summary_section(result), ""]
    for name in figures:
        parts += [f"![{FIGURES[name]}]({name})", ""]
    return "\n".join(parts)


def _plottable_matrix(row):
    try:
        matrix = np.asarray(row["retention_matrix"], dtype=float)
    except ValueError:  # rows of unequal length
        return False
    return matrix.ndim == 2 and bool(np.isfinite(matrix).any())


def _png(draw, *args, **kwargs) -> bytes:
    """A figure drawn by ``draw(..., path=buffer)`` as PNG bytes."""
    buffer = io.BytesIO()
    draw(*args, buffer, **kwargs)
    return buffer.getvalue()


def write_report(
    result: StudyResult, folder: Path, *, tol: float = DEFAULT_TOL
) -> list[str]:
    """Write a study's tables, guidance, figures and report into ``folder``.

    Every file is checked before the first is written: a file of
    ``REPORT_FILES`` that is a link (that would write outside the folder)
    is refused, and nothing is written.

    Parameters
    ----------
    result : StudyResult
        A study (finished or not).
    folder : path
        An existing folder.
    tol : float, default=0.05
        Tolerance of the ``saturation`` rule.

    Returns
    -------
    written : list of str
        The names of the files written.
    """
    from ..plots import (
        plot_capacity_vs_length,
        plot_retention_curves,
        plot_retention_matrix,
    )

    folder = Path(folder)
    check_all_writable(folder, REPORT_FILES)
    for name, write in (
        ("results.csv", result.to_csv),
        ("summary.csv", result.summary_to_csv),
    ):
        text = io.StringIO()
        write(text)
        write_file(folder / name, text.getvalue())
    records = result.recommendation_records(tol=tol)
    write_file(folder / "recommendations.json", json.dumps(records, indent=2) + "\n")
    written = ["results.csv", "summary.csv", "recommendations.json"]
    figures = {}
    ok = result.ok_rows()
    if ok:
        figures["capacity_vs_length.png"] = _png(
            plot_capacity_vs_length, result, tol=tol
        )
        figures["retention_curves.png"] = _png(plot_retention_curves, result)
        matrices = [row for row in ok if _plottable_matrix(row)]
        if matrices:
            strongest = max(
                matrices,
                key=lambda row: np.nan_to_num(row["memory_capacity"], nan=-np.inf),
            )
            figures["retention_matrix.png"] = _png(plot_retention_matrix, strongest)
    for name, png in figures.items():
        write_file(folder / name, png)
    write_file(folder / "report.md", report_markdown(result, list(figures), tol=tol))
    return written + list(figures) + ["report.md"]
