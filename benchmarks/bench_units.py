"""Training throughput of every unit against ``nn.LSTM`` at the same hidden size.

``RecurrentMemoryRegressor.fit`` on the same windows, epochs and batch size for
each unit; median of 3 runs, interleaved; throughput in windows per second.

    python benchmarks/bench_units.py [output.json]
"""

import json
import statistics
import sys
import time

import numpy as np
import torch

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory._torch.registry import UNITS

N_WINDOWS, WINDOW, DIM, EPOCHS = 2048, 20, 16, 2


def fit_seconds(unit, hidden_size, X):
    start = time.perf_counter()
    RecurrentMemoryRegressor(
        unit,
        hidden_size=hidden_size,
        seq_len=WINDOW,
        max_epochs=EPOCHS,
        random_state=0,
        device="cpu",
    ).fit(X)
    return time.perf_counter() - start


def main(path=None):
    torch.set_num_threads(2)
    X = np.random.default_rng(0).normal(size=(N_WINDOWS, WINDOW, DIM))
    X = X.astype(np.float32)
    fit_seconds("lstm", 8, X[:64])
    record = {
        "windows": N_WINDOWS,
        "window": WINDOW,
        "dim": DIM,
        "epochs": EPOCHS,
        "cases": [],
    }
    for hidden_size in (32, 128):
        times = {unit: [] for unit in UNITS}
        for _ in range(3):
            for unit in UNITS:
                times[unit].append(fit_seconds(unit, hidden_size, X))
        lstm = statistics.median(times["lstm"])
        for unit in UNITS:
            seconds = statistics.median(times[unit])
            case = {
                "unit": unit,
                "hidden_size": hidden_size,
                "fit_s": seconds,
                "windows_per_s": N_WINDOWS * EPOCHS / seconds,
                "time_vs_lstm": seconds / lstm,
            }
            record["cases"].append(case)
            print(
                f"{unit:>8} H={hidden_size:>3}: {seconds:6.2f} s, "
                f"{case['windows_per_s']:8.0f} windows/s, "
                f"{case['time_vs_lstm']:5.2f}x the LSTM's time"
            )
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
