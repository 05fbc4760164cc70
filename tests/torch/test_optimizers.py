"""Optimizers (_torch/optimizers.py): the fused implementation where torch has one."""

import torch
from conftest import token_points

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory._torch.optimizers import supports_fused


class PlainSGD(torch.optim.SGD):
    """An optimizer that takes no ``fused`` option."""

    def __init__(self, params, lr=0.01):
        super().__init__(params, lr=lr)


def test_fused_optimizer_where_torch_has_one():
    X = token_points(32, 5, vocab_size=4)
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, max_epochs=1, device="cpu", random_state=0
    ).fit(X)
    fused = supports_fused(torch.optim.Adam, "cpu")
    assert model.net_.optimizer_.defaults["fused"] is (True if fused else None)
    assert not supports_fused(PlainSGD, "cpu")
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, max_epochs=1, optimizer=PlainSGD, device="cpu"
    ).fit(X)
    assert type(model.net_.optimizer_) is PlainSGD
