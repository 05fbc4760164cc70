"""The CUDA path: skipped where no CUDA device is present."""

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory._torch.devices import resolve_device
from sklearn_rnnmemory.scoring import memory_scorers

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


def test_auto_resolves_to_cuda_only_when_available(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"
    assert resolve_device("cpu") == "cpu"


def test_auto_keeps_the_parameter_and_records_the_device(points):
    model = RecurrentMemoryRegressor("gru", hidden_size=4, max_epochs=1).fit(points)
    assert model.device == "auto"
    assert model.device_ == ("cuda" if torch.cuda.is_available() else "cpu")


@cuda
@pytest.mark.parametrize("unit", ["rnn", "lstm", "gru"])
def test_cuda_fit_predict_score_match_cpu_shapes(points, unit):
    params = {"hidden_size": 8, "seq_len": 6, "max_epochs": 3, "random_state": 0}
    gpu = RecurrentMemoryRegressor(unit, device="cuda", **params).fit(points)
    assert next(gpu.net_.module_.parameters()).is_cuda
    predicted = gpu.predict(points)
    assert isinstance(predicted, np.ndarray) and predicted.shape == points.shape
    states = gpu.hidden_states(points)
    assert states.shape == (64, 12, 8)
    for scorer in memory_scorers().values():
        assert np.isfinite(scorer(gpu, points))
    cpu = RecurrentMemoryRegressor(unit, device="cpu", **params).fit(points)
    # Same seed, other device: close, not bitwise (cuDNN kernels differ).
    assert abs(gpu.score(points) - cpu.score(points)) < 0.5


@cuda
def test_cuda_grid_search_with_one_job(points):
    search = GridSearchCV(
        RecurrentMemoryRegressor("lstm", hidden_size=8, max_epochs=2, device="cuda"),
        {"seq_len": [3, 6]},
        scoring=memory_scorers(),
        refit="memory_capacity",
        cv=KFold(2),
        n_jobs=1,
    ).fit(points)
    assert search.best_estimator_.device_ == "cuda"
    assert np.isfinite(search.cv_results_["mean_test_memory_capacity"]).all()


@cuda
def test_cuda_fit_leaves_every_generator_as_it_was_and_follows_its_seed(points):
    torch.manual_seed(11)
    cpu_state, cuda_state = torch.get_rng_state(), torch.cuda.get_rng_state()
    params = {"hidden_size": 4, "max_epochs": 2, "device": "cuda", "random_state": 3}
    first = RecurrentMemoryRegressor("gru", **params).fit(points)
    assert torch.equal(torch.get_rng_state(), cpu_state)
    assert torch.equal(torch.cuda.get_rng_state(), cuda_state)
    torch.manual_seed(12)
    second = RecurrentMemoryRegressor("gru", **params).fit(points)
    # cuDNN kernels need not be bitwise reproducible: close, not equal.
    np.testing.assert_allclose(
        first.predict(points), second.predict(points), rtol=1e-4, atol=1e-5
    )


@cuda
@pytest.mark.parametrize("unit", ["rnn", "lstm", "gru"])
def test_cuda_stacked_seeds_train_each_seed_as_its_own_fit(points, unit):
    from sklearn_rnnmemory._torch.stacked_seeds import StackedSeeds

    params = {"hidden_size": 8, "seq_len": 6, "batch_size": 16, "device": "cuda"}
    stack = StackedSeeds(unit, [0, 1], points, **params)
    stack.advance(4)
    stack.stop(1)
    stack.advance(3)
    for seed, updates in ((0, 7), (1, 4)):
        fitted = stack.fitted(seed)
        assert fitted.device_.startswith("cuda") and fitted.n_updates_ == updates
        alone = RecurrentMemoryRegressor(
            unit, random_state=seed, max_steps=updates, **params
        ).fit(points)
        # the stack's loops against cuDNN's kernels: close, not bitwise
        for name, value in alone.net_.module_.state_dict().items():
            torch.testing.assert_close(
                fitted.net_.module_.state_dict()[name], value, rtol=1e-3, atol=1e-4
            )
        assert np.isfinite(fitted.score(points))


@cuda
def test_cuda_training_of_window_units_runs_torchs_kernel(points):
    from sklearn_rnnmemory._torch.window_units import WindowGRU

    unit = WindowGRU(3, 5, batch_first=True).cuda()
    x = torch.randn(4, 20, 3, device="cuda")
    assert not unit._by_window(x)
    reference = torch.nn.GRU(3, 5, batch_first=True).cuda()
    reference.load_state_dict(unit.state_dict())
    torch.testing.assert_close(unit(x)[0], reference(x)[0])
