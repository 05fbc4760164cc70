"""Memory indicators as plain functions on arrays (no estimator, no torch).

Each takes the semantic points of the evaluated windows and the model's
semantic points, both NaN-padded ``(n, T, d)`` arrays.
"""

from ._probe import ProbeMemory, probe_memory
from ._profile import INDICATORS, MemoryProfile, memory_profile, retention_matrix
from ._retention import retention_curve, token_retention

__all__ = [
    "INDICATORS",
    "MemoryProfile",
    "ProbeMemory",
    "memory_profile",
    "probe_memory",
    "retention_curve",
    "retention_matrix",
    "token_retention",
]
