"""The plateau rule (_plateau_rule.py): its checkpoints, what a round must move, when
training has levelled off."""

import pytest

from sklearn_rnnmemory._plateau_rule import PlateauRule


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
