"""One configuration of a study (study/_configuration.py): a failed one is a row, its
windows are cut and read once; seeds trained together give the rows of their own
fits."""

from functools import partial

import numpy as np
import pytest
from conftest import small_study, token_points

import sklearn_rnnmemory.study._run as run
from sklearn_rnnmemory import PlateauStopping
from sklearn_rnnmemory.indicators import INDICATORS
from sklearn_rnnmemory.study import run_study


def test_a_failed_configuration_is_a_row(data):
    failed = small_study(
        data,
        units=["rnn"],
        seeds=[0],
        estimator_params={"lr": 1e25, "optimizer": "sgd", "device": "cpu"},
    )
    assert [r["status"] for r in failed.rows] == ["failed", "failed"]
    assert failed.rows[0]["error"].startswith("ValueError: Training diverged")
    assert np.isnan(failed.rows[0]["memory_capacity"])
    assert failed.summary() == [] and failed.recommendations() == {}
    assert len(failed.failed_rows()) == 2


def test_a_configuration_cuts_and_reads_its_windows_of_l_once(points, monkeypatch):
    from sklearn_rnnmemory import RecurrentMemoryRegressor, _regressor
    from sklearn_rnnmemory._sequences import cut_windows
    from sklearn_rnnmemory._torch.networks import RecurrentEncoder
    from sklearn_rnnmemory.indicators import retention_matrix
    from sklearn_rnnmemory.study._configuration import _measured, empty_row

    # Every third test sequence ends at step 9: at L = 6 its second window is
    # shorter and does not reach T, and the indicators skip it.
    X_train, X_test = points[:48], points[48:]
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, seq_len=3, max_steps=5, batch_size=8, random_state=0
    ).fit(X_train)
    cuts, read = [], {}
    monkeypatch.setattr(
        _regressor,
        "cut_windows",
        lambda X, length: cuts.append(length) or cut_windows(X, length),
    )
    encode = RecurrentEncoder.forward

    def counted(self, batch):
        read[batch.shape[1]] = read.get(batch.shape[1], 0) + batch.shape[0]
        return encode(self, batch)

    monkeypatch.setattr(RecurrentEncoder, "forward", counted)
    row = _measured(
        empty_row(("gru", 3, 4, 0)), model, 0.0, None, [], (X_test, None), 6, 0.5
    )
    # One cut at L and one at k; each window read once at its own length.
    assert sorted(cuts) == [3, 6]
    assert read == {
        6: len(cut_windows(X_test, 6)[0]),
        3: len(cut_windows(X_test, 3)[0]),
    }
    assert row["n_windows"] < read[6]
    monkeypatch.undo()
    # The numbers are those of the estimator's own reading methods.
    profile = model.memory_profile(X_test, eval_len=6, threshold=0.5).to_dict()
    for name in [*INDICATORS, "baseline_error", "span_start", "retention_curve"]:
        np.testing.assert_array_equal(row[name], profile[name], err_msg=name)
    own = model.memory_profile(X_test, eval_len=3, probe=False)
    assert row["capacity_at_seq_len"] == own.memory_capacity
    windows, predicted = model.read_windows(X_test, eval_len=6)
    matrix = retention_matrix(windows, predicted, composition="sum")
    np.testing.assert_array_equal(row["retention_matrix"], np.round(matrix, 6))
    assert row["n_updates"] == model.n_updates_ == 5


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
