"""A unit of the user's own: the checks, the estimators, the study, the CLI."""

import json
import os
import pickle
import signal
import subprocess
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import token_points
from custom_units import (
    BROKEN,
    CtrlCGRU,
    DetachedState,
    Float64Outputs,
    MIRNNCell,
    NaNInTraining,
    NaNOnLargeBatches,
    NumpyInit,
    StatefulInTraining,
    TimeFirstGRU,
    batch_first_gru,
    mirnn,
    not_a_module,
)
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback, EarlyStopping
from torch import nn

from sklearn_rnnmemory import (
    RecurrentClassifier,
    RecurrentLanguageModel,
    RecurrentMemoryRegressor,
)
from sklearn_rnnmemory._torch.registry import UNITS, macs_per_step, unit_label
from sklearn_rnnmemory._torch.unit_checks import check_unit_interface, import_unit
from sklearn_rnnmemory.cli import main
from sklearn_rnnmemory.plots import plot_capacity_vs_length, plot_retention_curves
from sklearn_rnnmemory.scoring import memory_scorers
from sklearn_rnnmemory.selection import recommend_seq_len
from sklearn_rnnmemory.study import run_study
from sklearn_rnnmemory.testing import check_recurrent_unit

TESTS = Path(__file__).resolve().parent
FIT_ACCEPTS = (DetachedState, NumpyInit)
FAST = {"hidden_size": 4, "max_epochs": 1, "device": "cpu", "random_state": 0}


@pytest.fixture(scope="module")
def X():
    return token_points(24, 8, vocab_size=5, seed=3)


# -- check_recurrent_unit --------------------------------------------------------


@pytest.mark.parametrize(
    "unit",
    [MIRNNCell, mirnn, batch_first_gru, partial(nn.GRU, batch_first=True), *UNITS],
    ids=lambda u: u if isinstance(u, str) else unit_label(u),
)
def test_a_unit_that_follows_the_rules_passes(unit):
    state = torch.random.get_rng_state()
    check_recurrent_unit(unit)
    check_recurrent_unit(unit, input_size=2, hidden_size=6, num_layers=1, seed=4)
    assert torch.equal(torch.random.get_rng_state(), state)


@pytest.mark.parametrize(
    ("unit", "rule"), BROKEN.items(), ids=[u.__name__ for u in BROKEN]
)
def test_each_broken_rule_is_named(unit, rule):
    with pytest.raises(ValueError, match=f"unit {unit.__name__} breaks the '{rule}'"):
        check_recurrent_unit(unit)


def test_a_factory_that_builds_no_module_is_a_type_error():
    with pytest.raises(TypeError, match="must build a torch.nn.Module"):
        check_recurrent_unit(not_a_module)


def test_a_time_first_module_is_told_to_read_batch_first():
    # Shapes alone do not show it: torch.nn.GRU keeps the layout it is given.
    with pytest.raises(ValueError, match="batch first") as info:
        check_unit_interface(TimeFirstGRU)
    assert "\n" not in str(info.value)


def test_not_a_unit_is_refused_by_kind():
    with pytest.raises(TypeError, match="not a module instance.*Pass the class"):
        check_recurrent_unit(MIRNNCell(3, 4))
    with pytest.raises(TypeError, match="unit must be one of"):
        check_recurrent_unit(3)
    with pytest.raises(ValueError, match="spec is read by the command line"):
        check_recurrent_unit("custom_units:MIRNNCell")


# -- labels and counts -------------------------------------------------------------


def test_labels_and_multiply_adds():
    assert unit_label("gru") == "gru"
    assert unit_label(MIRNNCell) == "MIRNNCell"
    assert unit_label(mirnn) == "mirnn"
    assert unit_label(partial(mirnn, num_layers=1)) == "mirnn"
    # Declared by the class; unknown for a factory that declares nothing.
    assert macs_per_step(MIRNNCell, 3, 4, 2) == 4 * 7 + 2 * 16
    assert macs_per_step(mirnn, 3, 4) is None
    assert macs_per_step("lstm", 3, 4) == 4 * 4 * 7


# -- the estimators --------------------------------------------------------------


def test_the_regressor_takes_a_unit_class_or_factory(X):
    for unit in (MIRNNCell, mirnn):
        model = RecurrentMemoryRegressor(unit, seq_len=4, **FAST).fit(X)
        assert model.predict(X).shape == X.shape
        assert model.hidden_states(X).shape == (*X.shape[:2], 4)
        assert np.isfinite(model.score(X))
        assert model.memory_profile(X).window_length == 4
        assert isinstance(model.net_.module_.encoder.recurrent, MIRNNCell)
    with pytest.raises(ValueError, match="unit is 'mirnn'"):
        model.hidden_states(X, state="hc")


def test_one_seed_gives_one_model(X):
    a, b = (RecurrentMemoryRegressor(MIRNNCell, **FAST).fit(X) for _ in range(2))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_the_classifier_and_the_language_model_take_it():
    X = token_points(30, 6, vocab_size=4, seed=1)
    y = np.arange(30) % 2
    classifier = RecurrentClassifier(mirnn, **FAST).fit(X, y)
    assert classifier.predict_proba(X).shape == (30, 2)
    ids = np.random.default_rng(0).integers(0, 6, size=(20, 7))
    language_model = RecurrentLanguageModel(MIRNNCell, embedding_dim=3, **FAST)
    assert np.isfinite(language_model.fit(ids).perplexity(ids))


def test_params_keep_the_unit_as_given(X):
    model = RecurrentMemoryRegressor(MIRNNCell, **FAST)
    assert model.get_params()["unit"] is MIRNNCell
    assert clone(model).unit is MIRNNCell
    assert "MIRNNCell" in repr(model)
    assert model.set_params(unit=mirnn).unit is mirnn
    fitted = model.fit(X)
    assert fitted.unit is mirnn  # fit builds a module, the parameter stays


# What fit checks on a tiny input: every rule but the gradients and the
# determinism of the initial weights, which only check_recurrent_unit tests.
@pytest.mark.parametrize("unit", [u for u in BROKEN if u not in FIT_ACCEPTS])
def test_fit_refuses_a_broken_unit_in_one_line_before_training(unit, X):
    model = RecurrentMemoryRegressor(unit, **FAST)
    with pytest.raises(ValueError, match=f"breaks the '{BROKEN[unit]}'") as info:
        model.fit(X)
    assert "\n" not in str(info.value)
    assert not hasattr(model, "net_")


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        (
            StatefulInTraining,
            "'determinism' rule: two calls on one input under one torch seed differ "
            "in training mode: the module keeps state between calls",
        ),
        (
            Float64Outputs,
            "'shape' rule: outputs are torch.float64 for inputs of torch.float32",
        ),
        (
            NaNInTraining,
            "'shape' rule: outputs hold NaN or infinite values on a random input in "
            "training mode",
        ),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_unit_is_checked_in_training_mode_as_it_will_train(unit, message, X):
    # Each passes in eval mode alone: the checks read it as it trains, too.
    with torch.no_grad():
        unit(3, 4, 1).eval()(torch.zeros(2, 5, 3))
    for check in (
        lambda: check_recurrent_unit(unit),
        lambda: RecurrentMemoryRegressor(unit, **FAST).fit(X),
    ):
        with pytest.raises(ValueError) as info:
            check()
        text = str(info.value)
        assert text.startswith(f"unit {unit.__name__} breaks the {message}"), text
        assert "\n" not in text and "lr" not in text


def test_a_nan_loss_before_any_update_is_not_called_divergence(X):
    with pytest.raises(ValueError) as info:
        RecurrentMemoryRegressor(NaNOnLargeBatches, **FAST).fit(X)
    text = str(info.value)
    assert text.startswith(
        "Training of unit NaNOnLargeBatches gave a NaN or infinite loss on its first "
        "batch, before any update"
    )
    assert "Lower lr" not in text and "the learning rate is not the cause" in text


def test_divergence_names_the_unit(X):
    with pytest.raises(ValueError, match="the weights of unit MIRNNCell became NaN"):
        RecurrentMemoryRegressor(
            MIRNNCell, optimizer="sgd", lr=1e25, **{**FAST, "max_epochs": 3}
        ).fit(X)


def test_a_fitted_model_pickles_with_an_importable_unit(X):
    model = RecurrentMemoryRegressor(MIRNNCell, **FAST).fit(X)
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_a_fitted_model_of_a_local_unit_says_why_it_cannot_be_pickled(X):
    class LocalCell(MIRNNCell):
        pass

    model = RecurrentMemoryRegressor(LocalCell, **FAST).fit(X)  # no pickling
    with pytest.raises(pickle.PicklingError, match="LocalCell.*importable module"):
        pickle.dumps(model)


# -- searches and scorers ----------------------------------------------------------


def test_grid_search_over_user_and_builtin_units_in_two_processes(X):
    def search(n_jobs):
        return GridSearchCV(
            RecurrentMemoryRegressor("gru", **FAST),
            {"unit": [MIRNNCell, "gru"], "seq_len": [3, 6]},
            scoring=memory_scorers(),
            refit="memory_capacity",
            cv=KFold(2),
            n_jobs=n_jobs,
        ).fit(X)

    serial, parallel = search(1), search(2)
    for name in memory_scorers():
        key = f"mean_test_{name}"
        np.testing.assert_array_equal(
            parallel.cv_results_[key], serial.cv_results_[key]
        )
    assert list(parallel.cv_results_["param_unit"]) == [MIRNNCell, "gru"] * 2
    assert set(recommend_seq_len(parallel.cv_results_)) == {MIRNNCell, "gru"}
    assert parallel.best_estimator_.predict(X).shape == X.shape


MAIN_SCRIPT = """
import pickle
import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.base import clone
from skorch.callbacks import Callback, EarlyStopping
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn_rnnmemory import RecurrentMemoryRegressor

class MainCell(torch.nn.GRU):
    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__(input_size, hidden_size, num_layers, batch_first=True)

X = np.random.default_rng(0).normal(size=(24, 6, 3)).astype("float32")
model = RecurrentMemoryRegressor(MainCell, hidden_size=4, max_epochs=1, device="cpu")
fitted = pickle.loads(pickle.dumps(clone(model).fit(X)))
print("serial ok")
GridSearchCV(model, {"seq_len": [3, 6]}, cv=KFold(2), n_jobs=2).fit(X)
print("grid search ok")
for way, run in [
    ("back", lambda: cross_validate(model, X, n_jobs=2, return_estimator=True)),
    ("there", lambda: Parallel(n_jobs=2)(delayed(fitted.score)(X) for _ in "ab")),
]:
    try:
        run()
    except Exception as exc:
        # loading fails in the worker, which loky reports as a broken pool
        # caused by the worker's error
        cause = exc.__cause__ if "Pool" in type(exc).__name__ else exc
        print(way, "refused:", " ".join(str(cause).split()))
"""


@pytest.mark.slow
def test_a_unit_defined_in_main(tmp_path):
    # A serial run works, and so does a search: joblib sends the unit made in
    # __main__ to its workers by value. A fitted model of it cannot travel
    # between processes, either way, and the errors say why.
    script = tmp_path / "study.py"
    script.write_text(MAIN_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["serial ok", "grid search ok"]
    assert lines[2].startswith("back refused: Cannot pickle a fitted model of unit ")
    assert lines[3].startswith("there refused: ")
    assert "Cannot load a fitted network in this process" in lines[3]
    for line in lines[2:]:
        assert "MainCell" in line and "__main__" in line
        assert "importable module" in line


# -- the study, its files and figures ------------------------------------------------


def test_a_study_labels_counts_and_resumes_a_user_unit(X, tmp_path):
    study = {
        "units": [MIRNNCell, mirnn, "gru"],
        "seq_lens": [3, 6],
        "hidden_sizes": [4],
        "seeds": [0],
        "max_steps": 4,
        "estimator_params": {"device": "cpu"},
        "progress": False,
    }
    path = tmp_path / "results.jsonl"
    # enough sequences that the plateau's validation share and the test data
    # each hold the floor's windows
    X = token_points(100, 8, vocab_size=5, seed=3)
    result = run_study(X[:70], X[70:], results_file=path, **study)
    assert [r["status"] for r in result.rows] == ["ok"] * 6
    assert [r["unit"] for r in result.rows[::2]] == ["MIRNNCell", "mirnn", "gru"]
    cell, factory = result.rows[0], result.rows[2]
    model = RecurrentMemoryRegressor(MIRNNCell, hidden_size=4).fit(X[:4])
    assert (
        cell["n_parameters"]
        == factory["n_parameters"]
        == sum(p.numel() for p in model.net_.module_.parameters())
    )
    assert cell["macs_per_step"] == macs_per_step(MIRNNCell, X.shape[2], 4, 1)
    assert np.isnan(factory["macs_per_step"]) and np.isnan(factory["capacity_per_mac"])
    assert np.isfinite(cell["capacity_per_mac"])
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["unit"] in {"MIRNNCell", "mirnn", "gru"}

    path.write_text("\n".join(lines[:4]) + "\n")
    resumed = run_study(X[:70], X[70:], results_file=path, resume=True, **study)
    assert [r["unit"] for r in resumed.rows] == [r["unit"] for r in result.rows]
    assert len(path.read_text().splitlines()) == 6
    assert set(resumed.recommendations()) == {
        ("MIRNNCell", 4),
        ("mirnn", 4),
        ("gru", 4),
    }
    plot_retention_curves(result, tmp_path / "curves.png")
    plot_capacity_vs_length(result, tmp_path / "capacity.png")
    assert (tmp_path / "curves.png").stat().st_size > 0


def test_a_study_refuses_a_broken_unit_or_two_units_of_one_name(X, tmp_path):
    path = tmp_path / "results.jsonl"
    with pytest.raises(ValueError, match="TimeFirstGRU breaks the 'batch-first'"):
        run_study(X, X, units=["gru", TimeFirstGRU], results_file=path, progress=False)
    assert not path.exists()

    class Twin(MIRNNCell):
        pass

    Twin.__name__ = "MIRNNCell"
    with pytest.raises(ValueError, match="two different units labelled 'MIRNNCell'"):
        run_study(X, X, units=[MIRNNCell, Twin], progress=False)


# -- the command line --------------------------------------------------------------

CLI = ["--lengths", "3,5", "--epochs", "1", "--n-sequences", "30", "--no-progress"]


def test_the_cli_assesses_an_importable_user_unit(tmp_path):
    # The installed console script, run in the folder that holds the module,
    # as a user would run it.
    script = Path(sys.executable).with_name("rnnmemory")
    command = [str(script)]
    if not script.exists():
        command = [sys.executable, "-m", "sklearn_rnnmemory"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [*command, "assess", "--units", "gru,custom_units:MIRNNCell", *CLI,
         "--n-jobs", "1", "--hidden-sizes", "4", "--output", str(tmp_path)],
        cwd=TESTS, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Memory of gru, MIRNNCell on corpus" in done.stdout
    recommended = json.loads((tmp_path / "recommendations.json").read_text())
    assert [entry["unit"] for entry in recommended] == ["gru", "MIRNNCell"]
    rows = [json.loads(line) for line in open(tmp_path / "results.jsonl")]
    assert {(r["unit"], r["status"]) for r in rows} == {
        ("gru", "ok"),
        ("MIRNNCell", "ok"),
    }


@pytest.fixture
def ctrl_c_raises():
    """Ctrl-C raises KeyboardInterrupt here, even where this process was
    started with SIGINT ignored (a background job)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize(
    ("estimator", "X", "y"),
    [
        (RecurrentMemoryRegressor, "points", None),
        (RecurrentClassifier, "points", "labels"),
        (RecurrentLanguageModel, "ids", None),
    ],
)
def test_ctrl_c_inside_training_stops_fit_and_leaves_it_unfitted(
    ctrl_c_raises, estimator, X, y
):
    # skorch alone would end training quietly and keep a half-trained model.
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 5, size=(40, 8))
    data = {"points": np.eye(5, dtype=np.float32)[ids], "ids": ids}
    labels = None if y is None else ids[:, 0] % 2
    model = estimator("gru", hidden_size=4, max_epochs=2, random_state=0)
    model.fit(data[X], labels)  # a first fit, so that a stale one could remain
    model.set_params(unit=CtrlCGRU, max_epochs=20)
    torch_state = torch.get_rng_state()
    with pytest.raises(KeyboardInterrupt, match=r"fit was interrupted; the estim"):
        model.fit(data[X], labels)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    assert set(vars(model)) == set(model.get_params())
    assert torch.equal(torch.get_rng_state(), torch_state)


class _CtrlCAtTrainEnd(Callback):
    def on_train_end(self, net, **kwargs):
        raise KeyboardInterrupt


def test_ctrl_c_outside_the_training_loop_leaves_no_earlier_model():
    X = token_points(40, 8)
    model = RecurrentMemoryRegressor("gru", hidden_size=4, max_epochs=1).fit(X)
    model.set_params(callbacks=[_CtrlCAtTrainEnd()])
    with pytest.raises(KeyboardInterrupt, match="fit was interrupted"):
        model.fit(X * 1000)  # another input scale: a stale net would misread it
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    assert set(vars(model)) == set(model.get_params())


def test_early_stopping_still_ends_training_quietly():
    # skorch's EarlyStopping stops by raising KeyboardInterrupt: not Ctrl-C.
    X = token_points(40, 8)
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, max_epochs=50, lr=1e-9, random_state=0,
        callbacks=[EarlyStopping(monitor="train_loss", patience=2)],
    ).fit(X)  # fmt: skip
    assert len(model.history_) < 50
    check_is_fitted(model)


def test_ctrl_c_inside_training_stops_run_study_with_nothing_recorded(
    ctrl_c_raises, tmp_path
):
    from sklearn_rnnmemory.study import run_study

    X = token_points(30, 10)
    results = tmp_path / "results.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run_study(
            X, X, units=[CtrlCGRU], seq_lens=[3, 5], hidden_sizes=[4], seeds=[0],
            max_steps=50, results_file=results, progress=False,
        )  # fmt: skip
    assert results.read_text() == ""


def test_ctrl_c_inside_training_stops_the_study(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-m", "sklearn_rnnmemory", "assess", "--units",
         "custom_units:CtrlCGRU", "--lengths", "3,5", "--max-steps", "50",
         "--n-sequences", "30", "--no-progress", "--n-jobs", "1",
         "--hidden-sizes", "4", "--output", str(tmp_path)],
        cwd=TESTS, env=env, capture_output=True, text=True, timeout=300,
        # a child of a background job would inherit SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().splitlines() == [
        "rnnmemory: interrupted before any configuration finished."
    ]
    assert (tmp_path / "results.jsonl").read_text() == ""


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("custom_units:TimeFirstGRU", "--units TimeFirstGRU breaks the 'batch-first'"),
        ("custom_units:BidirectionalGRU", "breaks the 'padding' rule"),
        ("custom_units:not_a_module", "must build a torch.nn.Module"),
        ("custom_units:Missing", "module 'custom_units' has no attribute 'Missing'"),
        ("no_such_package.cells:Cell", "cannot import module 'no_such_package.cells'"),
        ("custom_units:", "expected a built-in name or 'package.module:attribute'"),
    ],
)
def test_the_cli_refuses_a_unit_in_one_line_before_training(
    spec, message, tmp_path, capsys
):
    with pytest.raises(SystemExit) as info:
        main(["assess", "--units", f"gru,{spec}", *CLI, "--output", str(tmp_path)])
    assert info.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("rnnmemory: error: --units ")
    assert message in error
    assert not (tmp_path / "results.jsonl").exists()


def test_import_unit_returns_the_object():
    assert import_unit("gru") == "gru"
    assert import_unit("custom_units:MIRNNCell") is MIRNNCell
