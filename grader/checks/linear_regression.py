"""Checks of ``linear_regression``: ``ŷ = w x + b``, its MSE, gradients and gradient descent.

The PyTorch references carry the contract's names and signatures (autograd for the gradients,
``torch.optim``'s SGD update for the steps); then the cases; then one ``Check`` per function.
The update is ``torch.optim.sgd.sgd``, the function ``torch.optim.SGD.step`` runs: building an
``SGD`` object imports ``torch._dynamo`` (over a second), which a grading run cannot afford.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from grader.cases import Call, Draw
from grader.cases.kinds import dtypes
from grader.checks.common import changed, given, plain, tensor, wrong
from grader.checks.spec import Check, Mistake, Test
from grader.i18n import N_
from grader.lazy import LazyModule

torch = LazyModule("torch")
F = LazyModule("torch.nn.functional")
optim_sgd = LazyModule("torch.optim.sgd")


def predict(x: np.ndarray, w: float, b: float) -> np.ndarray:
    return plain(w * tensor(x) + b)


def loss(x: np.ndarray, y: np.ndarray, w: float, b: float) -> float:
    return plain(F.mse_loss(w * tensor(x) + b, tensor(y)))


def gradients(x: np.ndarray, y: np.ndarray, w: float, b: float) -> tuple[float, float]:
    wt, bt = tensor(w, grad=True), tensor(b, grad=True)
    F.mse_loss(wt * tensor(x) + bt, tensor(y)).backward()
    return plain(wt.grad), plain(bt.grad)


def sgd_step(params: list[torch.Tensor], lr: float) -> None:
    """One plain SGD update of ``params`` in place, from their ``.grad`` (what SGD.step does)."""
    with torch.no_grad():
        optim_sgd.sgd(params, [p.grad for p in params], [None] * len(params), lr=lr,
                      weight_decay=0.0, momentum=0.0, dampening=0.0, nesterov=False,
                      maximize=False)


def gd_step(w: float, b: float, dw: float, db: float, lr: float) -> tuple[float, float]:
    wt, bt = tensor(w, grad=True), tensor(b, grad=True)
    wt.grad, bt.grad = tensor(dw), tensor(db)
    sgd_step([wt, bt], lr)
    return plain(wt), plain(bt)


def fit(x: np.ndarray, y: np.ndarray, lr: float = 0.1, steps: int = 100,
        w0: float = 0.0, b0: float = 0.0) -> tuple[float, float, list[float]]:
    wt, bt = tensor(w0, grad=True), tensor(b0, grad=True)
    xt, yt = tensor(x), tensor(y)
    losses = []
    for _ in range(steps):
        wt.grad = bt.grad = None
        mse = F.mse_loss(wt * xt + bt, yt)
        losses.append(mse.item())
        mse.backward()
        sgd_step([wt, bt], lr)
    return plain(wt), plain(bt), losses


def losses_after_updates(x: np.ndarray, y: np.ndarray, lr: float = 0.1, steps: int = 100,
                         w0: float = 0.0, b0: float = 0.0) -> tuple[float, float, list[float]]:
    """``fit`` recording the loss after each update instead of before it."""
    w, b, _ = fit(x, y, lr, steps, w0, b0)
    return w, b, fit(x, y, lr, steps + 1, w0, b0)[2][1:]


def data(d: Draw, dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` of shape (N,): a noisy line."""
    x = d.uniform(d.N, low=-2.0, high=2.0)
    y = d.scalar(-2.0, 2.0) * x + d.scalar(-2.0, 2.0) + d.normal(d.N, scale=0.3)
    return x.astype(dtype), y.astype(dtype)


def on_data(dtype: type = np.float64) -> Callable[[Draw], Call]:
    """Cases ``(x, y, w, b)`` at random parameters."""
    return lambda d: d.call(*data(d, dtype), d.scalar(-2.0, 2.0), d.scalar(-2.0, 2.0))


def custom_fit(d: Draw) -> Call:
    """``fit`` with every keyword given."""
    return d.call(*data(d), lr=d.scalar(0.01, 0.2), steps=int(d.rng.integers(5, 30)),
                  w0=d.scalar(-2.0, 2.0), b0=d.scalar(-2.0, 2.0))


FLOAT32_DATA = dtypes("float32")

CHECKS = (
    Check(
        "linear_regression.predict", torch=predict,
        tests=(
            Test(N_("random data"), 1, lambda d: d.call(data(d)[0], d.scalar(-2, 2), d.scalar(-2, 2))),
            Test(N_("float32 data"), 1,
                 lambda d: d.call(data(d, np.float32)[0], d.scalar(-2, 2), d.scalar(-2, 2)), cases=2,
                 kinds=(FLOAT32_DATA,)),
        ),
        mistakes=(
            Mistake(N_("w and b are swapped: the prediction is w·x + b."), wrong(lambda x, w, b: b * x + w)),
        ),
    ),
    Check(
        "linear_regression.loss", torch=loss, squared_residual=True,
        tests=(
            Test(N_("random data"), 2, on_data()),
            Test(N_("float32 data"), 1, on_data(np.float32), cases=2, kinds=(FLOAT32_DATA,)),
        ),
        mistakes=(
            Mistake(N_("This is (1/2N) Σ (y - ŷ)²: the contract's loss has no factor 1/2."),
                    wrong(lambda x, y, w, b: loss(x, y, w, b) / 2)),
            Mistake(N_("This squares the mean residual; the loss is the mean of the squared residuals."),
                    wrong(lambda x, y, w, b: float(np.mean(y - (w * x + b)) ** 2))),
            Mistake(N_("The residuals are not squared: this averages y - ŷ; the loss averages (y - ŷ)²."),
                    wrong(lambda x, y, w, b: float(np.mean(np.asarray(y, float) - (w * x + b))))),
            Mistake(N_("This averages 2·(y - ŷ), the derivative of the square; the loss averages "
                       "(y - ŷ)²."),
                    wrong(lambda x, y, w, b: float(np.mean(2 * (np.asarray(y, float) - (w * x + b)))))),
        ),
        callees=("linear_regression.predict",),
    ),
    Check(
        "linear_regression.gradients", torch=gradients, squared_residual=True, derivatives="",
        tests=(
            Test(N_("random data"), 3, on_data()),
            Test(N_("float32 data"), 2, on_data(np.float32), kinds=(FLOAT32_DATA,)),
        ),
        mistakes=(
            Mistake(N_("db has the wrong sign (the lecture's slip -(1/N) Σ -2(y - wx - b)): the inner "
                       "derivative of (y - wx - b) with respect to b is -1, taken once."),
                    wrong(lambda x, y, w, b: (gradients(x, y, w, b)[0], -gradients(x, y, w, b)[1]))),
            Mistake(N_("dw is missing the factor x_i: ∂ŷ_i/∂w = x_i, "
                       "so dw = -(2/N) Σ x_i (y_i - ŷ_i)."),
                    wrong(lambda x, y, w, b: (gradients(x, y, w, b)[1],) * 2)),
        ),
        callees=("linear_regression.predict",),
    ),
    Check(
        "linear_regression.gd_step", torch=gd_step,
        tests=(
            Test(N_("random values"), 2, lambda d: d.call(*(d.scalar(-2, 2) for _ in range(4)),
                                                          d.scalar(0.01, 0.5))),
        ),
        mistakes=(
            Mistake(N_("The parameters moved along the gradient (w + lr·dw): descent subtracts it."),
                    wrong(lambda w, b, dw, db, lr: (w + lr * dw, b + lr * db))),
            Mistake(N_("The learning rate is missing: the update is w - lr·dw."),
                    wrong(lambda w, b, dw, db, lr: (w - dw, b - db))),
        ),
    ),
    Check(
        "linear_regression.fit", torch=fit, squared_residual=True,
        tests=(
            Test(N_("default lr, steps, w0 and b0"), 2, lambda d: d.call(*data(d)), cases=2),
            Test(N_("given lr, steps, w0 and b0"), 3, custom_fit),
            Test(N_("one step"), 1, lambda d: d.call(*data(d), 0.1, 1, d.scalar(-2, 2), d.scalar(-2, 2)),
                 cases=2),
        ),
        mistakes=(
            Mistake(N_("Training started at (0, 0): start from the given w0 and b0."),
                    changed(fit, w0=0.0, b0=0.0),
                    applies=lambda call: given(fit, "w0", 0.0)(call) or given(fit, "b0", 0.0)(call)),
            Mistake(N_("losses[k] must be the loss before update k (losses[0] is the loss at w0, b0); "
                       "these are the losses after each update."), wrong(losses_after_updates)),
            Mistake(N_("The learning rate lr was ignored (0.1 was used)."),
                    changed(fit, lr=0.1), applies=given(fit, "lr", 0.1)),
        ),
        callees=("linear_regression.predict", "linear_regression.loss",
                 "linear_regression.gradients", "linear_regression.gd_step"),
    ),
)
