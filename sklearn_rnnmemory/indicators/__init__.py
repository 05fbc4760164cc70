"""Memory indicators as plain functions on arrays (no estimator, no torch).

Each takes the semantic points of the evaluated windows and the model's
semantic points, both NaN-padded ``(n, T, d)`` arrays (or, for
:func:`last_step_profile`, the model's points at the windows' last step).
:func:`last_step_profile` is the one entry through which the estimators, the
scorers and the studies measure memory (definitions §3.4 and §3.5); the probe
indicators are those of definitions §3.6.
"""

from ._capacity import credit
from ._floor import min_clusters
from ._probe import ProbeMemory, check_probe_params, probe_memory
from ._profile import (
    INDICATORS,
    MemoryProfile,
    last_step_profile,
    memory_profile,
    retention_curve,
    retention_matrix,
)
from ._span import memory_span

__all__ = [
    "INDICATORS",
    "MemoryProfile",
    "ProbeMemory",
    "check_probe_params",
    "credit",
    "last_step_profile",
    "memory_profile",
    "memory_span",
    "min_clusters",
    "probe_memory",
    "retention_curve",
    "retention_matrix",
]
