"""
A joblib-parallel evaluation over units and seeds
=================================================

Train every unit with several seeds in parallel worker processes, each limited to
one torch thread so that the workers do not compete for the cores, and report the
memory capacity with its spread over seeds.
"""

import os

import numpy as np
import torch
from joblib import Parallel, delayed

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import make_zipf_sequences

FAST = os.environ.get("SKLEARN_RNNMEMORY_FAST") == "1"
SEQ_LEN = 10 if FAST else 30

tokens = make_zipf_sequences(100 if FAST else 800, 60, vocab_size=50, random_state=0)
space = SemanticEuclideanSpace().fit(tokens)
X_train, X_test = (
    space.transform(tokens[: len(tokens) * 4 // 5]),
    space.transform(tokens[len(tokens) * 4 // 5 :]),
)


def evaluate(unit, seed):
    torch.set_num_threads(1)
    model = RecurrentMemoryRegressor(
        unit,
        hidden_size=8 if FAST else 32,
        seq_len=SEQ_LEN,
        max_epochs=2 if FAST else 30,
        random_state=seed,
        device="cpu",
    ).fit(X_train)
    profile = model.memory_profile(X_test)
    return unit, seed, profile.memory_capacity, profile.memory_span


# %%
# Every (unit, seed) pair is one task; loky worker processes run them.
units = ["rnn", "lstm", "gru"]
seeds = [0, 1] if FAST else [0, 1, 2]
rows = Parallel(n_jobs=2)(delayed(evaluate)(u, s) for u in units for s in seeds)

for unit in units:
    capacity = [c for u, _, c, _ in rows if u == unit]
    print(
        f"{unit:>5}: memory capacity {np.mean(capacity):.2f} ± {np.std(capacity):.2f}"
        f" of {SEQ_LEN} tokens over {len(capacity)} seeds"
    )
