"""Honest activations (the adversarial cases append their sabotage to a copy of this)."""

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(np.asarray(x) >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid(x):
    return _sigmoid(x)


def tanh(x):
    return np.tanh(x)


def relu_grad(x):
    return (np.asarray(x) > 0).astype(float)


def sigmoid_grad(x):
    s = _sigmoid(x)  # not sigmoid: a case that sabotages it must not cost this one marks
    return s * (1 - s)


def tanh_grad(x):
    return 1 - np.tanh(x) ** 2


def softmax(x, axis=-1):
    z = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return z / np.sum(z, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    z = x - np.max(x, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
