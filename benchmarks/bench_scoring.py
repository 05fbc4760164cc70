"""Scoring cost: every indicator (memory_profile) against one forward pass.

The forward pass is the plain torch module over the same windows, in batches,
without gradients; the indicators are the numpy functions on the windows and the
predictions. Median of several runs, in one process.

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


def median_time(function, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
        forward_s = median_time(partial(forward, module, windows, model.batch_size))
        # What the estimator and its scorers run on the windows they cut and
        # read: token statistics in a first pass, then the streamed indicators.
        scoring_s = median_time(partial(streamed_scoring, windows, predicted))
        # The public function, which validates both arrays first.
        public_s = median_time(partial(memory_profile, windows, predicted))
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
