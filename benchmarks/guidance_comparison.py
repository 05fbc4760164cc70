"""Does the default study's guidance survive a doubled budget and the other composition?

Runs ``rnnmemory assess`` with its defaults four times, changing one thing at a
time: the training budget (``--max-steps``: the default and twice the default)
and the composition (``sum``, the default, and ``mean``). A study folder that
already holds a finished study is read instead of run again. Writes
``benchmarks/results/guidance_comparison.json`` and prints, per setting, the
recommended training length of each unit under both rules with its stability
over seeds, the capacity at the evaluation length per training length (mean and
95 % interval over seeds), the configurations that had not levelled off, and
the wall time.

Usage::

    python benchmarks/guidance_comparison.py [--folder DIR] [--n-jobs 2]
"""

import argparse
import json
import platform
from pathlib import Path

from sklearn_rnnmemory.cli import main
from sklearn_rnnmemory.study import DEFAULT_MAX_STEPS, load_study

RESULTS = Path(__file__).resolve().parent / "results" / "guidance_comparison.json"
SETTINGS = [
    ("sum", DEFAULT_MAX_STEPS),
    ("sum", 2 * DEFAULT_MAX_STEPS),
    ("mean", DEFAULT_MAX_STEPS),
    ("mean", 2 * DEFAULT_MAX_STEPS),
]


def _finished(folder):
    metadata = folder / "metadata.json"
    return metadata.exists() and json.loads(metadata.read_text()).get("finished")


def _study(folder, composition, max_steps, n_jobs):
    if not _finished(folder):
        argv = ["assess", "--composition", composition, "--max-steps", str(max_steps)]
        argv += ["--n-jobs", str(n_jobs), "--no-progress", "--output", str(folder)]
        argv += ["--resume"] if (folder / "results.jsonl").exists() else []
        if main(argv) != 0:
            raise SystemExit(f"the study in {folder} failed")
    return load_study(folder)


def _summary(study):
    metadata = study.metadata or {}
    capacity = {
        f"{e['unit']}@{e['seq_len']}": [
            round(e["memory_capacity"], 2),
            round(e["memory_capacity_low"], 2),
            round(e["memory_capacity_high"], 2),
        ]
        for e in study.summary()
    }
    unconverged = [
        f"{r['unit']}@{r['seq_len']}/seed {r['seed']}"
        for r in study.ok_rows()
        if not r["converged"]
    ]
    return {
        "recommendations": study.recommendation_records(),
        "capacity_at_eval_len": capacity,
        "unconverged": unconverged,
        "n_rows": len(study.rows),
        "duration_s": metadata.get("duration_s"),
        "machine": metadata.get("machine"),
    }


def _line(name, summary):
    picks = ", ".join(
        f"{r['unit']} {r['saturation']} ({r['saturation_stability']:.0%}) / "
        f"{r['best']} ({r['best_stability']:.0%})"
        for r in summary["recommendations"]
    )
    return (
        f"| {name} | {picks} | {len(summary['unconverged'])}/{summary['n_rows']} "
        f"| {summary['duration_s']} |"
    )


def run(folder, n_jobs):
    folder.mkdir(parents=True, exist_ok=True)
    out = {"machine": platform.platform(), "processor": platform.processor()}
    for composition, max_steps in SETTINGS:
        name = f"{composition}, {max_steps} updates"
        study = _study(
            folder / f"{composition}{max_steps}", composition, max_steps, n_jobs
        )
        out[name] = _summary(study)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n")
    header = "saturation (stability) / best (stability)"
    print(f"| setting | {header} | not levelled off | wall s |")
    print("|---|---|---|---|")
    for composition, max_steps in SETTINGS:
        name = f"{composition}, {max_steps} updates"
        print(_line(name, out[name]))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("guidance-comparison"))
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    run(args.folder, args.n_jobs)
