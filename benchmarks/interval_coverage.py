"""Coverage of ``memory_capacity_ci`` and bias of the capacity, by simulation.

The battery of definitions §3.4b, fully crossed: models of known capacity on
the main job's kind of data (Zipf tokens, V = 50, onehot points), each read
through Gaussian output noise, at three numbers of windows. Each repeat draws
new windows and new noise, measures the capacity with its 95 % interval, and
checks whether the interval holds the true capacity. A cell whose windows are
below the indicators' floor is refused, and counted as such.

Models (``T`` the window length):

- keep-m: the last m tokens kept whole, the rest forgotten (output 0 for them);
- s x keep-m: the last m tokens kept with weight s (1.2: over-response; 0.95:
  nearly but not fully kept, so that snapping lags to 1 cannot pass);
- decay 0.9: token delta steps back kept with weight 0.9^delta;
- memoryless: the expected semantics ``T mu`` whatever the window;
- tanh(a S_10) / a: elementwise tanh of the sum of the last 10 points, a
  saturating nonlinear model; its truth is its population least-squares
  retention, ``r = E[<y - Ey, e_0 - mu>] / E||e_0 - mu||^2`` on each of the
  last 10 lags and 0 beyond, computed exactly from the tokens' binomial counts.

Seeds are fixed: repeat r uses corpus seed 1000 + r and noise seed r.

    python benchmarks/interval_coverage.py [repeats] [output.json]
"""

import json
import sys
import time

import numpy as np
from scipy.stats import binom

from sklearn_rnnmemory.datasets import make_zipf_sequences
from sklearn_rnnmemory.indicators import last_step_profile
from sklearn_rnnmemory.testing import true_capacity

VOCAB = 50
NOISE = (0.1, 0.5, 1.5)
WINDOWS = (30, 200, 400)


def _keep(m, T, weight=1.0):
    rho = np.zeros(T)
    rho[:m] = weight
    return rho


#: name -> (T, retention by lag, or ("tanh", a))
MODELS = {
    "keep-3": (40, _keep(3, 40)),
    "keep-10": (40, _keep(10, 40)),
    "keep-25": (40, _keep(25, 40)),
    "keep-40": (40, _keep(40, 40)),
    "decay 0.9": (40, 0.9 ** np.arange(40)),
    "1.2 x keep-10": (40, _keep(10, 40, 1.2)),
    "0.95 x keep-40": (40, _keep(40, 40, 0.95)),
    "memoryless, T = 40": (40, np.zeros(40)),
    "tanh(0.5 S_10) / 0.5": (40, ("tanh", 0.5)),
    "tanh(2 S_10) / 2": (40, ("tanh", 2.0)),
    "keep-60, T = 80": (80, _keep(60, 80)),
    "0.7 x keep-10, T = 80": (80, _keep(10, 80, 0.7)),
    "memoryless, T = 80": (80, np.zeros(80)),
}


def _zipf_probabilities():
    weights = 1.0 / np.arange(1, VOCAB + 1)
    return weights / weights.sum()


def tanh_retention(a, m=10):
    """Population least-squares retention of ``tanh(a S_m) / a`` on each of
    its ``m`` lags, from the binomial counts of each token."""
    p = _zipf_probabilities()
    covariance = 0.0
    for pv in p:
        before = np.arange(m)  # the other m - 1 tokens' count of token v
        with_it = pv * np.sum(binom.pmf(before, m - 1, pv) * np.tanh(a * (1 + before)))
        counts = np.arange(m + 1)
        mean = np.sum(binom.pmf(counts, m, pv) * np.tanh(a * counts))
        covariance += (with_it - mean * pv) / a
    return covariance / (1.0 - np.sum(p**2))


def retention_of(model):
    T, spec = MODELS[model]
    if isinstance(spec, tuple):
        rho = np.zeros(T)
        rho[:10] = tanh_retention(spec[1])
        return rho
    return spec


def last_output(model, points):
    """The model's point at the windows' last step, noise-free."""
    T, spec = MODELS[model]
    if isinstance(spec, tuple):
        a = spec[1]
        return np.tanh(a * points[:, -10:].sum(axis=1)) / a
    output = np.einsum("t,ntd->nd", spec[::-1], points)
    if model.startswith("memoryless"):
        output += T * points.reshape(-1, VOCAB).mean(axis=0)
    return output


def cell(model, n_windows, noise, repeats):
    T = MODELS[model][0]
    truth = true_capacity(retention_of(model), T)
    found, refused = [], 0
    start = time.perf_counter()
    for repeat in range(repeats):
        tokens = make_zipf_sequences(
            n_windows, T, vocab_size=VOCAB, random_state=1000 + repeat
        )
        points = np.eye(VOCAB)[tokens]
        rng = np.random.default_rng(repeat)
        predicted = last_output(model, points)
        predicted = predicted + noise * rng.standard_normal(predicted.shape)
        try:
            profile = last_step_profile(points, predicted, random_state=repeat)
        except ValueError:
            refused += 1
            continue
        se = np.nanmean(profile.retention_stderr)
        found.append((profile.memory_capacity, *profile.memory_capacity_ci, se))
    seconds = time.perf_counter() - start
    entry = {
        "model": model,
        "window_length": T,
        "n_windows": n_windows,
        "noise": noise,
        "truth": truth,
        "repeats": repeats,
        "refused": refused,
        "seconds": seconds,
    }
    if found:
        values = np.array(found)
        covered = (values[:, 1] <= truth + 1e-9) & (truth - 1e-9 <= values[:, 2])
        holds = (values[:, 1] <= values[:, 0]) & (values[:, 0] <= values[:, 2])
        entry.update(
            coverage=float(covered.mean()),
            low_misses=float((values[:, 1] > truth + 1e-9).mean()),
            high_misses=float((values[:, 2] < truth - 1e-9).mean()),
            holds_estimate=float(holds.mean()),
            mean_capacity=float(values[:, 0].mean()),
            bias=float(values[:, 0].mean() - truth),
            bias_share_of_T=float((values[:, 0].mean() - truth) / T),
            sd_capacity=float(values[:, 0].std(ddof=1)),
            mean_width=float((values[:, 2] - values[:, 1]).mean()),
            mean_stderr=float(values[:, 3].mean()),
        )
    return entry


def main(repeats=200, path=None):
    record = []
    print(
        f"{'model':<24} {'N':>4} {'noise':>5} {'truth':>6} {'se':>6} {'bias':>7} "
        f"{'width':>6} {'coverage':>8}"
    )
    for model in MODELS:
        for n_windows in WINDOWS:
            for noise in NOISE:
                entry = cell(model, n_windows, noise, repeats)
                record.append(entry)
                if entry["refused"] == repeats:
                    line = "refused (below the floor)"
                else:
                    line = (
                        f"{entry['mean_stderr']:>6.3f} {entry['bias']:>+7.2f} "
                        f"{entry['mean_width']:>6.2f} {entry['coverage']:>8.3f}"
                    )
                print(
                    f"{model:<24} {n_windows:>4} {noise:>5} {entry['truth']:>6.2f} "
                    f"{line}",
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
