"""Search cost: finding the recommended training length without the full grid.

All searches look for the training length with the highest memory capacity of a
GRU, 2-fold. Compared with the full grid (every length trained for the full
budget):

- ``HalvingGridSearchCV`` with the epochs as resource: every length trained for
  a few epochs, the better half kept, the epochs doubled;
- ``HalvingGridSearchCV`` with ``max_steps`` (optimizer updates) as resource,
  against a full grid at the same number of updates for every length;
- :func:`sklearn_rnnmemory.selection.search_seq_len`: the lengths from the
  longest down at the full budget, skipping every length shorter than what the
  rule still needs (memory capacity at length ``k`` is at most ``k``).

Reported: the chosen length, wall time, and the training done (epochs, or
updates) by each.

    python benchmarks/bench_halving.py [output.json]
"""

import json
import platform
import sys
import time

import numpy as np
import torch
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, KFold

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import make_zipf_sequences
from sklearn_rnnmemory.scoring import make_memory_scorer
from sklearn_rnnmemory.selection import recommend_seq_len, search_seq_len

LENGTHS = [5, 10, 20, 40, 80]
EPOCHS = 32
STEPS = 320  # what length 40 gets from 32 epochs here


def full_grid(model, X, cv, scorer):
    start = time.perf_counter()
    grid = GridSearchCV(
        model, {"seq_len": LENGTHS}, scoring=scorer, cv=cv, refit=False
    ).fit(X)
    return grid, time.perf_counter() - start


def halving(model, X, cv, scorer, resource, min_resources, max_resources):
    start = time.perf_counter()
    search = HalvingGridSearchCV(
        model,
        {"seq_len": LENGTHS},
        scoring=scorer,
        cv=cv,
        refit=False,
        resource=resource,
        min_resources=min_resources,
        max_resources=max_resources,
        factor=2,
        random_state=0,
    ).fit(X)
    seconds = time.perf_counter() - start
    rounds = [
        sorted(
            p["seq_len"]
            for p, it in zip(
                search.cv_results_["params"], search.cv_results_["iter"], strict=True
            )
            if it == i
        )
        for i in range(search.n_iterations_)
    ]
    return {
        "resource": resource,
        "min_resources": min_resources,
        "best_seq_len": search.best_params_["seq_len"],
        "seconds": seconds,
        "training": int(
            np.sum(np.asarray(search.n_candidates_) * search.n_resources_)
            * cv.get_n_splits()
        ),
        "resources": [int(r) for r in search.n_resources_],
        "lengths_per_round": rounds,
    }


def main(path=None):
    torch.set_num_threads(2)
    tokens = make_zipf_sequences(600, 80, vocab_size=50, random_state=0)
    X = SemanticEuclideanSpace().fit_transform(tokens)
    # Each length read at its own length, as search_seq_len reads them.
    scorer = make_memory_scorer("memory_capacity", eval_len=None)
    cv = KFold(2)
    by_epochs = RecurrentMemoryRegressor(
        "gru", hidden_size=32, max_epochs=EPOCHS, random_state=0, device="cpu"
    )
    by_steps = RecurrentMemoryRegressor(
        "gru", hidden_size=32, max_steps=STEPS, random_state=0, device="cpu"
    )
    record = {
        "machine": f"{platform.machine()}, 2 torch threads",
        "torch": torch.__version__,
        "lengths": LENGTHS,
        "epochs": EPOCHS,
        "steps": STEPS,
    }

    grid, seconds = full_grid(by_epochs, X, cv, scorer)
    record["full_epochs"] = {
        "best_seq_len": recommend_seq_len(grid.cv_results_, rule="best")[None],
        "saturation_seq_len": recommend_seq_len(grid.cv_results_)[None],
        "seconds": seconds,
        "training": len(LENGTHS) * cv.get_n_splits() * EPOCHS,
        "capacity": grid.cv_results_["mean_test_score"].tolist(),
    }
    print(f"full grid, {EPOCHS} epochs: {record['full_epochs']}")
    record["halving_epochs"] = [
        halving(by_epochs, X, cv, scorer, "max_epochs", m, EPOCHS)
        for m in (4, "exhaust")
    ]
    for run in record["halving_epochs"]:
        print(f"halving over epochs: {run}")

    record["search_seq_len"] = []
    for rule in ("best", "saturation"):
        start = time.perf_counter()
        search = search_seq_len(by_epochs, X, LENGTHS, cv=cv, rule=rule)
        run = {
            "rule": rule,
            "seq_len": search.recommended,
            "seconds": time.perf_counter() - start,
            "training": search.n_fits * EPOCHS,
            "trained": [p["seq_len"] for p in search.cv_results["params"]],
            "skipped": search.skipped,
            "capacity": search.cv_results["mean_test_memory_capacity"].tolist(),
        }
        record["search_seq_len"].append(run)
        print(f"search_seq_len: {run}")

    grid, seconds = full_grid(by_steps, X, cv, scorer)
    record["full_steps"] = {
        "best_seq_len": recommend_seq_len(grid.cv_results_, rule="best")[None],
        "seconds": seconds,
        "training": len(LENGTHS) * cv.get_n_splits() * STEPS,
        "capacity": grid.cv_results_["mean_test_score"].tolist(),
    }
    print(f"full grid, {STEPS} updates: {record['full_steps']}")
    record["halving_steps"] = [
        halving(by_steps, X, cv, scorer, "max_steps", m, STEPS) for m in (20, 40)
    ]
    for run in record["halving_steps"]:
        print(f"halving over updates: {run}")
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
