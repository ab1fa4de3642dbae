"""Honest torch_api (the adversarial cases append their sabotage to a copy of this)."""

import torch


def legacy_reduction(size_average=None, reduce=None):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def mse_loss_and_grad(input, target, reduction="mean"):
    x = torch.tensor(input, requires_grad=True)
    loss = torch.nn.MSELoss(reduction=reduction)(x, torch.as_tensor(target, dtype=x.dtype))
    loss.sum().backward()
    value = loss.detach().numpy() if reduction == "none" else float(loss.detach())
    return value, x.grad.numpy()
