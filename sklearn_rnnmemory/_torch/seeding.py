"""Seeding torch for one fit without touching the user's random state."""

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def seeded(seed: int, device: str) -> Iterator[None]:
    """Seed torch's generators for the code inside; restore them afterwards.

    Inside, the generators that a fit on ``device`` draws from (the CPU's,
    for weight initialisation and shuffling, and the accelerator's on an
    accelerator) start from ``seed``, as after ``torch.manual_seed(seed)``;
    on the way out they are back where they were, so that a fit leaves the
    random state of the user's own code alone.

    Parameters
    ----------
    seed : int
        The seed.
    device : str
        The device the fit runs on, e.g. ``"cpu"`` or ``"cuda:0"``.
    """
    device_type = torch.device(device).type
    if device_type == "cpu":
        with torch.random.fork_rng(devices=[]):
            torch.random.default_generator.manual_seed(seed)
            yield
        return
    accelerator = torch.get_device_module(device_type)
    count = getattr(accelerator, "device_count", lambda: 1)()
    with torch.random.fork_rng(devices=range(count), device_type=device_type):
        torch.manual_seed(seed)
        yield
