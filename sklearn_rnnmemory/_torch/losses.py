"""The training losses of the memory task (definitions §3.3) and of the language
model."""

from torch import Tensor, nn


class MaskedSemanticLoss(nn.Module):
    """Mean over valid steps of ``||S^_t - S_t||^2``.

    Parameters
    ----------
    masked : bool, default=True
        ``True``: ``y_true`` is ``(B, T, d + 1)``, the targets ``S_t`` (zero
        at padding) and, last, the validity mask (1 at valid steps, 0 at
        padding). ``False``: ``y_true`` is ``(B, T, d)``, every step valid.
    """

    def __init__(self, masked: bool = True) -> None:
        super().__init__()
        self.masked = masked

    def forward(self, y_pred: Tensor, y_true: Tensor) -> Tensor:
        if not self.masked:
            return (y_pred - y_true).pow(2).sum(-1).mean()
        mask = y_true[..., -1:]
        diff = y_pred - y_true[..., :-1]
        if bool(mask.all()):  # no padding in this batch: skip the mask
            return diff.pow(2).sum(-1).mean()
        return (diff * mask).pow(2).sum() / mask.sum().clamp(min=1)


class TokenCrossEntropy(nn.Module):
    """Mean cross-entropy of next-token logits ``(B, T, V)`` against ids
    ``(B, T)``; ids below 0 (padding) are ignored."""

    def forward(self, y_pred: Tensor, y_true: Tensor) -> Tensor:
        return nn.functional.cross_entropy(
            y_pred.reshape(-1, y_pred.shape[-1]),
            y_true.reshape(-1).long(),
            ignore_index=-1,
        )


def semantic_losses(y_pred: Tensor, y_true: Tensor, masked: bool) -> Tensor:
    """:class:`MaskedSemanticLoss` of several models at once, one per model.

    Parameters
    ----------
    y_pred : Tensor of shape (S, ..., d)
        Each model's points.
    y_true : Tensor of shape (S, ..., d + 1), or (S, ..., d) if not ``masked``
        Each model's targets, with the validity mask last if ``masked``.
    masked : bool
        Whether ``y_true`` carries the mask.

    Returns
    -------
    losses : Tensor of shape (S,)
    """
    if not masked:
        return (y_pred - y_true).pow(2).sum(-1).flatten(1).mean(1)
    mask = y_true[..., -1:]
    diff = y_pred - y_true[..., :-1]
    return (diff * mask).pow(2).flatten(1).sum(1) / mask.flatten(1).sum(1).clamp(min=1)
