"""Training speed per update: the library's units and stacked seeds against
``nn.LSTM``, torch's own units and an arithmetic floor.

Three parts, each in one process with one torch thread, every case repeated in
a rotating order:

1. *Per update.* One training update (forward, masked loss, backward, fused
   Adam) on 32 windows of onehot points (d = 50), per unit, length and hidden
   size, of: a hand-written loop around ``nn.LSTM`` (the reference), around
   torch's own unit (``nn.RNN``, ``nn.GRU``), around the library's unit
   (``WindowRNN``, ``nn.LSTM``, ``WindowGRU``), three seeds stacked
   (``StackedReaders``), and the *floor*: the same matrix products for one
   model with no autograd, no elementwise work and no per-step overhead (the
   recurrent products of all steps as one product). Times are the thread's CPU
   time (``time.thread_time``), which other processes on a loaded machine
   disturb less than wall time; medians of the repeats.
2. *Three seeds at one configuration*, through the library, on the default
   study's data (Zipf tokens, 800 sequences of 80): ``StackedSeeds.advance``
   against three ``RecurrentMemoryRegressor.fit`` with the same updates, per
   unit, and three hand-written ``nn.LSTM`` loops; then the library's LSTM fit
   against the hand-written loop in pairs run back to back (the order
   alternating), whose ratios drift less with the machine's load.
3. *Two cores*: three separate fits in worker processes (joblib, two workers,
   one thread each) against the stack in one process; wall time.

    python benchmarks/bench_stacked.py [output.json] [--quick]
"""

import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits
from torch import nn

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory._torch.losses import semantic_losses
from sklearn_rnnmemory._torch.networks import SemanticReader
from sklearn_rnnmemory._torch.registry import UNITS
from sklearn_rnnmemory._torch.stacked_network import StackedReaders
from sklearn_rnnmemory._torch.stacked_seeds import StackedSeeds, seeds_per_stack
from sklearn_rnnmemory.datasets import make_zipf_sequences

BATCH, DIM, SEEDS = 32, 50, 3
TORCH_UNITS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class HandWritten(nn.Module):
    def __init__(self, recurrent, hidden_size):
        super().__init__()
        self.recurrent = recurrent
        self.readout = nn.Linear(hidden_size, DIM)

    def forward(self, X):
        return self.readout(self.recurrent(X)[0])


def onehot_windows(n, length, seed=0):
    tokens = np.random.default_rng(seed).integers(0, DIM, size=(n, length))
    X = np.eye(DIM, dtype=np.float32)[tokens]
    return torch.as_tensor(X), torch.as_tensor(np.cumsum(X, axis=1))


def single_step(recurrent, hidden_size, length):
    """One update of one model around ``recurrent``."""
    torch.manual_seed(0)
    model = HandWritten(recurrent, hidden_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, fused=True)
    X, S = onehot_windows(BATCH, length)

    def step():
        optimizer.zero_grad()
        loss = (model(X) - S).pow(2).sum(-1).mean()
        loss.backward()
        optimizer.step()

    return step


def stacked_step(unit, hidden_size, length):
    """One update of SEEDS models stacked."""
    torch.manual_seed(0)
    readers = [SemanticReader(unit, DIM, hidden_size, 1, DIM) for _ in range(SEEDS)]
    network = StackedReaders(readers)
    optimizer = torch.optim.Adam(network.parameters(), lr=0.01, fused=True)
    X, S = onehot_windows(SEEDS * BATCH, length)
    X, S = X.view(SEEDS, BATCH, length, DIM), S.view(SEEDS, BATCH, length, DIM)

    def step():
        optimizer.zero_grad()
        losses = semantic_losses(network(X), S.transpose(1, 2), masked=False)
        losses.sum().backward()
        optimizer.step()

    return step


def floor_step(unit, hidden_size, length):
    """The matrix products of one update of one model, each as one product
    over every step, without autograd or elementwise work."""
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[unit] * hidden_size
    rows = BATCH * length
    X = torch.randn(rows, DIM)
    h = torch.randn(rows, hidden_size)
    d_gates = torch.randn(rows, gates)
    d_points = torch.randn(rows, DIM)
    w_ih, w_hh = torch.randn(gates, DIM), torch.randn(gates, hidden_size)
    w_out = torch.randn(DIM, hidden_size)

    def step():
        X @ w_ih.T  # input projection
        h @ w_hh.T  # recurrent products of every step
        h @ w_out.T  # readout
        d_points.T @ h  # readout's weight gradient
        d_points @ w_out  # gradient into the states
        d_gates @ w_hh  # gradient back through the recurrence
        d_gates.T @ h  # recurrent weight gradient
        d_gates.T @ X  # input weight gradient

    return step


def thread_ms(step, updates):
    step()
    start = time.thread_time()
    for _ in range(updates):
        step()
    return (time.thread_time() - start) / updates * 1000


def per_update(lengths, hidden_sizes, repeats, updates):
    rows = []
    for hidden_size in hidden_sizes:
        for length in lengths:
            for unit in ("rnn", "lstm", "gru"):
                cases = {
                    "nn_lstm": single_step(
                        nn.LSTM(DIM, hidden_size, batch_first=True), hidden_size, length
                    ),
                    "torch": single_step(
                        TORCH_UNITS[unit](DIM, hidden_size, batch_first=True),
                        hidden_size,
                        length,
                    ),
                    "library": single_step(
                        UNITS[unit].build(DIM, hidden_size, 1), hidden_size, length
                    ),
                    "stacked": stacked_step(unit, hidden_size, length),
                    "floor": floor_step(unit, hidden_size, length),
                }
                times = {name: [] for name in cases}
                names = list(cases)
                for repeat in range(repeats):
                    shift = repeat % len(names)
                    for name in names[shift:] + names[:shift]:
                        times[name].append(thread_ms(cases[name], updates))
                ms = {name: statistics.median(v) for name, v in times.items()}
                row = {
                    "unit": unit,
                    "hidden_size": hidden_size,
                    "length": length,
                    **{f"{name}_ms": value for name, value in ms.items()},
                    "library_vs_lstm": ms["library"] / ms["nn_lstm"],
                    "torch_vs_lstm": ms["torch"] / ms["nn_lstm"],
                    "library_vs_torch": ms["library"] / ms["torch"],
                    "stacked_vs_3_lstm": ms["stacked"] / (SEEDS * ms["nn_lstm"]),
                    "stacked_vs_3_library": ms["stacked"] / (SEEDS * ms["library"]),
                    "library_vs_floor": ms["library"] / ms["floor"],
                    "stacked_vs_3_floor": ms["stacked"] / (SEEDS * ms["floor"]),
                }
                rows.append(row)
                print(
                    f"{unit:>5} H={hidden_size:<4} k={length:<3} "
                    f"nn.LSTM {ms['nn_lstm']:6.2f}  torch {ms['torch']:6.2f}  "
                    f"library {ms['library']:6.2f}  stacked/3 "
                    f"{ms['stacked'] / SEEDS:6.2f}  floor {ms['floor']:5.2f} ms | "
                    f"library/LSTM {row['library_vs_lstm']:.2f}  "
                    f"stacked/3 LSTM {row['stacked_vs_3_lstm']:.2f}  "
                    f"stacked/3 library {row['stacked_vs_3_library']:.2f}  "
                    f"library/floor {row['library_vs_floor']:.1f}",
                    flush=True,
                )
    return rows


def study_data():
    tokens = make_zipf_sequences(1000, 80, vocab_size=DIM, random_state=0)
    return SemanticEuclideanSpace().fit_transform(tokens[:800])


def separate_fits(unit, X, options, updates):
    for seed in range(SEEDS):
        RecurrentMemoryRegressor(
            unit, random_state=seed, max_steps=updates, **options
        ).fit(X)


def stacked_fits(unit, X, options, updates):
    StackedSeeds(unit, range(SEEDS), X, **options).advance(updates)


def hand_written_lstm(X, options, updates, seeds=SEEDS):
    windows = torch.as_tensor(X.reshape(-1, options["seq_len"], DIM))
    targets = windows.cumsum(1)
    for seed in range(seeds):
        torch.manual_seed(seed)
        model = HandWritten(
            nn.LSTM(DIM, options["hidden_size"], batch_first=True),
            options["hidden_size"],
        )
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01, fused=True)
        done = 0
        while done < updates:
            order = torch.randperm(len(windows))
            for start in range(0, len(windows), BATCH):
                index = order[start : start + BATCH]
                optimizer.zero_grad()
                xb, sb = windows.index_select(0, index), targets.index_select(0, index)
                (model(xb) - sb).pow(2).sum(-1).mean().backward()
                optimizer.step()
                done += 1
                if done == updates:
                    break


def three_seeds(X, length, repeats, updates):
    options = {
        "hidden_size": 32,
        "seq_len": length,
        "batch_size": BATCH,
        "device": "cpu",
    }
    cases = {
        "hand_written_lstm": lambda: hand_written_lstm(X, options, updates),
    }
    for unit in ("rnn", "lstm", "gru"):
        cases[f"{unit}_separate"] = lambda unit=unit: separate_fits(
            unit, X, options, updates
        )
        cases[f"{unit}_stacked"] = lambda unit=unit: stacked_fits(
            unit, X, options, updates
        )
    times = {name: {"wall": [], "cpu": []} for name in cases}
    names = list(cases)
    stacked_fits("gru", X[:50], options, 2)  # warm up
    for repeat in range(repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            wall, cpu = time.perf_counter(), time.thread_time()
            cases[name]()
            times[name]["cpu"].append(time.thread_time() - cpu)
            times[name]["wall"].append(time.perf_counter() - wall)
    seconds = {
        name: {kind: statistics.median(v) for kind, v in t.items()}
        for name, t in times.items()
    }
    rule = {
        unit: seconds[
            f"{unit}_stacked"
            if seeds_per_stack(unit, "cpu", length, 32, BATCH) >= SEEDS
            else f"{unit}_separate"
        ]
        for unit in ("rnn", "lstm", "gru")
    }
    record = {"updates": updates, "length": length, "seconds": seconds}
    for kind in ("cpu", "wall"):
        record[f"gru_vs_lstm_{kind}"] = rule["gru"][kind] / rule["lstm"][kind]
        record[f"lstm_vs_hand_written_{kind}"] = (
            seconds["lstm_separate"][kind] / seconds["hand_written_lstm"][kind]
        )
        for unit in ("rnn", "lstm", "gru"):
            record[f"{unit}_stacked_vs_separate_{kind}"] = (
                seconds[f"{unit}_stacked"][kind] / seconds[f"{unit}_separate"][kind]
            )
    for name, value in seconds.items():
        print(
            f"3 seeds, k={length}: {name:>18} {value['cpu']:6.2f} s CPU, "
            f"{value['wall']:6.2f} s wall"
        )
    print({k: round(v, 3) for k, v in record.items() if k.endswith(("cpu", "wall"))})
    return record


def paired_lstm(X, length, pairs, updates):
    """The library's LSTM fit against the hand-written loop, one seed, in
    pairs run back to back; the ratio of each pair."""
    options = {
        "hidden_size": 32,
        "seq_len": length,
        "batch_size": BATCH,
        "device": "cpu",
    }
    runs = {
        "library": lambda: RecurrentMemoryRegressor(
            "lstm", random_state=0, max_steps=updates, **options
        ).fit(X),
        "hand_written": lambda: hand_written_lstm(X, options, updates, seeds=1),
    }
    ratios = {"cpu": [], "wall": []}
    for pair in range(pairs):
        spent = {}
        for name in sorted(runs, reverse=bool(pair % 2)):
            wall, cpu = time.perf_counter(), time.thread_time()
            runs[name]()
            spent[name] = (time.thread_time() - cpu, time.perf_counter() - wall)
        ratios["cpu"].append(spent["library"][0] / spent["hand_written"][0])
        ratios["wall"].append(spent["library"][1] / spent["hand_written"][1])
    record = {
        "updates": updates,
        "pairs": pairs,
        "ratios": ratios,
        **{f"median_{k}": statistics.median(v) for k, v in ratios.items()},
    }
    print(
        f"library LSTM / hand-written, {pairs} pairs: median "
        f"{record['median_cpu']:.3f} (CPU), {record['median_wall']:.3f} (wall)",
        flush=True,
    )
    return record


def _one_fit(unit, seed, X, options, updates):
    with threadpool_limits(1):
        torch.set_num_threads(1)
        start = time.perf_counter()
        RecurrentMemoryRegressor(
            unit, random_state=seed, max_steps=updates, **options
        ).fit(X)
        return time.perf_counter() - start


def two_cores(X, length, repeats, updates):
    options = {
        "hidden_size": 32,
        "seq_len": length,
        "batch_size": BATCH,
        "device": "cpu",
    }
    pool = Parallel(n_jobs=2, max_nbytes=None)
    pool(delayed(_one_fit)("gru", s, X[:50], options, 2) for s in range(2))  # warm
    record = {"updates": updates, "length": length, "units": {}}
    for unit in ("rnn", "lstm", "gru"):
        processes, stacked = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            pool(delayed(_one_fit)(unit, s, X, options, updates) for s in range(SEEDS))
            processes.append(time.perf_counter() - start)
            start = time.perf_counter()
            stacked_fits(unit, X, options, updates)
            stacked.append(time.perf_counter() - start)
        p, s = statistics.median(processes), statistics.median(stacked)
        record["units"][unit] = {
            "three_processes_s": p,
            "stacked_one_process_s": s,
            "stacked_vs_processes": s / p,
        }
        print(
            f"2 cores, k={length}: {unit} 3 processes {p:.2f} s, stacked in one "
            f"process {s:.2f} s ({s / p:.2f})",
            flush=True,
        )
    return record


def main(path=None, quick=False):
    torch.set_num_threads(1)
    record = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the start",
        "torch": torch.__version__,
        "batch_size": BATCH,
        "dim": DIM,
        "seeds": SEEDS,
    }
    lengths = (5, 80) if quick else (5, 10, 20, 40, 80)
    record["per_update"] = per_update(
        lengths,
        (32,) if quick else (32, 128),
        repeats=3 if quick else 7,
        updates=3 if quick else 10,
    )
    X = study_data()
    record["three_seeds"] = three_seeds(
        X, 80, repeats=1 if quick else 5, updates=20 if quick else 200
    )
    record["paired_lstm"] = paired_lstm(
        X, 80, pairs=2 if quick else 16, updates=20 if quick else 200
    )
    record["two_cores"] = two_cores(
        X, 80, repeats=1 if quick else 3, updates=20 if quick else 200
    )
    record["load_average_at_end"] = os.getloadavg()[0]
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    main(args[0] if args else None, quick="--quick" in sys.argv)
