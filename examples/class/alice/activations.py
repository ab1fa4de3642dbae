"""Alice's activations: relu and tanh right, softmax without the max shift."""

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def tanh(x):
    return np.tanh(x)


def softmax(x, axis=-1):
    e = np.exp(x)   # overflows for logits of 1e3 and more: subtract the max first
    return e / e.sum(axis=axis, keepdims=True)
