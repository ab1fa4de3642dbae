"""Honest linear regression (the adversarial cases append their sabotage to a copy of this)."""

import numpy as np


def predict(x, w, b):
    return w * x + b


def loss(x, y, w, b):
    return float(np.mean((y - predict(x, w, b)) ** 2))


def gradients(x, y, w, b):
    residual = predict(x, w, b) - y
    return float(2 * np.mean(residual * x)), float(2 * np.mean(residual))


def gd_step(w, b, dw, db, lr):
    return w - lr * dw, b - lr * db


def fit(x, y, lr=0.1, steps=100, w0=0.0, b0=0.0):
    w, b, losses = w0, b0, []
    for _ in range(steps):
        losses.append(loss(x, y, w, b))
        w, b = gd_step(w, b, *gradients(x, y, w, b), lr)
    return w, b, losses
