"""Parallel study: 12 configurations with n_jobs=2 against n_jobs=1.

Both runs train and score the same configurations (3 units x 4 training
lengths) in one process, one after the other; the rows must be identical, and
the speed-up is the ratio of wall times.

    python benchmarks/bench_parallel.py [output.json]
"""

import json
import os
import platform
import sys
import time

from sklearn_rnnmemory import SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import make_zipf_sequences
from sklearn_rnnmemory.study import run_study
from sklearn_rnnmemory.study._columns import TIMING_COLUMNS


def comparable(rows):
    return [
        json.dumps({k: v for k, v in r.items() if k not in TIMING_COLUMNS})
        for r in rows
    ]


def main(path=None):
    tokens = make_zipf_sequences(600, 40, vocab_size=50, random_state=0)
    X = SemanticEuclideanSpace().fit_transform(tokens)
    options = {
        "units": ["rnn", "lstm", "gru"],
        "seq_lens": [5, 10, 20, 40],
        "hidden_sizes": [32],
        "estimator_params": {"max_epochs": 10, "device": "cpu"},
        "progress": False,
    }
    # Warm the worker pool and the imports, so both runs start alike.
    for n_jobs in (1, 2):
        run_study(X[:60], X[60:80], **{**options, "seq_lens": [5]}, n_jobs=n_jobs)
    times, rows = {}, {}
    for n_jobs in (1, 2):
        start = time.perf_counter()
        rows[n_jobs] = run_study(X[:480], X[480:], n_jobs=n_jobs, **options).rows
        times[n_jobs] = time.perf_counter() - start
    identical = comparable(rows[1]) == comparable(rows[2])
    record = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "configurations": len(rows[1]),
        "serial_s": times[1],
        "parallel_s": times[2],
        "speedup": times[1] / times[2],
        "identical_rows": identical,
    }
    print(
        f"{len(rows[1])} configurations: n_jobs=1 {times[1]:.1f} s, n_jobs=2 "
        f"{times[2]:.1f} s, speed-up {times[1] / times[2]:.2f}x, identical rows: "
        f"{identical}"
    )
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
