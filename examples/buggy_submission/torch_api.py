import torch


def legacy_reduction(size_average=None, reduce=None):
    if reduce is False:
        return "sum"                                  # should be "none"
    if size_average is False:
        return "sum"
    return "mean"


def mse_loss_and_grad(input, target, reduction="mean"):
    x = torch.tensor(input, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.MSELoss(reduction=reduction)(x, torch.tensor(target, dtype=torch.float64))
    loss.sum().backward()
    value = loss.detach().numpy()
    return (float(value) if reduction != "none" else value), x.grad.numpy()
