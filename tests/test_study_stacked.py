"""A study trains the seeds of one configuration together where the fixed rule
says so; each seed's row is the row of its own fit."""

from functools import partial

import numpy as np
import pytest
from conftest import token_points
from skorch.callbacks import PrintLog

import sklearn_rnnmemory.study._run as run
from sklearn_rnnmemory import PlateauStopping
from sklearn_rnnmemory.study import run_study


def test_seeds_are_stacked_by_the_fixed_rule_of_unit_and_size():
    configs = [
        (unit, k, 32, seed)
        for unit in ("rnn", "lstm", "gru")
        for k in (20, 80)
        for seed in (0, 1, 2)
    ]
    plateau = {"plateau": PlateauStopping(80), "batch_size": 32, "device": "cpu"}
    jobs = run._jobs(configs, plateau)
    sizes = {(job[0][0], job[0][1]): len(job) for job in jobs}
    # At k = 80, H = 32 the LSTM trains alone (oneDNN's fused kernel is
    # faster), the RNN and the GRU as stacks of three.
    assert sizes == {
        ("rnn", 20): 3,
        ("rnn", 80): 3,
        ("lstm", 20): 3,
        ("lstm", 80): 1,
        ("gru", 20): 3,
        ("gru", 80): 3,
    }
    assert sorted(c for job in jobs for c in job) == sorted(configs)
    # A fixed budget, callbacks of the user's or another device: one by one.
    assert all(len(job) == 1 for job in run._jobs(configs, {"batch_size": 32}))
    with_callbacks = {**plateau, "callbacks": [("log", PrintLog())]}
    assert all(len(job) == 1 for job in run._jobs(configs, with_callbacks))


@pytest.mark.parametrize("tol", [0.0, 0.06])
def test_stacked_seeds_give_the_rows_of_their_own_fits(monkeypatch, tol):
    # Checkpoints at 5, 10, 20, 40 and 80 updates: at tol 0.06, GRU seeds 0
    # and 2 level off at 20 updates and leave the stack; seed 1 trains on.
    monkeypatch.setattr(
        run, "PlateauStopping", partial(PlateauStopping, first_round=5, min_updates=10)
    )
    X = token_points(120, 12, vocab_size=6, seed=1)
    study = dict(
        units=["rnn", "gru"],
        seq_lens=[4],
        hidden_sizes=[4],
        seeds=[0, 1, 2],
        max_steps=80,
        plateau_tol=tol,
        eval_len=6,
        progress=False,
        estimator_params={"device": "cpu"},
    )
    stacked = run_study(X[:80], X[80:], **study)
    monkeypatch.setattr(run, "seeds_per_stack", lambda *args: 1)
    separate = run_study(X[:80], X[80:], **study)
    for a, b in zip(stacked.rows, separate.rows, strict=True):
        assert a["status"] == b["status"] == "ok"
        assert a["n_updates"] == b["n_updates"] and a["converged"] == b["converged"]
        np.testing.assert_allclose(
            a["capacity_trajectory"], b["capacity_trajectory"], rtol=1e-3, atol=1e-3
        )
        for name in ("memory_capacity", "capacity_at_seq_len", "final_loss"):
            assert a[name] == pytest.approx(b[name], rel=1e-3, abs=1e-3)
        assert a["fit_time"] > a["check_time"] > 0 and a["measure_time"] > 0
    updates = [row["n_updates"] for row in stacked.rows]
    if tol == 0:
        assert updates == [80] * 6
    else:
        assert updates[3:] == [20, 80, 20]


def test_a_stack_trained_for_epochs_makes_the_updates_of_its_own_fits(monkeypatch):
    X = token_points(120, 12, vocab_size=6, seed=1)
    study = dict(
        units=["gru"],
        seq_lens=[4],
        hidden_sizes=[4],
        seeds=[0, 1],
        max_steps=None,
        eval_len=6,
        progress=False,
        estimator_params={"device": "cpu", "max_epochs": 1},
    )
    stacked = run_study(X[:80], X[80:], **study)
    monkeypatch.setattr(run, "seeds_per_stack", lambda *args: 1)
    separate = run_study(X[:80], X[80:], **study)
    # 64 training sequences of 12 give 192 windows of 4: 6 updates of 32
    assert [r["n_updates"] for r in stacked.rows] == [6, 6]
    assert [r["n_updates"] for r in separate.rows] == [6, 6]
    assert [r["status"] for r in stacked.rows] == ["ok", "ok"]
