"""solutions.mlp against nn.Linear layers and autograd, in float64."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from solutions import mlp as M
from tests.solutions.support import FAST, assert_close, seeds, sizes, t, untouched

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def draw_params(rng: np.random.Generator, d: int, h: int, o: int) -> dict[str, np.ndarray]:
    return {
        "W1": rng.normal(size=(d, h)), "b1": rng.normal(size=h),
        "W2": rng.normal(size=(h, o)), "b2": rng.normal(size=o),
    }


def linear(W: np.ndarray, b: np.ndarray) -> nn.Linear:
    """An nn.Linear computing x @ W + b: its weight is W.T."""
    layer = nn.Linear(*W.shape, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(t(W.T))
        layer.bias.copy_(t(b))
    return layer


def torch_mlp(params: dict[str, np.ndarray], activation: str) -> nn.Sequential:
    return nn.Sequential(
        linear(params["W1"], params["b1"]),
        ACTIVATIONS[activation](),
        linear(params["W2"], params["b2"]),
    )


@FAST
@given(s=sizes, seed=seeds)
def test_linear_forward_and_backward_match_nn_linear(s, seed):
    rng = np.random.default_rng(seed)
    x, W, b, dout = rng.normal(size=(s.N, s.D)), rng.normal(size=(s.D, s.O)), \
        rng.normal(size=s.O), rng.normal(size=(s.N, s.O))
    layer, xt = linear(W, b), t(x).requires_grad_()
    out = layer(xt)
    (out * t(dout)).sum().backward()
    with untouched(x, W, b, dout):
        got = M.linear_forward(x, W, b)
        dx, dW, db = M.linear_backward(dout, x, W)
    assert_close(got, out)
    assert_close(dx, xt.grad)
    assert_close(dW, layer.weight.grad.T)
    assert_close(db, layer.bias.grad)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@FAST
@given(s=sizes, seed=seeds)
def test_mlp_forward_and_backward_match_autograd(activation, s, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(s.N, s.D)), rng.normal(size=(s.N, s.O))
    params = draw_params(rng, s.D, s.H, s.O)
    model = torch_mlp(params, activation)
    out = model(t(x))
    expected = nn.MSELoss()(out, t(y))
    expected.backward()
    first, second = model[0], model[2]
    with untouched(x, y, *params.values()):
        got_out = M.mlp_forward(x, params, activation=activation)
        loss, grads = M.mlp_backward(x, y, params, activation=activation)
    assert_close(got_out, out)
    assert_close(loss, expected)
    assert grads.keys() == params.keys()
    assert_close(grads["W1"], first.weight.grad.T)
    assert_close(grads["b1"], first.bias.grad)
    assert_close(grads["W2"], second.weight.grad.T)
    assert_close(grads["b2"], second.bias.grad)


def test_mlp_default_activation_is_relu():
    rng = np.random.default_rng(3)
    x, y, params = rng.normal(size=(4, 3)), rng.normal(size=(4, 2)), draw_params(rng, 3, 5, 2)
    assert_close(M.mlp_forward(x, params), M.mlp_forward(x, params, "relu"))
    assert M.mlp_backward(x, y, params)[0] == M.mlp_backward(x, y, params, "relu")[0]


def test_mlp_float32_inputs_accepted():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(5, 3)).astype(np.float32), rng.normal(size=(5, 2)).astype(np.float32)
    params = {k: v.astype(np.float32) for k, v in draw_params(rng, 3, 4, 2).items()}
    model = torch_mlp(params, "tanh")
    expected = nn.MSELoss()(model(t(x)), t(y))
    expected.backward()
    loss, grads = M.mlp_backward(x, y, params, "tanh")
    assert_close(loss, expected, rtol=1e-5, atol=1e-6)
    assert_close(grads["W1"], model[0].weight.grad.T, rtol=1e-4, atol=1e-6)


def curved(v):
    """Curved enough that a forward difference is off by about h·f''/2 ≈ 1e-5."""
    lib = torch if isinstance(v, torch.Tensor) else np
    return (lib.sin(3 * v) * v**2).sum() + (lib.exp(v) ** 2).sum()


def forward_difference(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    grad = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        nudged = x.copy()
        nudged[k] += h
        grad[k] = (f(nudged) - f(x)) / h
    return grad


@FAST
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), seed=seeds)
def test_numerical_gradient_is_centred_and_matches_autograd(shape, seed):
    x = np.random.default_rng(seed).normal(size=shape)
    xt = t(x).requires_grad_()
    curved(xt).backward()
    expected = xt.grad.numpy()
    with untouched(x):
        got = M.numerical_gradient(curved, x)
    tolerance = {"rtol": 1e-7, "atol": 1e-7}
    assert_close(got, expected, **tolerance)
    assert not np.allclose(forward_difference(curved, x), expected, **tolerance)


def test_numerical_gradient_honours_h_and_float32():
    x32 = np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32)
    xt = t(x32).requires_grad_()
    curved(xt).backward()
    with untouched(x32):
        got = M.numerical_gradient(curved, x32, h=1e-4)
    assert_close(got, xt.grad, rtol=1e-6, atol=1e-6)
    h = 0.5  # a huge step is visibly used: centred difference of v^3 is 3v^2 + h^2
    assert_close(M.numerical_gradient(lambda v: np.sum(v**3), np.array([1.0]), h=h), [3.0 + h**2])
