"""Bob's whole submission in one file: the linear model, with the gradient's sign flipped."""

import numpy as np


def predict(x, w, b):
    return w * x + b


def loss(x, y, w, b):
    return np.mean((y - (w * x + b)) ** 2)


def gradients(x, y, w, b):
    residual = y - (w * x + b)
    return 2 * np.mean(residual * x), 2 * np.mean(residual)   # the sign is flipped


def gd_step(w, b, dw, db, lr):
    return w - lr * dw, b - lr * db
