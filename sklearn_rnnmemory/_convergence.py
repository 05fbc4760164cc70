"""The rule behind ``converged_``: whether the training loss had levelled off
(definitions §3.7)."""

import math
from collections.abc import Sequence

import numpy as np

#: Share of the updates in each of the two spans that the convergence rule
#: compares, and the relative improvement below which the loss has levelled off.
CONVERGENCE_SPAN = 0.1
CONVERGENCE_TOL = 0.02
#: Fewer updates than this are too few to tell.
_MIN_UPDATES = 20


def percent(share: float) -> str:
    """A share as the docs write it: ``0.02`` as ``"2 %"``."""
    return f"{100 * share:g} %"


#: The rule in words, for docstrings and reports.
CONVERGENCE_RULE = (
    f"its mean over the last {percent(CONVERGENCE_SPAN)} of the updates was less "
    f"than {percent(CONVERGENCE_TOL)} below its mean over the "
    f"{percent(CONVERGENCE_SPAN)} before (fewer than {_MIN_UPDATES} updates count "
    "as not converged)"
)


def loss_levelled_off(batch_losses: Sequence[float]) -> bool:
    """Whether training had levelled off: the rule behind ``converged_``.

    The mean training loss over the last tenth of the updates is compared
    with its mean over the tenth before: the loss has levelled off when the
    last tenth improved on it by less than 2 %. Fewer than 20 updates are too
    few to tell, and count as not converged.

    Parameters
    ----------
    batch_losses : sequence of float
        The training loss of every update, in order.

    Returns
    -------
    converged : bool
    """
    losses = np.asarray(batch_losses, dtype=float)
    span = max(math.ceil(CONVERGENCE_SPAN * losses.size), 1)
    if losses.size < max(_MIN_UPDATES, 2 * span):
        return False
    last = losses[-span:].mean()
    before = losses[-2 * span : -span].mean()
    return bool(last >= before * (1 - CONVERGENCE_TOL))
