"""Search cost: successive halving over training lengths against the full grid.

Both searches look for the training length with the highest memory capacity of
a GRU. The full grid trains every length for the full epoch budget;
``HalvingGridSearchCV`` trains all lengths for a few epochs, keeps the better
half, and doubles the epochs. Reported: the chosen length and the wall time and
total epochs trained by each.

    python benchmarks/bench_halving.py [output.json]
"""

import json
import sys
import time

import numpy as np
import torch
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, KFold

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import make_zipf_sequences
from sklearn_rnnmemory.scoring import make_memory_scorer
from sklearn_rnnmemory.selection import recommend_seq_len

LENGTHS = [5, 10, 20, 40, 80]
EPOCHS = 32


def main(path=None):
    torch.set_num_threads(2)
    tokens = make_zipf_sequences(600, 80, vocab_size=50, random_state=0)
    X = SemanticEuclideanSpace().fit_transform(tokens)
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=32, max_epochs=EPOCHS, random_state=0, device="cpu"
    )
    scorer = make_memory_scorer("memory_capacity")
    cv = KFold(2)

    start = time.perf_counter()
    full = GridSearchCV(
        model, {"seq_len": LENGTHS}, scoring=scorer, cv=cv, refit=False
    ).fit(X)
    full_s = time.perf_counter() - start
    full_best = recommend_seq_len(full.cv_results_, metric="score", rule="best")[None]
    full_epochs = len(LENGTHS) * cv.get_n_splits() * EPOCHS

    record = {
        "lengths": LENGTHS,
        "epochs": EPOCHS,
        "full": {
            "best_seq_len": full_best,
            "seconds": full_s,
            "epochs": full_epochs,
            "capacity": full.cv_results_["mean_test_score"].tolist(),
        },
        "halving": [],
    }
    print(f"full grid: best k = {full_best}, {full_s:.1f} s, {full_epochs} epochs")
    for min_resources in (4, "exhaust"):
        start = time.perf_counter()
        halving = HalvingGridSearchCV(
            model,
            {"seq_len": LENGTHS},
            scoring=scorer,
            cv=cv,
            refit=False,
            resource="max_epochs",
            min_resources=min_resources,
            max_resources=EPOCHS,
            factor=2,
            random_state=0,
        ).fit(X)
        seconds = time.perf_counter() - start
        epochs = int(
            np.sum(np.asarray(halving.n_candidates_) * halving.n_resources_)
            * cv.get_n_splits()
        )
        survivors = [
            sorted(
                p["seq_len"]
                for p, it in zip(
                    halving.cv_results_["params"],
                    halving.cv_results_["iter"],
                    strict=True,
                )
                if it == i
            )
            for i in range(halving.n_iterations_)
        ]
        record["halving"].append(
            {
                "min_resources": min_resources,
                "best_seq_len": halving.best_params_["seq_len"],
                "seconds": seconds,
                "epochs": epochs,
                "resources": [int(r) for r in halving.n_resources_],
                "lengths_per_iteration": survivors,
            }
        )
        print(
            f"halving (min_resources={min_resources}): best k = "
            f"{halving.best_params_['seq_len']}, {seconds:.1f} s, {epochs} epochs "
            f"({seconds / full_s:.0%} of the time); lengths per round {survivors}"
        )
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
