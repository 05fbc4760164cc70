"""Indicators on models whose memory is known: the truth, version 1, version 2.

The data is the main job's own: Zipf tokens (V = 50) on a onehot basis, the test
sequences of ``rnnmemory assess`` (the same corpus and split), cut into windows
of 40 (400 windows) or 80 (200 windows). Every model is linear in its tokens
(``sklearn_rnnmemory.testing.linear_memory_model``), so its retention of each
lag, hence its capacity and span, is known. Version 1 (the per-window
projection of the residual, withdrawn) is computed by the short reference below;
version 2 is the library's ``memory_profile`` (its retention and capacity; the
span is version 3's: every lag counted by its credit, significant or not).

    python benchmarks/known_answers.py [output.json]
"""

import json
import sys

import numpy as np
from sklearn.model_selection import train_test_split

from sklearn_rnnmemory import SemanticEuclideanSpace
from sklearn_rnnmemory._sequences import cut_windows
from sklearn_rnnmemory.datasets import load_corpus
from sklearn_rnnmemory.indicators import memory_profile
from sklearn_rnnmemory.testing import linear_memory_model, true_capacity, true_span


def version_1(points, predicted, threshold=0.5):
    """Capacity, span and token recall as version 1 defined them (sum
    composition, full windows): a_p = 1 - <S_T - S^_T, e_p - mu> / ||e_p - mu||^2
    per window, averaged over windows per lag, clipped to [0, 1] and summed."""
    T, d = points.shape[1], points.shape[2]
    mu = points.reshape(-1, d).mean(axis=0)
    residual = points.sum(axis=1) - predicted[:, -1]
    centred = points - mu
    a = 1 - np.einsum("ntd,nd->nt", centred, residual) / np.einsum(
        "ntd,ntd->nt", centred, centred
    )
    curve = a[:, ::-1].mean(axis=0)
    below = np.flatnonzero(curve < threshold)
    return {
        "capacity": float(np.clip(curve, 0, 1).sum()),
        "span": int(below[0]) if below.size else T,
        "recall": float((a >= threshold).mean()),
    }


def main_job_test_points():
    """The test sequences of the default ``rnnmemory assess``, as points."""
    sequences = load_corpus("zipf", n_sequences=1000)
    train, test = train_test_split(list(sequences), test_size=0.2, random_state=0)
    return SemanticEuclideanSpace("onehot").fit(train).transform(test)


#: name -> (retention by lag, what is output for what was forgotten, T, noise)
MODELS = {
    "keeps the last 10, outputs 0 for the rest": (np.ones(10), "zero", 40, 0),
    "keeps the last 10, outputs the expected semantics for the rest": (
        np.ones(10),
        "expected",
        40,
        0,
    ),
    "decays as 0.9^delta": (0.9 ** np.arange(80), "zero", 40, 0),
    "remembers nothing: outputs t mu (T = 40)": (np.zeros(1), "expected", 40, 0),
    "remembers nothing: outputs t mu (T = 80)": (np.zeros(1), "expected", 80, 0),
    "outputs 3x the last 10 (distorts)": (3 * np.ones(10), "zero", 40, 0),
    "outputs 0 (all-zero output)": (np.zeros(1), "zero", 40, 0),
    "keeps the last 10, noise sd 0.5 per coordinate": (np.ones(10), "zero", 40, 0.5),
    "decays as 0.9^delta, noise sd 0.5 per coordinate": (
        0.9 ** np.arange(80),
        "zero",
        40,
        0.5,
    ),
    "remembers nothing, noise sd 0.5 per coordinate (T = 80)": (
        np.zeros(1),
        "expected",
        80,
        0.5,
    ),
}


def main(path=None):
    test = main_job_test_points()
    record = []
    print(
        f"{'model':<66} {'truth':>12} {'version 1':>12} {'version 2':>12} "
        f"{'v2 interval':>16}"
    )
    for name, (rho, forgotten, T, noise) in MODELS.items():
        windows, _ = cut_windows(test, T)
        predicted = linear_memory_model(
            windows, rho, forgotten=forgotten, noise=noise, random_state=0
        )
        old = version_1(windows, predicted)
        new = memory_profile(windows, predicted)
        truth = {"capacity": true_capacity(rho, T), "span": true_span(rho, T)}
        entry = {
            "model": name,
            "window_length": T,
            "noise": noise,
            "n_windows": len(windows),
            "truth": truth,
            "version_1": old,
            "version_2": {
                "capacity": new.memory_capacity,
                "span": new.memory_span,
                "capacity_ci": list(new.memory_capacity_ci),
                "semantic_skill": new.semantic_skill,
            },
        }
        record.append(entry)
        print(
            f"{name:<66} {truth['capacity']:>6.2f} / {truth['span']:<5.2f} "
            f"{old['capacity']:>6.2f} / {old['span']:<3d} "
            f"{new.memory_capacity:>6.2f} / {new.memory_span:<5.2f} "
            f"[{new.memory_capacity_ci[0]:.2f}, {new.memory_capacity_ci[1]:.2f}]"
            + (f"  (v1 token recall {old['recall']:.2f})" if "all-zero" in name else "")
        )
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
