"""
Choosing the training length with GridSearchCV
==============================================

Search the training length ``seq_len`` (the external factor) and the recurrent unit
(the internal factor) with scikit-learn's ``GridSearchCV``, score every candidate with
all memory indicators at once, on the same windows of each test fold, and let the
saturation rule refit the unit at its recommended length.
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
    seq_len_guidance,
)

FAST = os.environ.get("SKLEARN_RNNMEMORY_FAST") == "1"

# %%
# A synthetic language: 50 token types with Zipf frequencies, drawn independently,
# so nothing but memory lets a model recall a past token.
tokens = make_zipf_sequences(120 if FAST else 600, 40, vocab_size=50, random_state=0)

# Every training length gets the same number of optimizer updates (max_steps):
# with a fixed number of passes, short windows would get many more.
pipe = make_pipeline(
    SemanticEuclideanSpace("onehot"),
    RecurrentMemoryRegressor(
        hidden_size=8 if FAST else 32,
        max_steps=20 if FAST else 1000,
        batch_size=32,
        random_state=0,
    ),
)
grid = {
    "recurrentmemoryregressor__seq_len": [5, 10, 20] if FAST else [5, 10, 20, 40],
    "recurrentmemoryregressor__unit": ["rnn", "gru"]
    if FAST
    else ["rnn", "lstm", "gru"],
}
# The default scorers read every candidate on the same windows of its test fold:
# the longest length the fold's sequences fill with enough windows.
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

for unit, found in seq_len_guidance(results).items():
    print(f"{unit}: k = {found.seq_len}, every candidate read at L = {found.eval_len}")
print("best:      ", recommend_seq_len(results, rule="best"))
print("refitted:  ", search.best_params_)

# %%
# For one unit, a narrower question with fewer fits: which length is best read at
# its own length. There a memory capacity is at most ``k``, so ``search_seq_len``
# trains the lengths from the longest down and skips those too short to matter.
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
    f"gru, read at its own length: k = {pruned.recommended} from {pruned.n_fits} "
    f"fits instead of {n_grid_fits} (skipped {pruned.skipped})"
)
