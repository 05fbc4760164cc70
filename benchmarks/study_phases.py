"""Where a study's time goes, phase by phase.

Reads a finished ``rnnmemory assess`` folder and times what its rows do not
record, in this process and in fresh ones:

- training, plateau checks and test measurements: summed from the rows
  (``fit_time`` less ``check_time``, ``check_time``, ``measure_time``), in
  seconds of the workers' time;
- the run's wall time: ``duration_s`` of metadata.json (from the data being
  ready to the last row);
- process start-up: ``rnnmemory --help`` and the import of the command line in
  a fresh interpreter, and the making of the default corpus's points;
- the report and figures: ``rnnmemory report FOLDER`` in a fresh process.

Usage::

    python benchmarks/study_phases.py FOLDER [--json OUT]
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from sklearn_rnnmemory.study import load_study


def _seconds(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def phases(folder):
    study = load_study(folder)
    rows = study.ok_rows()
    fit = sum(r["fit_time"] for r in rows)
    check = sum(r["check_time"] for r in rows)
    measure = sum(r["measure_time"] for r in rows)
    python = sys.executable
    making = (
        "import time; from sklearn_rnnmemory.cli import build_parser, _points; "
        "s = time.perf_counter(); _points(build_parser().parse_args(['assess'])); "
        "print(time.perf_counter() - s)"
    )
    points = float(
        subprocess.run(
            [python, "-c", making], check=True, capture_output=True, text=True
        ).stdout
    )
    return {
        "folder": str(folder),
        "machine": (study.metadata or {}).get("machine"),
        "wall_s": (study.metadata or {}).get("duration_s"),
        "worker_s": {
            "training": round(fit - check, 1),
            "plateau_checks": round(check, 1),
            "test_measurements": round(measure, 1),
        },
        "updates": sum(r["n_updates"] for r in rows),
        "at_plateau": sum(bool(r["converged"]) for r in rows),
        "rows": len(rows),
        "start_up_s": {
            "help": round(
                _seconds([python, "-m", "sklearn_rnnmemory.cli", "--help"]), 2
            ),
            "import": round(
                _seconds([python, "-c", "import sklearn_rnnmemory.cli"]), 2
            ),
            "corpus_points": round(points, 2),
        },
        "report_s": round(
            _seconds([python, "-m", "sklearn_rnnmemory.cli", "report", str(folder)]), 2
        ),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    result = phases(options.folder)
    text = json.dumps(result, indent=2)
    print(text)
    if options.json:
        options.json.write_text(text + "\n")
