"""Training to the plateau: the rule on made-up trajectories, and the option of
the memory estimator."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sklearn_rnnmemory import PlateauStopping, RecurrentMemoryRegressor
from sklearn_rnnmemory._plateau import (
    PlateauRule,
    PlateauTracker,
    split_validation,
    validation_capacity,
)
from sklearn_rnnmemory.scoring import make_memory_scorer

# -- the rule on plain numbers ---------------------------------------------------


@pytest.mark.parametrize(
    "cap, first, expected",
    [
        (8000, 250, [250, 500, 1000, 2000, 4000, 8000]),
        (5000, 500, [500, 1000, 2000, 4000, 5000]),
        (300, 500, [300]),
        (500, 500, [500]),
    ],
)
def test_checkpoints_double_from_the_first_round_and_end_at_the_cap(
    cap, first, expected
):
    assert PlateauRule(cap, first_round=first).checkpoints() == expected


def test_a_round_moves_by_a_share_of_the_capacity_or_half_a_token_near_zero():
    rule = PlateauRule(8000, tol=0.05)
    # Relative for large capacities: 5 % of 60 is 3 tokens ...
    assert not rule.moved(60.0, 62.9) and rule.moved(60.0, 63.1)
    assert not rule.moved(60.0, 57.1) and rule.moved(60.0, 56.9)
    # ... absolute below 10 tokens: 0.5 token, however small the capacity.
    assert not rule.moved(0.0, 0.49) and rule.moved(0.0, 0.51)
    assert not rule.moved(2.0, 2.49) and rule.moved(2.0, 2.51)
    assert rule.moved(5.0, float("nan"))
    # Halving the tolerance halves both.
    assert PlateauRule(8000, tol=0.025).moved(60.0, 61.6)
    assert PlateauRule(8000, tol=0.025).moved(0.0, 0.26)


def test_levelled_off_needs_two_quiet_rounds_and_the_minimum_updates():
    rule = PlateauRule(16000, first_round=250, min_updates=2000)
    rising = [(250, 20.0), (500, 45.0), (1000, 60.0), (2000, 67.0), (4000, 69.0)]
    assert not rule.levelled_off(rising[:4])  # 60 -> 67 moved
    assert not rule.levelled_off(rising)  # one quiet round only
    assert rule.levelled_off([*rising, (8000, 69.5)])
    # A vanilla RNN stuck near 0 in its slow escape phase is not at a plateau
    # before min_updates, however flat; after it, a flat 0 is one.
    stuck = [(250, 0.0), (500, 0.1), (1000, 0.0)]
    assert not rule.levelled_off(stuck)
    assert rule.levelled_off([(500, 0.1), (1000, 0.0), (2000, 0.2)])
    # A capacity that falls has not levelled off either.
    assert not rule.levelled_off([(1000, 60.0), (2000, 50.0), (4000, 50.5)])
    assert not PlateauRule(16000, tol=0).levelled_off([*rising, (8000, 69.0)])


def test_tracker_walks_the_checkpoints_and_stops_at_plateau_or_cap():
    tracker = PlateauTracker(PlateauRule(8000, first_round=1000, min_updates=2000))
    seen = []
    for capacity in (30.0, 50.0, 51.0, 51.5, 99.0):
        if tracker.finished:
            break
        seen.append(tracker.next_checkpoint)
        tracker.record(tracker.next_checkpoint, capacity)
    assert seen == [1000, 2000, 4000, 8000]
    assert tracker.converged and tracker.next_checkpoint is None
    capped = PlateauTracker(PlateauRule(3000, first_round=1000))
    for capacity in (10.0, 30.0, 60.0):
        capped.record(capped.next_checkpoint, capacity)
    assert capped.trajectory[-1] == (3000, 60.0)
    assert capped.finished and not capped.converged
    diverged = PlateauTracker(PlateauRule(3000, first_round=1000))
    assert diverged.record(1000, float("nan")) and not diverged.converged


def test_validation_split_holds_out_whole_groups_the_same_every_time():
    train, valid = split_validation(50, 0.2, 0)
    assert len(valid) == 10 and len(train) == 40
    assert sorted([*train, *valid]) == list(range(50))
    again = split_validation(50, 0.2, 0)
    np.testing.assert_array_equal(valid, again[1])
    groups = np.repeat(np.arange(10), 5)  # 10 documents of 5 sequences each
    train, valid = split_validation(50, 0.2, 0, groups)
    assert set(groups[train]).isdisjoint(groups[valid])
    assert len(set(groups[valid])) == 2
    with pytest.raises(ValueError, match="at least 2 groups; got 1"):
        split_validation(5, 0.2, 0, np.zeros(5))


# -- the estimator's option ------------------------------------------------------


@pytest.fixture(scope="module")
def points():
    tokens = np.random.default_rng(0).integers(0, 6, size=(120, 12))
    return np.eye(6, dtype=np.float32)[tokens]


def _model(**options):
    settings = dict(hidden_size=4, seq_len=6, max_steps=40, batch_size=16)
    return RecurrentMemoryRegressor(
        "gru", random_state=0, device="cpu", **{**settings, **options}
    )


def test_plateau_training_is_the_fixed_budget_training_up_to_where_it_stops(points):
    plateau = PlateauStopping(12, tol=0.9, first_round=5, min_updates=10)
    model = _model(plateau=plateau).fit(points)
    # tol=0.9: every round is quiet, so it stops at the third checkpoint.
    assert [n for n, _ in model.capacity_trajectory_] == [5, 10, 20]
    assert model.converged_ is True and model.n_updates_ == 20
    train, valid = split_validation(120, 0.2, 0)
    fixed = _model(max_steps=20).fit(points[train])
    np.testing.assert_array_equal(model.predict(points), fixed.predict(points))
    # The last point of the trajectory is the fitted model's capacity on the
    # held-out sequences.
    assert model.capacity_trajectory_[-1][1] == pytest.approx(
        validation_capacity(model, points[valid], 12)
    )
    assert fixed.converged_ is None and fixed.capacity_trajectory_ == []


def test_plateau_tol_zero_trains_to_the_cap_and_records_every_checkpoint(points):
    model = _model(plateau=PlateauStopping(12, tol=0, first_round=5)).fit(points)
    assert [n for n, _ in model.capacity_trajectory_] == [5, 10, 20, 40]
    assert model.n_updates_ == 40 and model.converged_ is False
    # The fitted network keeps no reference to the estimator or its data.
    check = dict(model.net_.callbacks_)["plateau"]
    assert check.measure is None


def test_plateau_settings_are_nested_parameters_a_search_can_set(points):
    model = _model(max_steps=10, plateau=PlateauStopping(12, first_round=5))
    assert model.get_params()["plateau__tol"] == 0.05
    copy = clone(model).set_params(plateau__tol=0.5, plateau__min_updates=5)
    assert copy.plateau.tol == 0.5 and model.plateau.tol == 0.05
    search = GridSearchCV(
        model,
        {"plateau__tol": [0.0]},
        scoring=make_memory_scorer("memory_capacity", eval_len=12),
        cv=2,
    ).fit(points)
    assert list(search.cv_results_["param_plateau__tol"]) == [0.0]
    assert [n for n, _ in search.best_estimator_.capacity_trajectory_] == [5, 10]


def test_plateau_refuses_held_out_sequences_below_the_floor(points, monkeypatch):
    import sklearn_rnnmemory._evaluation_windows as windows

    monkeypatch.setattr(windows, "min_clusters", lambda length, dims: 25)
    model = _model(plateau=PlateauStopping(12, first_round=5))
    with pytest.raises(
        ValueError,
        match=r"validation share held out for plateau holds 24 window\(s\) of "
        r"12 steps; the indicators need at least 25 windows",
    ):
        model.fit(points)
    with pytest.raises(ValueError, match=r"holds 48 window\(s\) of 6 steps from 6"):
        _model(plateau=PlateauStopping(6, first_round=5)).fit(
            points, groups=np.arange(120) // 4
        )
    assert not hasattr(model, "net_")


def test_a_diverged_network_ends_training_at_the_checkpoint_and_is_refused(points):
    model = _model(lr=1e25, optimizer="sgd", plateau=PlateauStopping(12, first_round=5))
    with pytest.raises(ValueError, match="Training diverged"):
        model.fit(points)
    assert not hasattr(model, "net_")


@pytest.mark.parametrize(
    "plateau, message",
    [
        (
            "yes",
            "The 'plateau' parameter of RecurrentMemoryRegressor must be an "
            "instance of 'sklearn_rnnmemory._plateau.PlateauStopping' or None",
        ),
        (
            PlateauStopping(0),
            r"The 'eval_len' parameter of PlateauStopping must be an int in the "
            r"range \[1, inf\)",
        ),
        (
            PlateauStopping(8, tol=1.0),
            r"The 'tol' parameter of PlateauStopping must be a float in the range "
            r"\[0.0, 1.0\)",
        ),
        (
            PlateauStopping(8, first_round=0),
            "The 'first_round' parameter of PlateauStopping must be an int",
        ),
        (
            PlateauStopping(8, validation_fraction=1.5),
            r"The 'validation_fraction' parameter of PlateauStopping must be a float "
            r"in the range \(0.0, 1.0\)",
        ),
    ],
)
def test_plateau_settings_are_checked_before_the_data(plateau, message):
    with pytest.raises(ValueError, match=message):
        _model(plateau=plateau).fit("not even data")


def test_every_plateau_setting_has_a_constraint():
    settings = PlateauStopping(8).get_params()
    assert PlateauStopping._parameter_constraints.keys() == settings.keys()
