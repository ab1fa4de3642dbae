import numpy as np

from activations import relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad

ACT = {"relu": (relu, relu_grad), "sigmoid": (sigmoid, sigmoid_grad), "tanh": (tanh, tanh_grad)}


def linear_forward(x, W, b):
    return x @ W + b


def linear_backward(dout, x, W):
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)   # db averaged instead of summed


def mlp_forward(x, params, activation="relu"):
    act, _ = ACT[activation]
    h = act(linear_forward(x, params["W1"], params["b1"]))
    return linear_forward(h, params["W2"], params["b2"])


def mlp_backward(x, y, params, activation="relu"):
    act, grad = ACT[activation]
    z = x @ params["W1"] + params["b1"]
    h = act(z)
    out = h @ params["W2"] + params["b2"]
    loss = np.mean((out - y) ** 2)
    dout = 2 * (out - y) / out.size
    dh = dout @ params["W2"].T
    dz = dh * grad(h)                                 # derivative taken at the output
    grads = {"W1": x.T @ dz, "b1": dz.sum(0), "W2": h.T @ dout, "b2": dout.sum(0)}
    return loss, grads


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h                     # forward difference
        x[i] = old
    return grad
