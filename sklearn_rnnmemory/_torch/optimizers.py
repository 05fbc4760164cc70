"""The optimizers an estimator takes by name, and their fused implementations."""

from __future__ import annotations

import functools
from typing import Any

import torch

#: What ``optimizer`` takes: a name or a torch optimizer class.
OptimizerLike = str | type[torch.optim.Optimizer]

#: Optimizers by the names the estimators take.
OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}


def check_optimizer(optimizer: Any, name: str = "optimizer") -> type:
    """The optimizer class ``optimizer`` names, or ``optimizer`` itself if it
    is a torch optimizer class; else raise."""
    if isinstance(optimizer, str) and optimizer in OPTIMIZERS:
        return OPTIMIZERS[optimizer]
    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        return optimizer
    raise ValueError(
        f"{name} must be one of {sorted(OPTIMIZERS)} or a torch optimizer "
        f"class; got {optimizer!r}."
    )


@functools.cache
def supports_fused(optimizer: type, device: str) -> bool:
    """Whether ``optimizer(..., fused=True)`` runs on ``device`` with this torch.

    The fused implementations (one kernel for every parameter's update, on
    CPU since torch 2.4) give the same updates as the default loop over
    parameters up to float rounding, and save a dozen small operations per
    parameter tensor and step.
    """
    parameter = torch.zeros(1, device=device, requires_grad=True)
    try:
        optimizer([parameter], lr=0.1, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return False
    return True
