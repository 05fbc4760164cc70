"""Scoring cost: every indicator against one forward pass over the same windows.

The forward pass is the plain torch module over the windows, in batches, without
gradients. Against it: ``last_step_profile`` (what the estimator runs once it
has read the windows: the retention regression at the last step, its interval
and the semantic scores), the public ``memory_profile`` (which validates both
whole trajectories first), the estimator's ``memory_profile`` end to end
(reading the windows, the indicators, and the probe of the hidden states), and
the full retention matrix (one regression per reading step). Median of 18 runs
of each (two alternating blocks of 9), in one process.

    python benchmarks/bench_scoring.py [output.json]
"""

import json
import platform
import statistics
import sys
import time
from functools import partial

import torch

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import make_zipf_sequences
from sklearn_rnnmemory.indicators import (
    last_step_profile,
    memory_profile,
    retention_matrix,
)


def forward(module, windows, batch_size):
    with torch.no_grad():
        for start in range(0, len(windows), batch_size):
            module(torch.as_tensor(windows[start : start + batch_size]))


def median_times(functions, repeats=9, blocks=2):
    """Median time of each function. Each runs ``repeats`` times in a row (warm,
    as in a scoring loop), and the blocks alternate ``blocks`` times, so that
    the shared machine's slow spells fall on all of them alike."""
    times = [[] for _ in functions]
    for _ in range(blocks):
        for function, spent in zip(functions, times, strict=True):
            for _ in range(repeats):
                start = time.perf_counter()
                function()
                spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


def main(path=None):
    torch.set_num_threads(2)
    record = {
        "machine": f"{platform.machine()}, 2 torch threads",
        "torch": torch.__version__,
        "cases": [],
    }
    print(
        f"{'unit':>5} {'H':>4} {'T':>4} {'windows':>8} {'forward s':>10} "
        f"{'last step':>10} {'public':>7} {'estimator':>10} {'matrix':>7}  "
        "(ratios to the forward pass)"
    )
    for unit, hidden_size, window in [
        ("lstm", 32, 20),
        ("lstm", 128, 20),
        ("gru", 32, 80),
        ("rnn", 128, 80),
    ]:
        tokens = make_zipf_sequences(2000, window, vocab_size=50, random_state=0)
        X = SemanticEuclideanSpace().fit_transform(tokens)
        model = RecurrentMemoryRegressor(
            unit,
            hidden_size=hidden_size,
            seq_len=window,
            max_epochs=1,
            random_state=0,
            device="cpu",
        ).fit(X[:200])
        windows, predicted = model.read_windows(X)
        module = model.net_.module_.eval()
        last = predicted[:, -1]
        forward_s, last_s, public_s, estimator_s, matrix_s = median_times(
            [
                partial(forward, module, windows, model.batch_size),
                partial(last_step_profile, windows, last),
                partial(memory_profile, windows, predicted),
                partial(model.memory_profile, X),
                partial(retention_matrix, windows, predicted),
            ],
            repeats=5 if window > 40 else 9,
        )
        case = {
            "unit": unit,
            "hidden_size": hidden_size,
            "window": window,
            "n_windows": len(windows),
            "dim": windows.shape[2],
            "forward_s": forward_s,
            "last_step_profile_s": last_s,
            "memory_profile_s": public_s,
            "estimator_memory_profile_s": estimator_s,
            "retention_matrix_s": matrix_s,
            "ratio": last_s / forward_s,
            "public_ratio": public_s / forward_s,
            "estimator_ratio": estimator_s / forward_s,
            "matrix_ratio": matrix_s / forward_s,
        }
        record["cases"].append(case)
        print(
            f"{unit:>5} {hidden_size:>4} {window:>4} {len(windows):>8} "
            f"{forward_s:>10.3f} {case['ratio']:>10.2f} {case['public_ratio']:>7.2f} "
            f"{case['estimator_ratio']:>10.2f} {case['matrix_ratio']:>7.2f}"
        )
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
