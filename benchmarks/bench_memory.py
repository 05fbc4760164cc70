"""Peak memory of scoring 20,000 windows of length 200 with d = 64.

Run in a fresh process: it builds the test set (float32, 1.02 GB by itself),
fits a small model on a few sequences, then measures every indicator with
``memory_profile``, which streams the windows in chunks. Peak resident memory
comes from ``getrusage``.

    python benchmarks/bench_memory.py [output.json]
"""

import json
import resource
import sys
import time

import numpy as np


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(path=None):
    from sklearn_rnnmemory import RecurrentMemoryRegressor

    n, T, d = 20000, 200, 64
    X = np.random.default_rng(0).standard_normal((n, T, d), dtype=np.float32)
    model = RecurrentMemoryRegressor(
        "lstm", hidden_size=32, seq_len=T, max_epochs=1, random_state=0, device="cpu"
    ).fit(X[:256])
    before = peak_mb()
    start = time.perf_counter()
    profile = model.memory_profile(X)
    seconds = time.perf_counter() - start
    after = peak_mb()
    record = {
        "windows": n,
        "length": T,
        "dim": d,
        "input_mb": X.nbytes / 2**20,
        "peak_before_scoring_mb": before,
        "peak_mb": after,
        "scoring_s": seconds,
        "memory_capacity": profile.memory_capacity,
    }
    print(
        f"X: {X.nbytes / 2**20:.0f} MB; peak before scoring {before:.0f} MB, "
        f"after {after:.0f} MB; scoring took {seconds:.1f} s"
    )
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
