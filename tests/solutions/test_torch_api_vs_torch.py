"""solutions.torch_api against torch.nn._reduction and F.mse_loss with autograd."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch.nn import _reduction

from solutions import torch_api as T
from tests.solutions.support import FAST, assert_close, seeds, t, untouched

LEGACY = (None, True, False)


@pytest.mark.parametrize("reduce", LEGACY)
@pytest.mark.parametrize("size_average", LEGACY)
def test_legacy_reduction_matches_legacy_get_string_by_hand(size_average, reduce, monkeypatch):
    expected = _reduction.legacy_get_string(size_average, reduce, emit_warning=False)

    def forbidden(*args, **kwargs):
        raise AssertionError("legacy_reduction must be written by hand")

    monkeypatch.setattr(_reduction, "legacy_get_string", forbidden)
    assert T.legacy_reduction(size_average, reduce) == expected
    assert T.legacy_reduction(size_average=size_average, reduce=reduce) == expected


def test_legacy_reduction_defaults_and_mse_loss_agree():
    assert T.legacy_reduction() == "mean"
    with pytest.warns(UserWarning):
        assert torch.nn.MSELoss(size_average=False).reduction == T.legacy_reduction(False)


def torch_mse_and_grad(y_hat: np.ndarray, y: np.ndarray, reduction: str):
    xt = t(y_hat).requires_grad_()
    loss = F.mse_loss(xt, t(y), reduction=reduction)
    loss.sum().backward()
    return loss, xt.grad


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@FAST
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple), seed=seeds)
def test_mse_loss_and_grad_matches_autograd(reduction, shape, seed):
    rng = np.random.default_rng(seed)
    y_hat, y = rng.normal(size=shape), rng.normal(size=shape)
    expected, expected_grad = torch_mse_and_grad(y_hat, y, reduction)
    with untouched(y_hat, y):
        loss, grad = T.mse_loss_and_grad(y_hat, y, reduction=reduction)
    if reduction == "none":
        assert isinstance(loss, np.ndarray)
    else:
        assert isinstance(loss, float)
    assert isinstance(grad, np.ndarray)
    assert_close(loss, expected)
    assert_close(grad, expected_grad)


def test_mse_loss_and_grad_default_and_float32():
    rng = np.random.default_rng(8)
    y_hat, y = (rng.normal(size=(3, 4)).astype(np.float32) for _ in range(2))
    expected, expected_grad = torch_mse_and_grad(y_hat, y, "mean")
    with untouched(y_hat, y):
        loss, grad = T.mse_loss_and_grad(y_hat, y)
    assert_close(loss, expected)
    assert_close(grad, expected_grad)


@pytest.mark.parametrize("reduction", ["avg", "elementwise_sum", ""])
def test_mse_loss_and_grad_invalid_reduction(reduction):
    with pytest.raises(ValueError):
        T.mse_loss_and_grad(np.zeros(2), np.ones(2), reduction=reduction)
