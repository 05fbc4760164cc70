"""Memory indicators as plain functions on arrays (no estimator, no torch).

Each takes the semantic points of the evaluated windows and the model's
semantic points, both NaN-padded ``(n, T, d)`` arrays (or, for
:func:`last_step_profile`, the model's points at the windows' last step).
"""

from ._probe import ProbeMemory, probe_memory
from ._profile import (
    INDICATORS,
    MemoryProfile,
    credit,
    last_step_profile,
    memory_profile,
    retention_curve,
    retention_matrix,
)

__all__ = [
    "INDICATORS",
    "MemoryProfile",
    "ProbeMemory",
    "credit",
    "last_step_profile",
    "memory_profile",
    "probe_memory",
    "retention_curve",
    "retention_matrix",
]
