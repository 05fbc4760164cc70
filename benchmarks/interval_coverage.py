"""Coverage of ``memory_capacity_ci``, measured by simulation.

Noisy models of known capacity on the main job's kind of data (Zipf tokens,
V = 50, onehot points): each repeat draws new windows and new Gaussian output
noise, measures the capacity with its 95 % interval, and checks whether the
interval holds the true capacity. Also the chance capacity of a noisy model that
remembers nothing. Seeds are fixed: repeat r uses corpus seed 1000 + r and noise
seed r.

    python benchmarks/interval_coverage.py [repeats] [output.json]
"""

import json
import sys
import time

import numpy as np

from sklearn_rnnmemory.datasets import make_zipf_sequences
from sklearn_rnnmemory.indicators import memory_profile
from sklearn_rnnmemory.testing import linear_memory_model, true_capacity

SHAPES = ((400, 40), (200, 80))  # (windows, T): the main job's test windows
NOISE = (0.1, 0.5, 1.5)
MODELS = {
    "keeps the last 10": (np.ones(10), "zero"),
    "decays as 0.9^delta": (0.9 ** np.arange(80), "zero"),
    "remembers nothing": (np.zeros(1), "expected"),
}


def main(repeats=200, path=None):
    record = []
    print(
        f"{'model':<20} {'windows':>7} {'T':>3} {'noise':>5} {'truth':>6} "
        f"{'mean':>6} {'sd':>6} {'width':>6} {'coverage':>8}"
    )
    for n_windows, T in SHAPES:
        for noise in NOISE:
            found = {name: [] for name in MODELS}
            start = time.perf_counter()
            for repeat in range(repeats):
                tokens = make_zipf_sequences(
                    n_windows, T, vocab_size=50, random_state=1000 + repeat
                )
                points = np.eye(50)[tokens]
                for name, (rho, forgotten) in MODELS.items():
                    predicted = linear_memory_model(
                        points,
                        rho,
                        forgotten=forgotten,
                        noise=noise,
                        random_state=repeat,
                    )
                    profile = memory_profile(points, predicted, random_state=repeat)
                    found[name].append(
                        (profile.memory_capacity, *profile.memory_capacity_ci)
                    )
            seconds = time.perf_counter() - start
            for name, (rho, _) in MODELS.items():
                values = np.array(found[name])
                truth = true_capacity(rho, T)
                covered = (values[:, 1] <= truth + 1e-9) & (
                    truth - 1e-9 <= values[:, 2]
                )
                entry = {
                    "model": name,
                    "n_windows": n_windows,
                    "window_length": T,
                    "noise": noise,
                    "truth": truth,
                    "mean_capacity": float(values[:, 0].mean()),
                    "sd_capacity": float(values[:, 0].std(ddof=1)),
                    "max_capacity": float(values[:, 0].max()),
                    "mean_width": float((values[:, 2] - values[:, 1]).mean()),
                    "coverage": float(covered.mean()),
                    "repeats": repeats,
                    "seconds": seconds,
                }
                record.append(entry)
                print(
                    f"{name:<20} {n_windows:>7} {T:>3} {noise:>5} {truth:>6.2f} "
                    f"{entry['mean_capacity']:>6.2f} {entry['sd_capacity']:>6.3f} "
                    f"{entry['mean_width']:>6.2f} {entry['coverage']:>8.3f}",
                    flush=True,
                )
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 200,
        sys.argv[2] if len(sys.argv) > 2 else None,
    )
