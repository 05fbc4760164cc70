"""Where does each configuration of the default study level off, and at which rate?

Trains single configurations of the default study (Zipf language, 50 tokens,
onehot basis, 1,000 sequences of 80 split 800 / 200 as ``rnnmemory assess``
splits them; hidden size 32, batches of 32) with the plateau rule's validation
share held out (20 % of the training sequences, as studies hold it out), to a
cap, and every ``--every`` updates measures the memory capacity at L = 80 on
the validation sequences (what the plateau rule follows) and on the test
sequences (what a study reports). Training is the same whatever is measured
(the measurements draw no random numbers), so one run gives the trajectory
that every choice of first round, minimum and tolerance would see.

``analyse`` replays the plateau rule on the stored trajectories for a grid
of settings and prints, per setting, how many runs level off before the cap,
the updates they stop at, and how far the test capacity at the stop lies below
the test capacity at the cap. ``cost`` prices one rule: the updates each
configuration of the default study stops at (seed 0, at each unit's rate), and
the default study's training time that implies.

Usage::

    python benchmarks/plateau_defaults.py run UNIT K LR SEED [--cap 8000]
    python benchmarks/plateau_defaults.py analyse [--cap 8000] [--lr LR]
    python benchmarks/plateau_defaults.py cost [--cap 16000] [--first 250] \
        [--min 2000] [--tol 0.05] [--quiet 2]

Results accumulate in ``benchmarks/results/plateau_trajectories.json``.
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from skorch.callbacks import Callback

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory._plateau import (
    VALIDATION_FRACTION,
    PlateauRule,
    PlateauStopping,
    split_validation,
    validation_capacity,
)
from sklearn_rnnmemory.datasets import load_corpus

RESULTS = Path(__file__).resolve().parent / "results" / "plateau_trajectories.json"
L = 80


def _data():
    tokens = load_corpus("zipf", n_sequences=1000)
    train, test = train_test_split(list(tokens), test_size=0.2, random_state=0)
    space = SemanticEuclideanSpace("onehot")
    X_train, X_test = space.fit_transform(train), space.transform(test)
    _, valid = split_validation(len(X_train), VALIDATION_FRACTION, 0)
    return X_train, X_train[valid], X_test


class _Trace(Callback):
    """Validation and test capacity every ``every`` updates."""

    def __init__(self, estimator, X_valid, X_test, every, out):
        self.estimator, self.X_valid, self.X_test = estimator, X_valid, X_test
        self.every, self.out = every, out

    def initialize(self):
        self.updates_ = 0
        self.start_ = time.perf_counter()
        return self

    def on_batch_end(self, net, training=None, **kwargs):
        if not training:
            return
        self.updates_ += 1
        if self.updates_ % self.every:
            return
        train_s = time.perf_counter() - self.start_
        valid = validation_capacity(self.estimator, self.X_valid, L)
        test = self.estimator.memory_profile(self.X_test, eval_len=L, probe=False)
        self.out["updates"].append(self.updates_)
        self.out["valid"].append(round(valid, 3))
        self.out["test"].append(round(float(test.memory_capacity), 3))
        self.out["train_s"].append(round(train_s, 1))
        print(
            f"  {self.updates_:6d} valid {valid:6.2f} test "
            f"{test.memory_capacity:6.2f} ({train_s:.0f} s)",
            flush=True,
        )
        self.start_ = time.perf_counter() - train_s  # training time only


def _key(unit, k, lr, seed):
    return f"{unit} k={k} lr={lr:g} seed={seed}"


def _load():
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": {}}


def run(unit, k, lr, seed, cap, every):
    results = _load()
    key = _key(unit, k, lr, seed)
    if key in results["runs"] and results["runs"][key]["cap"] >= cap:
        print(f"{key}: done already")
        return
    torch.set_num_threads(1)
    X_train, X_valid, X_test = _data()
    out = {"unit": unit, "k": k, "lr": lr, "seed": seed, "cap": cap}
    out.update(every=every, updates=[], valid=[], test=[], train_s=[])
    model = RecurrentMemoryRegressor(
        unit,
        hidden_size=32,
        seq_len=k,
        batch_size=32,
        lr=lr,
        max_steps=cap,
        random_state=seed,
        device="cpu",
        # tol=0: train to the cap; the rule's own checkpoints are not used.
        plateau=PlateauStopping(L, tol=0),
    )
    model.set_params(callbacks=[("trace", _Trace(model, X_valid, X_test, every, out))])
    print(key, flush=True)
    try:
        model.fit(X_train)
    except ValueError as exc:  # a diverged run is a result too
        out["error"] = str(exc)
    out["machine"] = f"{platform.machine()}, {platform.processor() or ''}".strip(", ")
    results = _load()  # another run may have finished meanwhile
    results["runs"][key] = out
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")


def _replay(run, rule, quiet_rounds=2):
    """Where ``rule`` stops on a run's validation trajectory: the updates,
    whether it levelled off, and the test capacity there. ``quiet_rounds``:
    the rounds in a row that must move less than the tolerance (the library's
    rule asks for 2; 1 is replayed for comparison)."""
    pairs = zip(run["valid"], run["test"], strict=True)
    by_updates = dict(zip(run["updates"], pairs, strict=True))
    trajectory = []
    for n in rule.checkpoints():
        if n not in by_updates:
            return None
        trajectory.append(by_updates[n][0])
        recent = trajectory[-quiet_rounds - 1 :]
        quiet = len(recent) == quiet_rounds + 1 and not any(
            rule.moved(a, b) for a, b in zip(recent, recent[1:], strict=False)
        )
        if rule.tol > 0 and n >= rule.min_updates and quiet:
            return n, True, by_updates[n][1]
    return rule.max_steps, False, by_updates[rule.max_steps][1]


def analyse(cap, first_rounds, minimums, tols, lr=None):
    runs = [r for r in _load()["runs"].values() if "error" not in r]
    runs = [r for r in runs if r["updates"] and r["updates"][-1] >= cap]
    runs = [r for r in runs if lr is None or r["lr"] == lr]
    print(f"{len(runs)} runs reach the cap of {cap} updates")
    for run in runs:
        final = run["test"][run["updates"].index(cap)]
        print(
            f"  {_key(run['unit'], run['k'], run['lr'], run['seed'])}: test at cap "
            f"{final:.2f}"
        )
    print(
        "quiet first   min   tol  levelled  mean updates  "
        "mean / worst shortfall vs cap (test, tokens)"
    )
    for quiet in (1, 2):
        for first in first_rounds:
            for minimum in minimums:
                for tol in tols:
                    rule = PlateauRule(
                        cap, tol=tol, first_round=first, min_updates=minimum
                    )
                    stops = [(r, _replay(r, rule, quiet)) for r in runs]
                    stops = [(r, s) for r, s in stops if s is not None]
                    if not stops:
                        continue
                    levelled = sum(s[1] for _, s in stops)
                    mean = np.mean([s[0] for _, s in stops])
                    short = [
                        (r["test"][r["updates"].index(cap)] - s[2], r) for r, s in stops
                    ]
                    worst, who = max(short, key=lambda x: x[0])
                    print(
                        f"{quiet:5d} {first:5d} {minimum:5d} {tol:5.3f}  "
                        f"{levelled:3d}/{len(stops):<3d}  {mean:10.0f}    "
                        f"{np.mean([x for x, _ in short]):5.2f} / {worst:5.2f} "
                        f"({_key(who['unit'], who['k'], who['lr'], who['seed'])})"
                    )


#: Milliseconds per update of the default study's configurations, mean of the
#: three seeds' fit times at 2,000 updates, two configurations at a time on 2
#: cores (docs/performance.md, "The default study: time and training budget").
MS_PER_UPDATE = {
    "rnn": {5: 1.93, 10: 2.63, 20: 5.03, 40: 7.27, 80: 10.43},
    "lstm": {5: 3.37, 10: 3.93, 20: 3.30, 40: 7.63, 80: 14.03},
    "gru": {5: 3.97, 10: 6.37, 20: 8.73, 40: 15.73, 80: 31.27},
}
#: Each unit's rate in a study (DEFAULT_LEARNING_RATES).
RATES = {"rnn": 0.003, "lstm": 0.03, "gru": 0.03}


def cost(cap, first, minimum, tol, quiet):
    """The updates each default configuration stops at under a rule (seed 0
    at each unit's rate), and the default study's training time they imply:
    3 seeds, two configurations at a time."""
    runs = {}
    for r in _load()["runs"].values():
        if "error" in r or r["seed"] != 0 or r["lr"] != RATES[r["unit"]]:
            continue
        known = runs.get((r["unit"], r["k"]))
        if known is None or known["updates"][-1] < r["updates"][-1]:
            runs[(r["unit"], r["k"])] = r
    rule = PlateauRule(cap, tol=tol, first_round=first, min_updates=minimum)
    total, missing = 0.0, []
    print(f"cap {cap}, first {first}, min {minimum}, tol {tol}, quiet {quiet}:")
    for unit, lengths in MS_PER_UPDATE.items():
        cells = []
        for k, ms in lengths.items():
            if (unit, k) not in runs:
                missing.append(f"{unit}@{k}")
                cells.append(f"k={k}: -")
                continue
            run = runs[(unit, k)]
            replayed = _replay(run, rule, quiet)
            if replayed is None:  # the run ends before the rule decides
                missing.append(f"{unit}@{k} (beyond {run['updates'][-1]})")
                cells.append(f"k={k}: >{run['updates'][-1]}")
                continue
            stop, levelled, test = replayed
            total += 3 * stop * ms / 1000
            cells.append(f"k={k}: {stop}{'' if levelled else '*'} ({test:.1f})")
        print(f"  {unit}: " + ", ".join(cells))
    print(
        f"  training: {total:.0f} s on one core, {total / 2 / 60:.1f} min on two"
        + (f" (without {', '.join(missing)})" if missing else "")
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("run")
    one.add_argument("unit")
    one.add_argument("k", type=int)
    one.add_argument("lr", type=float)
    one.add_argument("seed", type=int)
    one.add_argument("--cap", type=int, default=8000)
    one.add_argument("--every", type=int, default=250)
    replay = commands.add_parser("analyse")
    replay.add_argument("--cap", type=int, default=8000)
    replay.add_argument("--lr", type=float, default=None)
    priced = commands.add_parser("cost")
    priced.add_argument("--cap", type=int, default=16000)
    priced.add_argument("--first", type=int, default=250)
    priced.add_argument("--min", type=int, default=2000)
    priced.add_argument("--tol", type=float, default=0.05)
    priced.add_argument("--quiet", type=int, default=2)
    args = parser.parse_args()
    if args.command == "run":
        run(args.unit, args.k, args.lr, args.seed, args.cap, args.every)
    elif args.command == "cost":
        cost(args.cap, args.first, args.min, args.tol, args.quiet)
    else:
        analyse(
            args.cap,
            first_rounds=(250, 500),
            minimums=(1000, 2000, 4000),
            tols=(0.025, 0.05, 0.1),
            lr=args.lr,
        )


if __name__ == "__main__":
    main()
