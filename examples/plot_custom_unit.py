"""
Bring your own recurrent unit
=============================

Define a recurrent unit of your own, here a multiplicative-integration RNN (Wu,
Zhang, Zhang, Bengio & Salakhutdinov, NeurIPS 2016), check that it follows the
interface every unit of the library follows, then measure its memory beside
``lstm`` and ``gru`` on the default task: the Zipf language, one-hot points, every
unit trained at several training lengths and scored on held-out sequences.

The cell is defined in this script. A study or a search sends it to joblib's
worker processes by value, so this script can run its configurations in
parallel as it is. A *fitted* model of it, though, can be pickled and loaded only
by a process that can import the cell by name: for that, and for the command
line (``rnnmemory assess --units gru,mypackage.cells:MIRNN``), put the cell in a
module of its own.
"""

import os
import sys

import torch
from sklearn.model_selection import train_test_split
from torch import nn

from sklearn_rnnmemory import SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import load_corpus
from sklearn_rnnmemory.plots import plot_capacity_vs_length
from sklearn_rnnmemory.study import run_study
from sklearn_rnnmemory.testing import check_recurrent_unit

FAST = os.environ.get("SKLEARN_RNNMEMORY_FAST") == "1"


# %%
# The unit: a module class built as ``MIRNN(input_size, hidden_size,
# num_layers)`` that reads ``(batch, time, input_size)`` and returns ``(outputs,
# last_state)`` with outputs ``(batch, time, hidden_size)``, as
# ``torch.nn.RNN(..., batch_first=True)`` does. In the vanilla cell the input and
# the state are added, ``tanh(W x + U h + b)``; here they also multiply, so the
# input gates how the state is carried:
#
#     h_t = tanh(alpha * (W x_t) * (U h_{t-1}) + beta_1 * (U h_{t-1})
#                + beta_2 * (W x_t) + b)
#
# The input projections of every step are one matrix product, and the loop over
# time uses ``unbind(1)``, as the library's own cells do.
class MIRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1):
        super().__init__()
        self.hidden_size = hidden_size
        self.W = nn.ModuleList(
            nn.Linear(input_size if i == 0 else hidden_size, hidden_size)
            for i in range(num_layers)
        )
        self.U = nn.ModuleList(
            nn.Linear(hidden_size, hidden_size, bias=False) for _ in range(num_layers)
        )
        # alpha, beta_1 and beta_2 of each layer, one per state entry
        self.gates = nn.Parameter(torch.ones(num_layers, 3, hidden_size))

    @staticmethod
    def macs_per_step(input_size, hidden_size, num_layers):
        """Multiply-adds per step and sequence, as the library counts them
        (matrix products): ``h (h + i)`` per layer, like the vanilla cell."""
        return hidden_size * (input_size + hidden_size) + (num_layers - 1) * (
            2 * hidden_size * hidden_size
        )

    def forward(self, X, state=None):
        last = []
        for layer, (W, U) in enumerate(zip(self.W, self.U, strict=True)):
            alpha, beta_1, beta_2 = self.gates[layer]
            h = X.new_zeros(X.shape[0], self.hidden_size)
            if state is not None:
                h = state[layer]
            outputs = []
            for wx in W(X).unbind(1):
                uh = U(h)
                h = torch.tanh(alpha * wx * uh + beta_1 * uh + beta_2 * wx)
                outputs.append(h)
            X = torch.stack(outputs, dim=1)
            last.append(h)
        return X, torch.stack(last)


# %%
# Check it first: shapes, batch first, padding, gradients through time and
# determinism under a seed, at one and two layers. A rule it broke would be
# named here, before any training.
check_recurrent_unit(MIRNN)
print("MIRNN follows every rule of check_recurrent_unit")

# %%
# The default task of ``rnnmemory assess``: the Zipf language (50 token types),
# one-hot points, 20 % of the sequences held out for measuring.
tokens = load_corpus("zipf", n_sequences=80 if FAST else 500, length=24 if FAST else 80)
train, test = train_test_split(list(tokens), test_size=0.2, random_state=0)
space = SemanticEuclideanSpace("onehot").fit(train)
X_train, X_test = space.transform(train), space.transform(test)

# %%
# The study takes the class as it takes a unit's name; its rows call it by its
# class name.
result = run_study(
    X_train,
    X_test,
    units=[MIRNN, "lstm", "gru"],
    seq_lens=[3, 6] if FAST else [5, 10, 20, 40],
    hidden_sizes=[8] if FAST else [32],
    seeds=[0] if FAST else [0, 1, 2],
    max_steps=30 if FAST else 1200,  # the same updates for every length
    estimator_params={"device": "cpu"},
    n_jobs=1 if FAST else -1,
    progress=False,
)
print(result.table())

# %%
# Guidance and cost per unit: the recommended training length, the trainable
# parameters (readout included) and the multiply-adds per step, which MIRNN
# declares (a unit that declares none gets NaN).
rows = {row["unit"]: row for row in result.rows}
best = result.recommendations(rule="best")
for (unit, hidden_size), found in result.recommendations().items():
    print(
        f"{unit:>5}: recommended k = {found.seq_len} "
        f"(best: k = {best[unit, hidden_size].seq_len}); "
        f"{rows[unit]['n_parameters']} parameters, "
        f"{rows[unit]['macs_per_step']} multiply-adds per step"
    )

# %%
# Memory capacity against training length, with the recommended length marked.
fig = plot_capacity_vs_length(result)
if not FAST:
    fig.savefig(
        os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "custom_unit.png"),
        dpi=120,
    )
