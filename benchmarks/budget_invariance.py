"""Does the default study's guidance survive more training?

Three checks on a finished default study (``rnnmemory assess``, read from
``--folder``, run there first when it is not finished):

1. **Twice the updates.** Every configuration trained at ``k = 80``, and every
   configuration of a length in its unit's tied set, is trained again from
   scratch with the plateau rule off for twice the updates its row used (the
   same seed, training sequences and validation share, so the first half of
   the run is the row's own model), then measured on the same test windows.
   Reported: each retrained capacity against the row's, and the
   recommendations with the retrained rows in place of the originals.
2. **Half the tolerance.** The default study under ``plateau_tol`` halved: a
   stricter rule never stops earlier, and training up to a checkpoint is the
   fixed budget's, so every row that trained to the cap is the same under it;
   the rows that levelled off are trained again from scratch under the halved
   tolerance (same seed, data and validation share). Its recommendations.
3. **At the plateau.** The share of the default study's rows whose rule
   levelled off before the cap.

Resumable: retrained rows are appended to ``budget_invariance.jsonl`` and
``half_tol.jsonl`` in the folder as they finish, and a rerun trains only the
missing ones. Writes
``benchmarks/results/budget_invariance.json``; ``--rst`` prints the tables of
docs/user_guide.rst from it.

Usage::

    python benchmarks/budget_invariance.py [--folder DIR] [--n-jobs 2] [--rst]
"""

import argparse
import json
import math
import platform
from functools import partial
from pathlib import Path

from joblib import Parallel, delayed

from sklearn_rnnmemory import PlateauStopping
from sklearn_rnnmemory.cli import main
from sklearn_rnnmemory.study import StudyResult, corpus_points, load_study
from sklearn_rnnmemory.study._configuration import run_configuration
from sklearn_rnnmemory.study._run import (
    DEFAULT_BATCH_SIZE,
    VALIDATION_SEED,
    learning_rates,
)

RESULTS = Path(__file__).resolve().parent / "results" / "budget_invariance.json"
KEY = ("unit", "seq_len", "hidden_size", "seed")


def _finished(folder):
    metadata = folder / "metadata.json"
    return metadata.exists() and json.loads(metadata.read_text()).get("finished")


def _study(folder, n_jobs, extra=()):
    if not _finished(folder):
        argv = ["assess", *extra, "--n-jobs", str(n_jobs), "--no-progress"]
        argv += ["--output", str(folder)]
        argv += ["--resume"] if (folder / "results.jsonl").exists() else []
        if main(argv) != 0:
            raise SystemExit(f"the study in {folder} failed")
    return load_study(folder)


def _retrain(row, data, plateau_fraction, max_steps, tol):
    """The row's configuration trained again: for ``max_steps`` updates, or
    fewer where the plateau rule of tolerance ``tol`` stops it (0: never)."""
    X_train, X_test = data
    L = row["eval_len"]
    params = {
        "batch_size": DEFAULT_BATCH_SIZE,
        "device": "cpu",
        "lr": learning_rates([row["unit"]], {})[row["unit"]],
        "max_steps": max_steps,
        # the same validation share as the study's
        "plateau": PlateauStopping(
            L,
            tol=tol,
            validation_fraction=plateau_fraction,
            random_state=VALIDATION_SEED,
        ),
    }
    config = tuple(row[k] for k in KEY)
    return run_configuration(config, (X_train, None), (X_test, None), params, L, 0.5)


def _retrained(store, rows, n_jobs, task):
    """``rows`` trained again by ``task(row)``, read back from ``store`` where
    they are there already; the missing ones appended to it as they finish."""
    done = {}
    if store.exists():
        for line in store.read_text().splitlines():
            row = json.loads(line)
            done[tuple(row[k] for k in KEY)] = row
    todo = [r for r in rows if tuple(r[k] for k in KEY) not in done]
    tasks = (delayed(task)(r) for r in todo)
    with store.open("a") as out:
        for row in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks):
            out.write(json.dumps(row) + "\n")
            out.flush()
            done[tuple(row[k] for k in KEY)] = row
    return done


def _retrain_twice(row, data, fraction):
    return _retrain(row, data, fraction, 2 * row["n_updates"], 0.0)


def _retrain_half(row, data, fraction, cap, tol):
    return _retrain(row, data, fraction, cap, tol)


def _records(study):
    return {
        r["unit"]: {
            "saturation": r["saturation"],
            "best": r["best"],
            "tied": r["tied"],
            "stability": r["saturation_stability"],
        }
        for r in study.recommendation_records()
    }


def _capacities(study):
    return {
        f"{e['unit']}@{e['seq_len']}": round(e["memory_capacity"], 2)
        for e in study.summary()
    }


def run(folder, n_jobs):
    study = _study(folder, n_jobs)
    settings = study.metadata or {}
    plateau = study.settings["estimator_params"]["plateau"]["params"]
    fraction = plateau["validation_fraction"]
    tol = plateau["tol"]
    records = _records(study)
    chosen = [
        r
        for r in study.ok_rows()
        if r["seq_len"] == 80 or r["seq_len"] in records[r["unit"]]["tied"]
    ]
    points = corpus_points()
    data = (points.X_train, points.X_test)
    cap = study.settings["estimator_params"]["max_steps"]
    done = _retrained(
        folder / "budget_invariance.jsonl",
        chosen,
        n_jobs,
        partial(_retrain_twice, data=data, fraction=fraction),
    )
    moves = []
    replaced = {tuple(r[k] for k in KEY): r for r in study.rows}
    for r in chosen:
        again = done[tuple(r[k] for k in KEY)]
        replaced[tuple(r[k] for k in KEY)] = again
        change = (again["memory_capacity"] - r["memory_capacity"]) / max(
            abs(r["memory_capacity"]), 1e-12
        )
        moves.append(
            {
                **{k: r[k] for k in KEY},
                "n_updates": r["n_updates"],
                "capacity": round(r["memory_capacity"], 2),
                "retrained_updates": again["n_updates"],
                "retrained_capacity": round(again["memory_capacity"], 2),
                "change": round(change, 4),
            }
        )
    doubled = StudyResult(
        [replaced[tuple(r[k] for k in KEY)] for r in study.rows],
        settings=study.settings,
    )
    levelled = [r for r in study.ok_rows() if r["converged"]]
    again = _retrained(
        folder / "half_tol.jsonl",
        levelled,
        n_jobs,
        partial(_retrain_half, data=data, fraction=fraction, cap=cap, tol=tol / 2),
    )
    half = StudyResult(
        [again.get(tuple(r[k] for k in KEY), r) for r in study.rows],
        settings=study.settings,
    )
    half_moves = [
        {
            **{k: r[k] for k in KEY},
            "n_updates": r["n_updates"],
            "capacity": round(r["memory_capacity"], 2),
            "half_tol_updates": again[tuple(r[k] for k in KEY)]["n_updates"],
            "half_tol_capacity": round(
                again[tuple(r[k] for k in KEY)]["memory_capacity"], 2
            ),
        }
        for r in levelled
    ]
    ok = study.ok_rows()
    result = {
        "machine": f"{platform.machine()}, {settings.get('machine', '')}",
        "default": {
            "recommendations": records,
            "capacity": _capacities(study),
            "at_plateau": sum(bool(r["converged"]) for r in ok),
            "rows": len(ok),
            "duration_s": settings.get("duration_s"),
        },
        "doubled": {
            "recommendations": _records(doubled),
            "capacity": _capacities(doubled),
            "retrained": moves,
            "largest_change": max((abs(m["change"]) for m in moves), default=math.nan),
        },
        "half_tol": {
            "tol": tol / 2,
            "recommendations": _records(half),
            "capacity": _capacities(half),
            "at_plateau": sum(bool(r["converged"]) for r in half.ok_rows()),
            "rows": len(half.ok_rows()),
            "retrained": half_moves,
        },
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


def _tied(entry):
    return ", ".join(str(k) for k in entry["tied"])


def rst(result):
    """The tables of docs/user_guide.rst."""
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - setting",
    ]
    units = list(result["default"]["recommendations"])
    lines += [f"     - {u}" for u in units]
    lines += ["     - at the plateau"]
    for name, label in (
        ("default", "default study"),
        ("doubled", "tied and k = 80 rows at twice their updates"),
        ("half_tol", f"plateau_tol {result['half_tol']['tol']:g}"),
    ):
        entry = result[name]
        lines.append(f"   * - {label}")
        for u in units:
            rec = entry["recommendations"][u]
            lines.append(
                f"     - {rec['saturation']} (tied: {_tied(rec)}; "
                f"stability {100 * rec['stability']:.0f} %)"
            )
        if "at_plateau" in entry:
            lines.append(f"     - {entry['at_plateau']} of {entry['rows']}")
        else:
            lines.append("     - (rule off)")
    tables = (
        (
            "at twice the updates",
            result["doubled"]["retrained"],
            "retrained",
            lambda m: [f"     - {100 * m['change']:+.1f} %"],
        ),
        (
            f"at plateau_tol {result['half_tol']['tol']:g}",
            result["half_tol"]["retrained"],
            "half_tol",
            lambda m: [],
        ),
    )
    for title, moves, prefix, extra in tables:
        change = ["     - change"] if prefix == "retrained" else []
        lines += ["", ".. list-table::", "   :header-rows: 1", ""]
        lines += ["   * - unit", "     - k", "     - seed", "     - updates"]
        lines += ["     - capacity", f"     - {title}", *change]
        for m in moves:
            lines += [
                f"   * - {m['unit']}",
                f"     - {m['seq_len']}",
                f"     - {m['seed']}",
                f"     - {m['n_updates']:,} -> {m[prefix + '_updates']:,}",
                f"     - {m['capacity']:.2f}",
                f"     - {m[prefix + '_capacity']:.2f}",
                *extra(m),
            ]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("assess-default"))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--rst", action="store_true", help="print the tables")
    options = parser.parse_args()
    if options.rst:
        print(rst(json.loads(RESULTS.read_text())))
    else:
        print(json.dumps(run(options.folder, options.n_jobs), indent=2))
