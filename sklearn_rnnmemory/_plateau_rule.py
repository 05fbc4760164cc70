"""The plateau rule on plain numbers: when a capacity trajectory has levelled off.

Kept apart from the training side of :mod:`._plateau` (torch, skorch), so that
reading a finished study's rule, as its report does, loads neither.
"""

from dataclasses import dataclass

import numpy as np

#: Default tolerance: a round "moved" when the capacity changed by at least
#: this share of itself ...
PLATEAU_TOL = 0.05
#: ... or, for small capacities, of this many tokens (so 0.5 token at the
#: default tolerance): near 0, a relative change is noise.
SMALL_CAPACITY = 10.0
#: Updates of the first round; each later round doubles the updates made.
FIRST_ROUND = 250
#: No plateau is called before this many updates: the memory task has a slow
#: escape phase, in which the capacity sits near 0 before it rises.
MIN_UPDATES = 2000
#: Share of the training sequences held out to measure the capacity on.
VALIDATION_FRACTION = 0.2


def _check_tol(tol, name="tol"):
    from ._validation import check_real

    return check_real(tol, name, low=0, high=1, closed="left")


@dataclass(frozen=True)
class PlateauRule:
    """When a capacity trajectory has levelled off.

    Parameters
    ----------
    max_steps : int
        The cap: the last checkpoint, reached whatever the trajectory.
    tol : float in [0, 1), default=0.05
        A round moved when the capacity changed by at least ``tol`` times the
        larger of its earlier value and 10 tokens; 0 never calls a plateau.
    first_round : int, default=250
        Updates before the first checkpoint.
    min_updates : int, default=2000
        The fewest updates at which a plateau may be called.

    Examples
    --------
    >>> from sklearn_rnnmemory._plateau import PlateauRule
    >>> rule = PlateauRule(5000, first_round=500, min_updates=1000)
    >>> rule.checkpoints()
    [500, 1000, 2000, 4000, 5000]
    >>> rule.levelled_off([(500, 20.0), (1000, 40.0), (2000, 41.0)])
    False
    >>> rule.levelled_off([(1000, 40.0), (2000, 41.0), (4000, 41.5)])
    True
    """

    max_steps: int
    tol: float = PLATEAU_TOL
    first_round: int = FIRST_ROUND
    min_updates: int = MIN_UPDATES

    def __post_init__(self):
        # Imported here: the checks load scipy, which the defaults above (read
        # by the command line's help) need not.
        from ._validation import check_positive_int

        check_positive_int(self.max_steps, "max_steps")
        _check_tol(self.tol)
        check_positive_int(self.first_round, "first_round")
        check_positive_int(self.min_updates, "min_updates")

    def checkpoints(self) -> list[int]:
        """Update counts at which the capacity is measured: ``first_round``
        doubled until the cap, and the cap."""
        points, n = [], self.first_round
        while n < self.max_steps:
            points.append(n)
            n *= 2
        return [*points, self.max_steps]

    def moved(self, before: float, after: float) -> bool:
        """Whether the capacity moved from ``before`` to ``after`` by at least
        the tolerance (NaN always moves)."""
        change = abs(after - before)
        if not np.isfinite(change):
            return True
        return bool(change >= self.tol * max(abs(before), SMALL_CAPACITY))

    def levelled_off(self, trajectory: list[tuple[int, float]]) -> bool:
        """Whether the last two rounds of ``(updates, capacity)`` pairs each
        moved less than the tolerance, at ``min_updates`` or more."""
        if self.tol == 0 or len(trajectory) < 3:
            return False
        (_, c2), (_, c1), (updates, c0) = trajectory[-3:]
        return (
            updates >= self.min_updates
            and not self.moved(c2, c1)
            and not self.moved(c1, c0)
        )

    def describe(self) -> str:
        """The rule in words, for reports."""
        if self.tol == 0:
            return f"trained to the cap of {self.max_steps:,} updates"
        return (
            f"capacity measured after {self.first_round:,} updates and every "
            f"doubling; levelled off when it moved by less than "
            f"{self.tol:.0%} (at least {self.tol * SMALL_CAPACITY:g} token) "
            f"over two consecutive rounds, after at least "
            f"{self.min_updates:,} updates; cap {self.max_steps:,} updates"
        )
