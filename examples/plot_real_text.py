"""
Memory on real English text
===========================

The sentences of the Python Language Reference ship with Python itself. Give every
word a point learned from its co-occurrences (related words land near each other),
then train each unit at a few training lengths and compare how much of a sentence's
semantics each one keeps.
"""

import os

from sklearn_rnnmemory import SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import load_python_reference
from sklearn_rnnmemory.study import run_study

FAST = os.environ.get("SKLEARN_RNNMEMORY_FAST") == "1"

sentences = load_python_reference(split="sentences")
sentences = sentences[:150] if FAST else sentences
split = len(sentences) * 4 // 5
space = SemanticEuclideanSpace(
    "cooccurrence",
    dim=16 if FAST else 64,
    min_count=3,
    handle_unknown="ignore",
    random_state=0,
).fit(sentences[:split])
X_train, X_test = space.transform(sentences[:split]), space.transform(sentences[split:])
print(f"{len(space.vocabulary_)} words in a {space.dim_}-dimensional space")
for word in ("true", "list", "positional"):
    if word in space.vocabulary_:
        neighbours = space.nearest_tokens(space.points_[space.vocabulary_[word]], k=4)
        print(f"  {word}: {', '.join(neighbours[1:])}")

# %%
# Each unit at a few training lengths, every model scored on held-out windows of
# the longest length, with the same number of updates and three seeds.
result = run_study(
    X_train,
    X_test,
    units=["rnn", "gru"] if FAST else ["rnn", "lstm", "gru"],
    seq_lens=[4, 8] if FAST else [5, 10, 20],
    hidden_sizes=[8] if FAST else [64],
    seeds=[0] if FAST else [0, 1, 2],
    max_steps=20 if FAST else 1000,
    estimator_params={"device": "cpu"},
    n_jobs=1 if FAST else -1,
    progress=False,
)
print(result.table())
for (unit, _), found in result.recommendations().items():
    print(f"{unit}: train at k = {found.seq_len} (stability {found.stability:.0%})")
