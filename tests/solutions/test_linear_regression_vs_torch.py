"""solutions.linear_regression against autograd, F.mse_loss and torch.optim.SGD, in float64."""

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from solutions import linear_regression as LR
from tests.solutions.support import FAST, assert_close, seeds, t, untouched


def draw(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, float, float]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=n)
    y = 3.0 * x - 1.0 + rng.normal(0.0, 0.3, size=n)
    w, b = rng.normal(size=2)
    return x, y, float(w), float(b)


def parameter(value: float) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float64, requires_grad=True)


def torch_fit(x, y, lr, steps, w0, b0) -> tuple[float, float, list[float]]:
    """The usual PyTorch training loop: record the loss, then step."""
    w, b = parameter(w0), parameter(b0)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.mse_loss(w * t(x) + b, t(y))
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    return w.item(), b.item(), losses


@FAST
@given(n=st.integers(2, 30), seed=seeds)
def test_predict_loss_and_gradients_match_autograd(n, seed):
    x, y, w, b = draw(seed, n)
    wt, bt = parameter(w), parameter(b)
    prediction = wt * t(x) + bt
    expected = F.mse_loss(prediction, t(y))
    expected.backward()
    with untouched(x, y):
        got_prediction = LR.predict(x, w, b)
        got = LR.loss(x, y, w, b)
        dw, db = LR.gradients(x, y, w, b)
    assert_close(got_prediction, prediction)
    assert isinstance(got, float) and isinstance(dw, float) and isinstance(db, float)
    assert_close(got, expected)
    assert_close(dw, wt.grad)
    assert_close(db, bt.grad)


def test_gradients_vanish_at_the_least_squares_fit():
    x, y, _, _ = draw(0, 20)
    w, b = np.polyfit(x, y, 1)
    dw, db = LR.gradients(x, y, float(w), float(b))
    assert abs(dw) < 1e-12 and abs(db) < 1e-12


@FAST
@given(seed=seeds, lr=st.floats(0.001, 1.0))
def test_gd_step_matches_sgd(seed, lr):
    w, b, dw, db = np.random.default_rng(seed).normal(size=4).tolist()
    params = [parameter(w), parameter(b)]
    params[0].grad, params[1].grad = t(dw), t(db)
    torch.optim.SGD(params, lr=lr).step()
    w_new, b_new = LR.gd_step(w, b, dw, db, lr)
    assert_close(w_new, params[0])
    assert_close(b_new, params[1])


@FAST
@given(
    n=st.integers(2, 20), seed=seeds, lr=st.floats(0.01, 0.5), steps=st.integers(1, 40),
)
def test_fit_matches_an_sgd_training_loop(n, seed, lr, steps):
    x, y, w0, b0 = draw(seed, n)
    expected_w, expected_b, expected_losses = torch_fit(x, y, lr, steps, w0, b0)
    with untouched(x, y):
        w, b, losses = LR.fit(x, y, lr=lr, steps=steps, w0=w0, b0=b0)
    assert isinstance(losses, list) and all(isinstance(v, float) for v in losses)
    assert_close(losses, expected_losses, rtol=1e-9)
    assert losses[0] == LR.loss(x, y, w0, b0)  # losses[k]: before update k
    assert_close(w, expected_w, rtol=1e-9)
    assert_close(b, expected_b, rtol=1e-9)


def test_fit_defaults_and_zero_steps():
    x, y, _, _ = draw(1, 10)
    w, b, losses = LR.fit(x, y)
    expected_w, expected_b, expected_losses = torch_fit(x, y, 0.1, 100, 0.0, 0.0)
    assert len(losses) == 100
    assert_close(losses, expected_losses, rtol=1e-9)
    assert_close([w, b], [expected_w, expected_b], rtol=1e-9)
    assert LR.fit(x, y, steps=0, w0=0.5, b0=-2.0) == (0.5, -2.0, [])


def test_float32_inputs_accepted():
    x, y, w, b = draw(2, 12)
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    with untouched(x32, y32):
        got_loss, got_grads = LR.loss(x32, y32, w, b), LR.gradients(x32, y32, w, b)
        got_fit = LR.fit(x32, y32, lr=0.2, steps=20)
    wt, bt = parameter(w), parameter(b)
    expected = F.mse_loss(wt * t(x32) + bt, t(y32))
    expected.backward()
    assert_close(got_loss, expected, rtol=1e-5, atol=1e-6)
    assert_close(got_grads, [wt.grad, bt.grad], rtol=1e-5, atol=1e-6)
    expected_w, expected_b, expected_losses = torch_fit(x32, y32, 0.2, 20, 0.0, 0.0)
    assert_close(got_fit[2], expected_losses, rtol=1e-5, atol=1e-6)
    assert_close(got_fit[:2], [expected_w, expected_b], rtol=1e-5, atol=1e-6)
