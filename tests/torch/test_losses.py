"""The semantic losses (_torch/losses.py): masked and unmasked."""

import numpy as np
import torch

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory._torch.losses import MaskedSemanticLoss


def test_unmasked_loss_equals_the_masked_loss_with_every_step_valid():
    rng = np.random.default_rng(0)
    pred = torch.as_tensor(rng.normal(size=(4, 7, 3)))
    true = torch.as_tensor(rng.normal(size=(4, 7, 3)))
    with_mask = torch.cat([true, torch.ones(4, 7, 1, dtype=true.dtype)], -1)
    expected = ((pred - true) ** 2).sum(-1).mean()
    torch.testing.assert_close(MaskedSemanticLoss(masked=False)(pred, true), expected)
    torch.testing.assert_close(MaskedSemanticLoss()(pred, with_mask), expected)
    with_mask[0, 4:, -1] = 0  # padding: those steps leave the mean
    valid = with_mask[..., -1] > 0
    masked = ((pred - true) ** 2).sum(-1)[valid].mean()
    torch.testing.assert_close(MaskedSemanticLoss()(pred, with_mask), masked)


def test_fit_without_padding_trains_without_a_mask(points):
    full = points[~np.isnan(points).any(axis=(1, 2))]
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, max_epochs=1, device="cpu"
    ).fit(full)
    assert model.net_.criterion_.masked is False
    assert (
        RecurrentMemoryRegressor("gru", hidden_size=4, max_epochs=1, device="cpu")
        .fit(points)
        .net_.criterion_.masked
        is True
    )
