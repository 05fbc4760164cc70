"""Stacked and separate training of the same seeds: do full runs agree?

One update of a stacked seed equals its separate fit's update up to float
rounding (tests/torch/test_stacked_seeds.py); over a full run those rounding differences
grow, as any change of summation order does, so the two runs of one seed end
at different weights. What must hold is that they are the same experiment:
the memory capacities of stacked and separate runs from the same seeds are
indistinguishable. For each unit, seeds 0..N-1 are trained both ways on the
default study's data (Zipf tokens, 800 training sequences of 80) with the
study's settings (H = 32, batch 32, 1,200 updates, k = 20, a length at which
the rule stacks all three units), and scored at L = 80 on the 200 test
sequences; the paired differences are tested (paired t-test and Wilcoxon
signed-rank test).

    python benchmarks/stacked_agreement.py [output.json] [--quick]
"""

import json
import sys
import time

import numpy as np
import torch
from scipy import stats

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory._torch.stacked_seeds import StackedSeeds
from sklearn_rnnmemory.datasets import make_zipf_sequences


def main(path=None, quick=False):
    torch.set_num_threads(1)
    tokens = make_zipf_sequences(1000, 80, vocab_size=50, random_state=0)
    space = SemanticEuclideanSpace().fit(tokens[:800])
    X_train, X_test = space.transform(tokens[:800]), space.transform(tokens[800:])
    seeds = list(range(3 if quick else 10))
    updates = 60 if quick else 1200
    length = 20
    options = {"hidden_size": 32, "seq_len": length, "batch_size": 32, "device": "cpu"}
    record = {"seeds": seeds, "updates": updates, "seq_len": length, "eval_len": 80}
    for unit in ("rnn", "lstm", "gru"):
        start = time.perf_counter()
        stack = StackedSeeds(unit, seeds, X_train, **options)
        stack.advance(updates)
        stacked_s = time.perf_counter() - start
        stacked = [stack.fitted(seed) for seed in seeds]
        start = time.perf_counter()
        separate = [
            RecurrentMemoryRegressor(
                unit, random_state=seed, max_steps=updates, **options
            ).fit(X_train)
            for seed in seeds
        ]
        separate_s = time.perf_counter() - start
        capacity = {
            name: np.array(
                [m.memory_profile(X_test, eval_len=80).memory_capacity for m in models]
            )
            for name, models in (("stacked", stacked), ("separate", separate))
        }
        diff = capacity["stacked"] - capacity["separate"]
        weights_apart = [
            max(
                float((a - b).abs().max())
                for a, b in zip(
                    s.net_.module_.state_dict().values(),
                    p.net_.module_.state_dict().values(),
                    strict=True,
                )
            )
            for s, p in zip(stacked, separate, strict=True)
        ]
        t_test = stats.ttest_rel(capacity["stacked"], capacity["separate"])
        wilcoxon = stats.wilcoxon(diff) if len(seeds) >= 6 else None
        half_width = (
            stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
        )
        record[unit] = {
            "capacity_stacked": capacity["stacked"].tolist(),
            "capacity_separate": capacity["separate"].tolist(),
            "mean_difference": float(diff.mean()),
            "difference_ci95": [
                float(diff.mean() - half_width),
                float(diff.mean() + half_width),
            ],
            "sd_separate_over_seeds": float(capacity["separate"].std(ddof=1)),
            "paired_t_p": float(t_test.pvalue),
            "wilcoxon_p": None if wilcoxon is None else float(wilcoxon.pvalue),
            "largest_weight_difference": weights_apart,
            "stacked_s": stacked_s,
            "separate_s": separate_s,
        }
        print(
            f"{unit}: capacity at L=80, stacked {capacity['stacked'].mean():.2f} "
            f"vs separate {capacity['separate'].mean():.2f} (sd over seeds "
            f"{capacity['separate'].std(ddof=1):.2f}); paired difference "
            f"{diff.mean():+.2f} [{diff.mean() - half_width:+.2f}, "
            f"{diff.mean() + half_width:+.2f}], t-test p = {t_test.pvalue:.2f}"
            + ("" if wilcoxon is None else f", Wilcoxon p = {wilcoxon.pvalue:.2f}")
            + f"; training {stacked_s:.0f} s stacked, {separate_s:.0f} s separate",
            flush=True,
        )
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    main(args[0] if args else None, quick="--quick" in sys.argv)
