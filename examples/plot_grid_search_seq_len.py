"""
Choosing the training length with GridSearchCV
==============================================

Search the training length ``seq_len`` (the external factor) and the recurrent unit
(the internal factor) with scikit-learn's ``GridSearchCV``, score every candidate with
all memory indicators at once, and let the saturation rule refit the unit at its
recommended length.
"""

import os

from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline

from sklearn_rnnmemory import RecurrentMemoryRegressor, SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import make_zipf_sequences
from sklearn_rnnmemory.scoring import memory_scorers
from sklearn_rnnmemory.selection import (
    recommend_seq_len,
    refit_seq_len,
    search_seq_len,
)

FAST = os.environ.get("SKLEARN_RNNMEMORY_FAST") == "1"

# %%
# A synthetic language: 50 token types with Zipf frequencies, drawn independently,
# so nothing but memory lets a model recall a past token.
tokens = make_zipf_sequences(120 if FAST else 600, 40, vocab_size=50, random_state=0)

pipe = make_pipeline(
    SemanticEuclideanSpace("onehot"),
    RecurrentMemoryRegressor(
        hidden_size=8 if FAST else 32, max_epochs=2 if FAST else 30, random_state=0
    ),
)
grid = {
    "recurrentmemoryregressor__seq_len": [5, 10, 20] if FAST else [5, 10, 20, 40],
    "recurrentmemoryregressor__unit": ["rnn", "gru"]
    if FAST
    else ["rnn", "lstm", "gru"],
}
search = GridSearchCV(
    pipe,
    grid,
    scoring=memory_scorers(),
    refit=refit_seq_len("saturation"),
    cv=KFold(3),
    n_jobs=1 if FAST else -1,
)
search.fit(tokens)

# %%
# Memory capacity of every candidate, and the guidance.
results = search.cv_results_
for params, capacity, span in zip(
    results["params"],
    results["mean_test_memory_capacity"],
    results["mean_test_memory_span"],
    strict=True,
):
    unit = params["recurrentmemoryregressor__unit"]
    k = params["recurrentmemoryregressor__seq_len"]
    print(f"{unit:>5}  k={k:>3}  capacity={capacity:6.2f}  span={span:5.1f}")

print("saturation:", recommend_seq_len(results))
print("best:      ", recommend_seq_len(results, rule="best"))
print("refitted:  ", search.best_params_)

# %%
# For one unit, the same recommendation with fewer fits: memory capacity over
# windows of ``k`` tokens is at most ``k``, so ``search_seq_len`` trains the
# lengths from the longest down and skips those too short to matter. Each length
# it trains scores exactly as in the grid.
gru = clone(pipe).set_params(recurrentmemoryregressor__unit="gru")
pruned = search_seq_len(
    gru,
    tokens,
    grid["recurrentmemoryregressor__seq_len"],
    cv=KFold(3),
    param="recurrentmemoryregressor__seq_len",
)
n_grid_fits = 3 * len(grid["recurrentmemoryregressor__seq_len"])
print(
    f"gru: k = {pruned.recommended} from {pruned.n_fits} fits instead of "
    f"{n_grid_fits} (skipped {pruned.skipped}); grid: {recommend_seq_len(results)}"
)
