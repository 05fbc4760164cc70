"""Type aliases of the public API's array-side arguments (NumPy only).

The torch side's are beside what they describe: ``UnitLike`` in
:mod:`._torch.registry`, ``DeviceLike`` in :mod:`._torch.devices`,
``OptimizerLike`` in :mod:`._torch.optimizers`, ``CallbacksLike`` in
:mod:`._callbacks`.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ArrayLike", "NDArray", "RandomStateLike"]

#: What ``random_state`` takes: a seed, a ``RandomState`` or None.
RandomStateLike = int | np.integer | np.random.RandomState | None
