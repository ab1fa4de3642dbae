"""Honest losses (the adversarial cases append their sabotage to a copy of this)."""

import numpy as np


def _reduce(loss, reduction):
    if reduction == "mean":
        return float(np.mean(loss))
    if reduction == "sum":
        return float(np.sum(loss))
    if reduction == "none":
        return loss
    raise ValueError(f"invalid reduction {reduction!r}")


def mse(y, y_hat):
    return float(np.sum((y - y_hat) ** 2) / y.shape[0])


def mse_loss(input, target, reduction="mean"):
    return _reduce((input - target) ** 2, reduction)


def cross_entropy(y, y_hat):
    return float(-np.sum(y * np.log(np.where(y > 0, y_hat, 1.0))) / y.shape[0])


def cross_entropy_loss(logits, target, reduction="mean"):
    z = logits - np.max(logits, axis=1, keepdims=True)
    log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    if target.shape == logits.shape:
        losses = -np.sum(target * log_p, axis=1)
    else:
        losses = -log_p[np.arange(len(target)), target.astype(int)]
    return _reduce(losses, reduction)


def gaussian_log_likelihood(y, y_hat, var=1.0):
    density = -0.5 * np.log(2 * np.pi * var) - (y - y_hat) ** 2 / (2 * var)
    return float(np.sum(density) / y.shape[0])


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    var = np.asarray(var, dtype=float)
    if np.any(var < 0):
        raise ValueError("negative variance")
    if var.ndim and var.shape != input.shape:
        if var.shape == input.shape[:-1]:
            var = var[..., None]
        elif var.shape != input.shape[:-1] + (1,):
            raise ValueError("var has a shape gaussian_nll_loss does not take")
    v = np.maximum(var, eps)
    loss = 0.5 * (np.log(v) + (input - target) ** 2 / v)
    if full:
        loss = loss + 0.5 * np.log(2 * np.pi)
    return _reduce(loss, reduction)
