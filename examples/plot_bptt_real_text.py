"""
How the BPTT window shapes what a language model remembers
==========================================================

Train a recurrent language model per unit at several BPTT windows on real English
(the Python Language Reference, shipped with Python), then probe its memory: read
held-out text continuously and decode, with ridge readouts, the embedded token seen
``δ`` steps back from the hidden state. The probe memory capacity sums that
decodability over lags 1 to 30, with lags within chance (shuffled targets) set to 0.
Words of real text are correlated, so the current word alone decodes part of the
past ones: the probe baseline, the capacity of the current embedded word in place of
the state, is subtracted, and the net capacity compares the models.
"""

import json
import os
import sys

import numpy as np
from joblib import Parallel, delayed

from sklearn_rnnmemory import RecurrentLanguageModel, SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import load_python_reference
from sklearn_rnnmemory.indicators import probe_memory

FAST = os.environ.get("SKLEARN_RNNMEMORY_FAST") == "1"
UNITS = ["rnn", "gru"] if FAST else ["rnn", "lstm", "gru"]
WINDOWS = [2, 8] if FAST else [2, 5, 10, 20, 40]
MAX_LAG = 8 if FAST else 30
CHUNK = 60 if FAST else 200

# %%
# The text as one stream of word ids (the 2,000 most frequent words, plus one id
# for all others), cut into chunks of 200 words; the last fifth is held out.
sentences = load_python_reference(split="sentences")
sentences = sentences[:300] if FAST else sentences
space = SemanticEuclideanSpace(max_vocab=2000, handle_unknown="ignore").fit(sentences)
stream = space.token_ids([" ".join(sentences)])[0]
chunks = stream[: len(stream) // CHUNK * CHUNK].reshape(-1, CHUNK)
split = len(chunks) * 4 // 5
train, test = chunks[:split], chunks[split:]
print(
    f"{stream.size} words, {len(space.vocabulary_)} known; "
    f"{len(train)} training and {len(test)} test chunks of {CHUNK}"
)


def run(unit, window):
    import torch

    torch.set_num_threads(1)
    model = RecurrentLanguageModel(
        unit,
        embedding_dim=16 if FAST else 32,
        hidden_size=16 if FAST else 64,
        seq_len=window,
        vocab_size=len(space.vocabulary_) + 1,
        max_epochs=1 if FAST else 8,
        lr=0.005,
        random_state=0,
        device="cpu",
    ).fit(train)
    probe = probe_memory(
        model.probe_inputs(test),
        model.hidden_states(test, eval_len=CHUNK),  # continuous reading
        max_lag=MAX_LAG,
        surrogate=True,
        random_state=0,
    )
    return {
        "unit": unit,
        "bptt": window,
        "perplexity": model.perplexity(test),
        "probe_capacity": probe.memory_capacity,
        "probe_baseline": probe.probe_baseline,
        "net_capacity": probe.net_capacity,
        "lag0": probe.lag0,
        "decodability": probe.decodability.tolist(),
        "chance": probe.surrogate_threshold,
    }


# %%
# Every (unit, window) pair trains in its own worker.
rows = Parallel(n_jobs=1 if FAST else -1)(
    delayed(run)(u, w) for u in UNITS for w in WINDOWS
)
print(
    f"{'unit':>5} {'BPTT':>5} {'perplexity':>11} {'probe capacity':>15} "
    f"{'baseline':>9} {'net':>6} {'lag 0':>6}"
)
for row in rows:
    print(
        f"{row['unit']:>5} {row['bptt']:>5} {row['perplexity']:>11.1f} "
        f"{row['probe_capacity']:>15.2f} {row['probe_baseline']:>9.2f} "
        f"{row['net_capacity']:>6.2f} {row['lag0']:>6.2f}"
    )

# %%
# Figures: decodability against lag, and net probe capacity against the BPTT
# window.
if not FAST:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = sys.argv[1] if len(sys.argv) > 1 else "."
    fig, axes = plt.subplots(
        1, len(UNITS), figsize=(4.2 * len(UNITS), 3.6), sharey=True
    )
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(WINDOWS)))
    for ax, unit in zip(axes, UNITS, strict=True):
        for colour, row in zip(
            colours, [r for r in rows if r["unit"] == unit], strict=True
        ):
            lags = np.arange(1, MAX_LAG + 1)
            ax.plot(
                lags, row["decodability"], color=colour, label=f"BPTT {row['bptt']}"
            )
        ax.set_title(unit)
        ax.set_xlabel("lag δ (words back)")
    axes[0].set_ylabel("decodability R²(δ) of the embedded word")
    axes[-1].legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "real_text_decodability.png"), dpi=120)

    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    for unit in UNITS:
        unit_rows = [r for r in rows if r["unit"] == unit]
        ax.plot(
            [r["bptt"] for r in unit_rows],
            [r["net_capacity"] for r in unit_rows],
            marker="o",
            label=unit,
        )
    ax.set_xscale("log", base=2)
    ax.set_xticks(WINDOWS, [str(w) for w in WINDOWS])
    ax.set_xlabel("BPTT window (words)")
    ax.set_ylabel(f"net probe capacity (lags 1–{MAX_LAG})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "real_text_capacity.png"), dpi=120)
    with open(os.path.join(out, "real_text.json"), "w") as f:
        json.dump(rows, f, indent=1)
