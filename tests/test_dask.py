"""Studies and grid searches on a real Dask cluster (two worker processes)."""

import json

import numpy as np
import pytest
from conftest import token_points
from joblib import parallel_config
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory.cli import main
from sklearn_rnnmemory.scoring import memory_scorers
from sklearn_rnnmemory.study import run_study
from sklearn_rnnmemory.study._columns import TIMING_COLUMNS

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def data():
    X = token_points(60, 12, vocab_size=8, seed=5)
    return X[:48], X[48:]


STUDY = {
    "units": ["rnn", "gru"],
    "seq_lens": [3, 6],
    "seeds": [0, 1],
    "hidden_sizes": [4],
    "max_steps": 12,
    "estimator_params": {"device": "cpu"},
    "progress": False,
}


def comparable(rows):
    return [
        json.dumps({k: v for k, v in r.items() if k not in TIMING_COLUMNS})
        for r in rows
    ]


def test_study_on_the_cluster_equals_a_local_run(client, data, tmp_path):
    local = run_study(*data, **STUDY)
    remote = run_study(*data, backend="dask", n_jobs=-1, **STUDY)
    assert comparable(remote.rows) == comparable(local.rows)
    workers = {w for w in client.run(lambda dask_worker: dask_worker.address).values()}
    assert len(workers) == 2

    # Resume on the cluster after an interruption that left three rows.
    path = tmp_path / "results.jsonl"
    run_study(*data, results_file=path, **STUDY)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:3]) + "\n")
    resumed = run_study(
        *data, results_file=path, resume=True, backend="dask", n_jobs=-1, **STUDY
    )
    assert comparable(resumed.rows) == comparable(local.rows)
    assert len(path.read_text().splitlines()) == 8


def local_and_dask_searches(X, unit, max_epochs):
    """The same grid search over ``seq_len``, run locally and on Dask."""

    def search():
        return GridSearchCV(
            RecurrentMemoryRegressor(
                unit, hidden_size=4, max_epochs=max_epochs, random_state=0, device="cpu"
            ),
            {"seq_len": [3, 6]},
            scoring=memory_scorers(),
            refit="memory_capacity",
            cv=KFold(2),
            n_jobs=-1,
        ).fit(X)

    local = search()
    with parallel_config(backend="dask"):
        return local, search()


def test_grid_search_under_the_dask_backend_equals_a_local_one(client, data):
    local, remote = local_and_dask_searches(data[0], "lstm", max_epochs=2)
    for name in memory_scorers():
        np.testing.assert_array_equal(
            remote.cv_results_[f"mean_test_{name}"],
            local.cv_results_[f"mean_test_{name}"],
        )
    assert remote.best_params_ == local.best_params_


def test_cli_runs_on_a_local_dask_cluster(tmp_path, capsys):
    args = [
        "assess",
        "--units",
        "rnn",
        "--lengths",
        "3,6",
        "--max-steps",
        "5",
        "--seeds",
        "0",
        "--n-sequences",
        "40",
        "--n-jobs",
        "2",
        "--backend",
        "dask",
        "--no-progress",
        "--output",
        str(tmp_path),
    ]
    assert main(args) == 0
    assert "Recommended training length" in capsys.readouterr().out
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 2


def test_a_user_unit_from_an_importable_module_runs_on_the_cluster(client, data):
    # The workers import the unit's module by name, as they would on any
    # cluster whose workers have it installed.
    from custom_units import MIRNNCell

    study = {**STUDY, "units": [MIRNNCell, "gru"], "seeds": [0]}
    local = run_study(*data, **study)
    remote = run_study(*data, backend="dask", n_jobs=-1, **study)
    assert comparable(remote.rows) == comparable(local.rows)
    assert [r["unit"] for r in remote.rows] == ["MIRNNCell"] * 2 + ["gru"] * 2
    assert all(r["status"] == "ok" for r in remote.rows)

    local_search, remote_search = local_and_dask_searches(
        data[0], MIRNNCell, max_epochs=1
    )
    np.testing.assert_array_equal(
        remote_search.cv_results_["mean_test_memory_capacity"],
        local_search.cv_results_["mean_test_memory_capacity"],
    )
    assert remote_search.best_estimator_.unit is MIRNNCell
