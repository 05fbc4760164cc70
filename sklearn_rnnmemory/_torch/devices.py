"""The device an estimator trains on: ``"auto"`` resolved, anything else checked."""

from __future__ import annotations

from typing import Any

import torch

#: What the estimators take as ``device``.
DeviceLike = str | torch.device | int | None


def resolve_device(device: DeviceLike) -> str | torch.device | int:
    """Resolve ``"auto"`` to ``"cuda"`` when CUDA is available, else ``"cpu"``;
    ``None`` to torch's default device."""
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device is None:
        return torch.empty(0).device
    return device


def check_device(device: Any, name: str = "device") -> str:
    """The torch device ``device`` names, as a string, once a tensor has made
    the round trip to it and back; else raise."""
    if isinstance(device, bool) or not (
        device is None or isinstance(device, str | torch.device | int)
    ):
        raise TypeError(
            f"{name} must be 'auto', a torch device name such as 'cpu' or "
            f"'cuda:0', a torch.device or None; got {device!r}."
        )
    try:
        resolved = torch.device(resolve_device(device))
        # A round trip: a device that holds no data (meta) fails here.
        torch.ones(1, device=resolved).cpu()
    except (
        RuntimeError,
        AssertionError,
        ValueError,
        TypeError,
        NotImplementedError,
    ) as exc:
        raise ValueError(
            f"{name} {device!r} cannot be used here: {exc}".rstrip()
        ) from None
    return str(resolved)
