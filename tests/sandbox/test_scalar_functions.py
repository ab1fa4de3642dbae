"""The scalar test functions for numerical_gradient: curved enough to catch forward differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.cases.functions import SCALAR_FUNCTIONS


def differences(f, x, h=1e-5):
    forward, centred = np.zeros_like(x), np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        forward[i] = (up - f(x)) / h
        centred[i] = (up - down) / (2 * h)
    return forward, centred


@pytest.mark.parametrize("name", sorted(SCALAR_FUNCTIONS))
@pytest.mark.parametrize("shape", [(3, 4), (2, 2), (5,)])
def test_forward_differences_fail_and_centred_ones_pass(name, shape):
    numpy_f, torch_f = SCALAR_FUNCTIONS[name]
    for seed in range(3):
        x = np.random.default_rng(seed).normal(size=shape)
        tensor = torch.tensor(x, requires_grad=True)
        value = torch_f(tensor)
        value.backward()
        assert value.shape == () and value.item() == pytest.approx(numpy_f(x), rel=1e-12)
        exact = tensor.grad.numpy()
        forward, centred = differences(numpy_f, x)
        scale = np.max(np.abs(exact))
        assert np.max(np.abs(centred - exact)) / scale < 1e-9
        assert np.max(np.abs(forward - exact)) / scale > 1e-7
