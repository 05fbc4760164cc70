"""A study's folder as a product: tables, guidance, figures and ``report.md``.

Everything here is rebuilt from the rows (and the metadata when there is any),
without training: ``rnnmemory assess`` writes it at the end of a run and
``rnnmemory report DIR`` writes it again from a finished folder.
"""

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .._plateau import PlateauRule
from ..selection import DEFAULT_TOL, MIN_PAIRS, TIE_LEVEL
from ._columns import BY_NAME, REPORTED_COLUMNS
from ._results import CONFIDENCE, StudyResult

FIGURES = {
    "capacity_vs_length.png": "Memory capacity against training length",
    "retention_curves.png": "Retention curves",
    "retention_matrix.png": "Retention matrix of the configuration with most memory",
}


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


def _what_was_run(result):
    metadata = result.metadata or {}
    settings = result.settings or {}
    lines = []
    if "command" in metadata:
        lines.append(f"- Command: `{metadata['command']}`")
    corpus = metadata.get("corpus")
    if corpus:
        lines.append(
            f"- Corpus: {corpus.get('name')} ({corpus.get('n_train')} training and "
            f"{corpus.get('n_test')} test {corpus.get('kind', 'sequences')}, basis "
            f"{corpus.get('basis')}, "
            f"{corpus.get('dim')} dimensions, {corpus.get('vocabulary')} tokens)"
        )
    if "device" in metadata:
        lines.append(f"- Device: {metadata['device']} ({metadata.get('machine', '')})")
    if "versions" in metadata:
        versions = ", ".join(f"{k} {v}" for k, v in metadata["versions"].items())
        lines.append(f"- Versions: {versions}")
    if "started" in metadata:
        lines.append(
            f"- Started {metadata['started']}, finished {metadata.get('finished', '–')}"
            + (f" ({metadata['duration_s']:.0f} s)" if "duration_s" in metadata else "")
        )
    seeds = sorted({row["seed"] for row in result.rows})
    lines.append(f"- Seeds: {', '.join(map(str, seeds))}")
    params = settings.get("estimator_params") or {}
    if params:
        shown = ", ".join(f"{k}={json.dumps(v)}" for k, v in sorted(params.items()))
        lines.append(f"- Estimator settings: {shown}")
    rates = settings.get("learning_rates") or {}
    if rates:
        shown = ", ".join(f"{unit} {rate:g}" for unit, rate in rates.items())
        lines.append(f"- Learning rates: {shown}")
    if "eval_len" in settings:
        lines.append(f"- Evaluation length L: {settings['eval_len']}")
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
            r["unit"],
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
                e["unit"],
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
            f"- {r['unit']} k={r['seq_len']} H={r['hidden_size']} seed={r['seed']}: "
            f"{r['error']}"
            for r in failed
        ]
        parts.append("")
    unconverged = result.unconverged_rows()
    rule = plateau_rule(result)
    if unconverged and rule is not None and rule.tol == 0:
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
            f"- {r['unit']} k={r['seq_len']} H={r['hidden_size']} seed={r['seed']} "
            f"({r['n_updates']} updates; validation capacity "
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


def write_report(
    result: StudyResult, folder: Path, *, tol: float = DEFAULT_TOL
) -> list[str]:
    """Write a study's tables, guidance, figures and report into ``folder``.

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

    result.to_csv(folder / "results.csv")
    result.summary_to_csv(folder / "summary.csv")
    records = result.recommendation_records(tol=tol)
    (folder / "recommendations.json").write_text(json.dumps(records, indent=2) + "\n")
    written = ["results.csv", "summary.csv", "recommendations.json"]
    figures = []
    ok = result.ok_rows()
    if ok:
        plot_capacity_vs_length(result, folder / "capacity_vs_length.png", tol=tol)
        plot_retention_curves(result, folder / "retention_curves.png")
        strongest = max(ok, key=lambda row: row["memory_capacity"])
        plot_retention_matrix(strongest, folder / "retention_matrix.png")
        figures = list(FIGURES)
    (folder / "report.md").write_text(report_markdown(result, figures, tol=tol))
    return written + figures + ["report.md"]
