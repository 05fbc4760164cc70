"""Seeding torch for one fit without touching the user's random state, and
carrying a fit's random state over to its continuation."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch


def _accelerator(device_type: str):
    return torch.get_device_module(device_type)


def _forked(device_type: str):
    """``torch.random.fork_rng`` over the generators a fit on ``device_type``
    draws from."""
    if device_type == "cpu":
        return torch.random.fork_rng(devices=[])
    count = getattr(_accelerator(device_type), "device_count", lambda: 1)()
    return torch.random.fork_rng(devices=range(count), device_type=device_type)


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
    with _forked(device_type):
        if device_type == "cpu":
            torch.random.default_generator.manual_seed(seed)
        else:
            torch.manual_seed(seed)
        yield


@dataclass
class GeneratorStates:
    """The states of the generators a fit on ``device`` draws from.

    Taken at the end of a fit (inside :func:`seeded`), so that training
    continued later (:func:`continued`) draws what the fit would have drawn
    next, for a unit that draws random numbers while training.
    """

    device: str
    cpu: torch.Tensor
    accelerator: list[torch.Tensor] | None = None

    @classmethod
    def capture(cls, device: str) -> "GeneratorStates":
        """The generators' states now."""
        device_type = torch.device(device).type
        accelerator = None
        if device_type != "cpu":
            accelerator = _accelerator(device_type).get_rng_state_all()
        return cls(device, torch.random.get_rng_state(), accelerator)


@contextmanager
def continued(states: GeneratorStates) -> Iterator[None]:
    """Inside: torch's generators at ``states``; on the way out ``states``
    holds where they got to, and the user's generators are back where they
    were."""
    device_type = torch.device(states.device).type
    with _forked(device_type):
        torch.random.set_rng_state(states.cpu)
        if states.accelerator is not None:
            _accelerator(device_type).set_rng_state_all(states.accelerator)
        try:
            yield
        finally:
            new = GeneratorStates.capture(states.device)
            states.cpu, states.accelerator = new.cpu, new.accelerator
