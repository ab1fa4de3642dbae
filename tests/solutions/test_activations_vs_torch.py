"""solutions.activations against torch's activations and autograd, in float64."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from solutions import activations as A
from tests.solutions.support import FAST, assert_close, seeds, strict_floats, t, untouched

TORCH = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
EXTREMES = np.array([-1e3, -750.0, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 750.0, 1e3])

shapes = st.lists(st.integers(1, 5), max_size=3).map(tuple)


def torch_value_and_grad(name: str, x: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    xt = t(x).requires_grad_()
    out = TORCH[name](xt)
    out.sum().backward()
    return out, xt.grad


@pytest.mark.parametrize("name", TORCH)
@FAST
@given(shape=shapes, seed=seeds, scale=st.sampled_from([1.0, 30.0, 1e3]))
def test_activation_and_derivative_match_autograd(name, shape, seed, scale):
    x = np.random.default_rng(seed).normal(0.0, scale, size=shape)
    x.reshape(-1)[::3] = 0.0  # exact zeros: relu's derivative there
    expected, expected_grad = torch_value_and_grad(name, x)
    with untouched(x), strict_floats():
        got, grad = getattr(A, name)(x), getattr(A, f"{name}_grad")(x)
    assert_close(got, expected)
    assert_close(grad, expected_grad)


@pytest.mark.parametrize("name", TORCH)
def test_extreme_inputs_are_finite_without_warnings(name):
    expected, expected_grad = torch_value_and_grad(name, EXTREMES)
    with untouched(EXTREMES), strict_floats():
        got, grad = getattr(A, name)(EXTREMES), getattr(A, f"{name}_grad")(EXTREMES)
    assert np.all(np.isfinite(got)) and np.all(np.isfinite(grad))
    assert_close(got, expected)
    assert_close(grad, expected_grad)


def test_sigmoid_stays_in_unit_interval():
    s = A.sigmoid(EXTREMES)
    assert np.all((s >= 0) & (s <= 1))
    assert s[0] == 0.0 and s[-1] == 1.0


def test_relu_grad_at_exactly_zero_is_autograds_zero():
    x = np.array([-0.0, 0.0, 1e-300, -1e-300])
    _, expected = torch_value_and_grad("relu", x)
    assert_close(A.relu_grad(x), expected)
    assert A.relu_grad(np.array([0.0]))[0] == 0.0


@pytest.mark.parametrize("name", TORCH)
def test_float32_inputs_accepted(name):
    x32 = EXTREMES.astype(np.float32)
    expected, expected_grad = torch_value_and_grad(name, x32)
    with untouched(x32), strict_floats():
        got, grad = getattr(A, name)(x32), getattr(A, f"{name}_grad")(x32)
    assert_close(got, expected, rtol=1e-5, atol=1e-6)
    assert_close(grad, expected_grad, rtol=1e-5, atol=1e-6)


@FAST
@given(
    shape=st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple),
    seed=seeds,
    scale=st.sampled_from([1.0, 1e4]),
    data=st.data(),
)
def test_softmax_and_log_softmax_match_torch_on_any_axis(shape, seed, scale, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    x = np.random.default_rng(seed).normal(0.0, scale, size=shape)
    with untouched(x), strict_floats():
        p, log_p = A.softmax(x, axis=axis), A.log_softmax(x, axis=axis)
    assert_close(p, torch.softmax(t(x), dim=axis))
    assert_close(log_p, torch.log_softmax(t(x), dim=axis))


def test_softmax_default_axis_is_last_and_extreme_logits_are_finite():
    x = np.array([[1e4, -1e4, 0.0, 1e4], [-1e4, -1e4, -1e4, -1e4], [1.0, 2.0, 3.0, 4.0]])
    with untouched(x), strict_floats():
        p, log_p = A.softmax(x), A.log_softmax(x)
    assert np.all(np.isfinite(p)) and np.all(np.isfinite(log_p))
    assert_close(p, torch.softmax(t(x), dim=-1))
    assert_close(log_p, torch.log_softmax(t(x), dim=-1))
    assert_close(A.softmax(x, axis=0), torch.softmax(t(x), dim=0))


def test_softmax_float32_inputs_accepted():
    x32 = np.array([[1e4, -1e4, 0.0], [1.0, 2.0, 3.0]], dtype=np.float32)
    with untouched(x32), strict_floats():
        p, log_p = A.softmax(x32), A.log_softmax(x32)
    assert_close(p, torch.softmax(t(x32), dim=-1), rtol=1e-5, atol=1e-6)
    assert_close(log_p, torch.log_softmax(t(x32), dim=-1), rtol=1e-5, atol=1e-6)
