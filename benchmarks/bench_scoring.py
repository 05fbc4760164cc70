"""Scoring cost: every indicator (memory_profile) against one forward pass.

The forward pass is the plain torch module over the same windows, in batches,
without gradients; the indicators are the numpy functions on the windows and the
predictions. Median of 18 runs of each (two alternating blocks of 9), in one
process.

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
from sklearn_rnnmemory.indicators import memory_profile
from sklearn_rnnmemory.indicators._profile import streamed_profile
from sklearn_rnnmemory.indicators._retention import token_statistics, token_sums


def streamed_scoring(windows, predicted):
    stats = token_statistics(token_sums(windows))
    return streamed_profile([(windows, predicted)], stats, "sum", 0.5)


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
        f"{'indicators s':>13} {'ratio':>6} {'validated s':>11} {'ratio':>6}"
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
        # What the estimator and its scorers run on the windows they cut and
        # read: token statistics in a first pass, then the streamed indicators;
        # and the public function, which validates both arrays first.
        forward_s, scoring_s, public_s = median_times(
            [
                partial(forward, module, windows, model.batch_size),
                partial(streamed_scoring, windows, predicted),
                partial(memory_profile, windows, predicted),
            ]
        )
        case = {
            "unit": unit,
            "hidden_size": hidden_size,
            "window": window,
            "n_windows": len(windows),
            "dim": windows.shape[2],
            "forward_s": forward_s,
            "indicators_s": scoring_s,
            "validated_indicators_s": public_s,
            "ratio": scoring_s / forward_s,
            "validated_ratio": public_s / forward_s,
        }
        record["cases"].append(case)
        print(
            f"{unit:>5} {hidden_size:>4} {window:>4} {len(windows):>8} "
            f"{forward_s:>10.3f} {scoring_s:>13.3f} {case['ratio']:>6.2f} "
            f"{public_s:>11.3f} {case['validated_ratio']:>6.2f}"
        )
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
