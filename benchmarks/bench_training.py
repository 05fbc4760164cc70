"""Training speed: RecurrentMemoryRegressor.fit against hand-written PyTorch loops.

Same unit, sizes, data, epochs, batch size and optimiser (Adam), in one process,
interleaved in a rotating order and repeated 9 times. Two hand-written loops: one
that slices shuffled tensors itself, one with the usual DataLoader over a
TensorDataset. The hand-written loops get the composed targets for free; the
library composes them inside ``fit``.

Reported per case: the median time of each, the ratio of the medians, and the
ratio of the fastest runs (the shared machine's noise only ever adds time, so the
fastest of several runs is the steadiest estimate of what the code costs).

    python benchmarks/bench_training.py [output.json] [--quick]
"""

import json
import platform
import statistics
import sys
import time
from functools import partial

import numpy as np
import torch
from torch import nn

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory._composition import compose
from sklearn_rnnmemory._torch.registry import UNITS

N_WINDOWS, DIM, EPOCHS, BATCH, LR = 2048, 16, 3, 64, 0.01


class HandWritten(nn.Module):
    def __init__(self, unit, hidden_size):
        super().__init__()
        self.recurrent = UNITS[unit].build(DIM, hidden_size, 1)
        self.readout = nn.Linear(hidden_size, DIM)

    def forward(self, X):
        return self.readout(self.recurrent(X)[0])


def hand_written(unit, hidden_size, X, S, use_dataloader):
    torch.manual_seed(0)
    model = HandWritten(unit, hidden_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    X, S = torch.as_tensor(X), torch.as_tensor(S)
    if use_dataloader:
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(X, S), batch_size=BATCH, shuffle=True
        )
    for _ in range(EPOCHS):
        if use_dataloader:
            batches = loader
        else:
            order = torch.randperm(len(X))
            batches = (
                (X[order[i : i + BATCH]], S[order[i : i + BATCH]])
                for i in range(0, len(X), BATCH)
            )
        for xb, sb in batches:
            optimizer.zero_grad()
            loss = (model(xb) - sb).pow(2).sum(-1).mean()
            loss.backward()
            optimizer.step()


def library(unit, hidden_size, X, S):
    RecurrentMemoryRegressor(
        unit,
        hidden_size=hidden_size,
        seq_len=X.shape[1],
        max_epochs=EPOCHS,
        batch_size=BATCH,
        lr=LR,
        random_state=0,
        device="cpu",
    ).fit(X)


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main(path=None, quick=False):
    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    repeats = 1 if quick else 9
    cases = (
        [("gru", 32, 20)]
        if quick
        else [
            (unit, hidden_size, window)
            for unit in ("rnn", "lstm", "gru")
            for hidden_size in (32, 128)
            for window in (20, 100)
        ]
    )
    record = {
        "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads",
        "torch": torch.__version__,
        "settings": {
            "windows": N_WINDOWS,
            "dim": DIM,
            "epochs": EPOCHS,
            "batch_size": BATCH,
            "repeats": repeats,
        },
        "cases": [],
    }
    # Warm up: the first optimiser step of a process imports parts of torch.
    warm = rng.normal(size=(64, 5, DIM)).astype(np.float32)
    library("gru", 8, warm, compose(warm).astype(np.float32))
    hand_written("gru", 8, warm, compose(warm).astype(np.float32), True)
    print(
        f"{'unit':>5} {'H':>4} {'T':>4} {'library s':>10} {'slicing s':>10} "
        f"{'DataLoader s':>13} {'vs slicing':>11} {'vs DataLoader':>14} "
        f"{'fastest vs slicing':>19} {'fastest vs DataLoader':>22}"
    )
    for unit, hidden_size, window in cases:
        X = rng.normal(size=(N_WINDOWS, window, DIM)).astype(np.float32)
        S = compose(X).astype(np.float32)
        times = {"library": [], "slicing": [], "dataloader": []}
        runs = {
            "library": partial(library, unit, hidden_size, X, S),
            "slicing": partial(hand_written, unit, hidden_size, X, S, False),
            "dataloader": partial(hand_written, unit, hidden_size, X, S, True),
        }
        names = list(runs)
        for repeat in range(repeats):
            # The order rotates, so that none of them always runs first on a
            # new shape or right after another's warm caches.
            for name in names[repeat % 3 :] + names[: repeat % 3]:
                times[name].append(timed(runs[name]))
        median = {k: statistics.median(v) for k, v in times.items()}
        fastest = {k: min(v) for k, v in times.items()}
        case = {
            "unit": unit,
            "hidden_size": hidden_size,
            "window": window,
            **{f"{k}_s": v for k, v in median.items()},
            **{f"{k}_fastest_s": v for k, v in fastest.items()},
            "ratio_vs_slicing": median["library"] / median["slicing"],
            "ratio_vs_dataloader": median["library"] / median["dataloader"],
            "fastest_ratio_vs_slicing": fastest["library"] / fastest["slicing"],
            "fastest_ratio_vs_dataloader": fastest["library"] / fastest["dataloader"],
        }
        record["cases"].append(case)
        print(
            f"{unit:>5} {hidden_size:>4} {window:>4} {median['library']:>10.2f} "
            f"{median['slicing']:>10.2f} {median['dataloader']:>13.2f} "
            f"{case['ratio_vs_slicing']:>11.3f} {case['ratio_vs_dataloader']:>14.3f} "
            f"{case['fastest_ratio_vs_slicing']:>19.3f} "
            f"{case['fastest_ratio_vs_dataloader']:>22.3f}"
        )
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    main(args[0] if args else None, quick="--quick" in sys.argv)
