import numpy as np


def predict(x, w, b):
    return w * x + b


def loss(x, y, w, b):
    return float(np.mean((y - predict(x, w, b)) ** 2))


def gradients(x, y, w, b):
    r = y - predict(x, w, b)
    dw = -2 * np.mean(x * r)
    db = -np.mean(-2 * r)                        # the lecture's sign slip
    return dw, db


def gd_step(w, b, dw, db, lr):
    return w - lr * dw, b - lr * db


def fit(x, y, lr=0.1, steps=100, w0=0.0, b0=0.0):
    w, b = w0, b0
    losses = []
    for _ in range(steps):
        dw, db = gradients(x, y, w, b)
        w, b = gd_step(w, b, dw, db, lr)
        losses.append(loss(x, y, w, b))          # recorded after the update
    return w, b, losses
