"""Check the CUDA path end to end and compare its speed with the CPU.

On a machine with a CUDA device:

    python benchmarks/gpu_check.py [output.json]

For every unit it fits, predicts and scores a RecurrentMemoryRegressor with
device="cuda" and with device="cpu" on the same data and seed, runs a
GridSearchCV over two training lengths with n_jobs=1 on the GPU, trains three
seeds of rnn, lstm and gru stacked (``StackedSeeds``) against three separate
fits on the GPU, and prints the fit times, their ratios and the memory
capacities. The record goes to a JSON file.
"""

import json
import sys
import time

import numpy as np
import torch
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory._torch.registry import UNITS
from sklearn_rnnmemory._torch.stacked_seeds import StackedSeeds
from sklearn_rnnmemory.datasets import make_zipf_sequences
from sklearn_rnnmemory.scoring import memory_scorers


def timed_fit(unit, device, X):
    model = RecurrentMemoryRegressor(
        unit,
        hidden_size=128,
        seq_len=40,
        max_epochs=5,
        batch_size=128,
        random_state=0,
        device=device,
    )
    start = time.perf_counter()
    model.fit(X)
    if device == "cuda":
        torch.cuda.synchronize()
    return model, time.perf_counter() - start


def main(path=None):
    if not torch.cuda.is_available():
        sys.exit("gpu_check: no CUDA device here.")
    card = torch.cuda.get_device_name(0)
    tokens = make_zipf_sequences(4000, 80, vocab_size=50, random_state=0)
    X = SemanticEuclideanSpace().fit_transform(tokens)
    train, test = X[:3200], X[3200:]
    record = {"card": card, "torch": torch.__version__, "units": {}}
    print(f"CUDA device: {card}")
    for unit in UNITS:
        gpu, gpu_time = timed_fit(unit, "cuda", train)
        cpu, cpu_time = timed_fit(unit, "cpu", train)
        assert gpu.device_ == "cuda" and gpu.predict(test).shape == test.shape
        scores = {name: s(gpu, test) for name, s in memory_scorers().items()}
        assert all(np.isfinite(v) for v in scores.values())
        record["units"][unit] = {
            "fit_s_cuda": gpu_time,
            "fit_s_cpu": cpu_time,
            "cpu_over_cuda": cpu_time / gpu_time,
            "capacity_cuda": scores["memory_capacity"],
            "capacity_cpu": cpu.score(test),
        }
        print(
            f"{unit:>5}: fit {gpu_time:6.2f} s on CUDA, {cpu_time:6.2f} s on CPU "
            f"({cpu_time / gpu_time:4.1f}x); capacity {scores['memory_capacity']:.2f}"
            f" (CUDA) vs {cpu.score(test):.2f} (CPU) of 40"
        )
    start = time.perf_counter()
    search = GridSearchCV(
        RecurrentMemoryRegressor(
            "lstm", hidden_size=64, max_epochs=3, device="cuda", random_state=0
        ),
        {"seq_len": [10, 40]},
        scoring=memory_scorers(),
        refit="memory_capacity",
        cv=KFold(2),
        n_jobs=1,
    ).fit(train)
    record["grid_search_s"] = time.perf_counter() - start
    record["grid_search_best"] = search.best_params_
    print(
        f"GridSearchCV (n_jobs=1, CUDA): {record['grid_search_s']:.1f} s, best "
        f"{search.best_params_}"
    )
    record["stacked"] = stacked_against_separate(train, test)
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


def stacked_against_separate(train, test, updates=300):
    """Three seeds stacked against three separate fits, on the GPU."""
    params = {"hidden_size": 32, "seq_len": 40, "batch_size": 32, "device": "cuda"}
    record = {}
    for unit in ("rnn", "lstm", "gru"):
        torch.cuda.synchronize()
        start = time.perf_counter()
        stack = StackedSeeds(unit, [0, 1, 2], train, **params)
        stack.advance(updates)
        torch.cuda.synchronize()
        stacked_s = time.perf_counter() - start
        stacked = [stack.fitted(seed) for seed in (0, 1, 2)]
        start = time.perf_counter()
        separate = [
            RecurrentMemoryRegressor(
                unit, random_state=seed, max_steps=updates, **params
            ).fit(train)
            for seed in (0, 1, 2)
        ]
        torch.cuda.synchronize()
        separate_s = time.perf_counter() - start
        assert all(m.device_.startswith("cuda") for m in stacked + separate)
        record[unit] = {
            "updates": updates,
            "stacked_s": stacked_s,
            "separate_s": separate_s,
            "stacked_over_separate": stacked_s / separate_s,
            "capacity_stacked": [m.score(test) for m in stacked],
            "capacity_separate": [m.score(test) for m in separate],
        }
        print(
            f"{unit:>5}: 3 seeds x {updates} updates, stacked {stacked_s:6.2f} s, "
            f"separate {separate_s:6.2f} s ({stacked_s / separate_s:4.2f}); "
            f"capacity {np.mean(record[unit]['capacity_stacked']):.2f} stacked, "
            f"{np.mean(record[unit]['capacity_separate']):.2f} separate, of 40"
        )
    return record


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
