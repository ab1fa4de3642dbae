"""Honest MLP (the adversarial cases append their sabotage to a copy of this)."""

import numpy as np

from activations import relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad


def _activation(name):
    return {"relu": (relu, relu_grad), "sigmoid": (sigmoid, sigmoid_grad),
            "tanh": (tanh, tanh_grad)}[name]


def linear_forward(x, W, b):
    return x @ W + b


def linear_backward(dout, x, W):
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def mlp_forward(x, params, activation="relu"):
    act = _activation(activation)[0]
    hidden = act(linear_forward(x, params["W1"], params["b1"]))
    return linear_forward(hidden, params["W2"], params["b2"])


def mlp_backward(x, y, params, activation="relu"):
    act, act_grad = _activation(activation)
    z = linear_forward(x, params["W1"], params["b1"])
    hidden = act(z)
    out = linear_forward(hidden, params["W2"], params["b2"])
    dout = 2 * (out - y) / out.size
    dhidden, dW2, db2 = linear_backward(dout, hidden, params["W2"])
    _, dW1, db1 = linear_backward(dhidden * act_grad(z), x, params["W1"])
    return float(np.mean((out - y) ** 2)), {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad
