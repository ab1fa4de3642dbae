"""Checks of ``mlp``: linear layers, the two-layer MLP, backpropagation, numerical gradients.

The PyTorch references carry the contract's names and signatures (``nn.Linear`` layers,
autograd for every gradient); then the cases; then one ``Check`` per function.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

import numpy as np

from grader.cases import Axis, Call, Draw, Kind
from grader.cases.kinds import dtypes, passed, shapes
from grader.cases.functions import SCALAR_FUNCTIONS
from grader.checks import activations as act
from grader.checks.common import changed, given, plain, tensor, wrong
from grader.checks.spec import Check, Mistake, Test, Tolerance
from grader.i18n import N_
from grader.lazy import LazyModule
from grader.sandbox import ScalarFunction

torch = LazyModule("torch")
F = LazyModule("torch.nn.functional")
nn = LazyModule("torch.nn")

Params = dict[str, np.ndarray]

#: The contract's activation names and the ``torch.nn`` layers they name.
ACTIVATIONS = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh"}


def activation_layer(activation: str) -> nn.Module:
    return getattr(nn, ACTIVATIONS[activation])()


def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return plain(F.linear(tensor(x), tensor(W).T, tensor(b)))


def linear_backward(dout: np.ndarray, x: np.ndarray, W: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xt, Wt = tensor(x, grad=True), tensor(W, grad=True)
    bt = tensor(np.zeros(W.shape[1]), grad=True)
    (F.linear(xt, Wt.T, bt) * tensor(dout)).sum().backward()
    return plain(xt.grad), plain(Wt.grad), plain(bt.grad)


def network(params: Params, activation: str) -> nn.Sequential:
    """``nn.Linear(D_in, H)``, the activation, ``nn.Linear(H, D_out)``, holding ``params``."""
    layers = []
    for W, b in (("W1", "b1"), ("W2", "b2")):
        layer = nn.Linear(*params[W].shape, dtype=torch.float64)  # skip_init would import sympy
        with torch.no_grad():
            layer.weight.copy_(tensor(params[W]).T)
            layer.bias.copy_(tensor(params[b]))
        layers.append(layer)
    return nn.Sequential(layers[0], activation_layer(activation), layers[1])


def mlp_forward(x: np.ndarray, params: Params, activation: str = "relu") -> np.ndarray:
    return plain(network(params, activation)(tensor(x)))


def mlp_backward(x: np.ndarray, y: np.ndarray, params: Params, activation: str = "relu"
                 ) -> tuple[float, Params]:
    net = network(params, activation)
    mse = F.mse_loss(net(tensor(x)), tensor(y))
    mse.backward()
    first, _, second = net
    return plain(mse), {"W1": plain(first.weight.grad.T), "b1": plain(first.bias.grad),
                        "W2": plain(second.weight.grad.T), "b2": plain(second.bias.grad)}


def numerical_gradient(f: ScalarFunction, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred differences of the torch version of ``f``, one basis step ``h e_k`` at a time."""
    f_torch = SCALAR_FUNCTIONS[f.name][1]
    xt = tensor(x)
    steps = h * torch.eye(xt.numel(), dtype=torch.float64).reshape(-1, *xt.shape)
    return plain(torch.stack([(f_torch(xt + e) - f_torch(xt - e)) / (2 * h) for e in steps]
                             ).reshape(xt.shape))


def backprop(x: np.ndarray, y: np.ndarray, params: Params, activation: str = "relu", *,
             at_output: bool = False, over_n: bool = False) -> tuple[float, Params]:
    """Backpropagation by hand, with a known mistake switched on.

    ``at_output``: the activation's derivative taken at its output ``h`` instead of ``z``;
    ``over_n``: the loss averaged over the N rows only (the lecture's MSE).
    """
    forward = {"relu": act.relu, "sigmoid": act.sigmoid, "tanh": act.tanh}[activation]
    derivative = {"relu": act.relu_grad, "sigmoid": act.sigmoid_grad, "tanh": act.tanh_grad}[activation]
    z = x @ params["W1"] + params["b1"]
    h = forward(z)
    out = h @ params["W2"] + params["b2"]
    count = len(out) if over_n else out.size
    d_out = 2 * (out - y) / count
    dz = d_out @ params["W2"].T * derivative(h if at_output else z)
    loss = float(np.sum((out - y) ** 2) / count)
    return loss, {"W1": x.T @ dz, "b1": dz.sum(0), "W2": h.T @ d_out, "b2": d_out.sum(0)}


def forward_difference(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """``(f(x + h e_k) - f(x)) / h``: accurate to about h only."""
    grad = np.zeros_like(x, dtype=np.float64)
    for k in np.ndindex(x.shape):
        step = np.zeros_like(x, dtype=np.float64)
        step[k] = h
        grad[k] = (f(x + step) - f(x)) / h
    return grad


def layer(dtype: type = np.float64) -> Callable[[Draw], Call]:
    """Cases ``(x, W, b)`` of a layer D -> O."""
    return lambda d: d.call(*(a.astype(dtype) for a in (d.normal(d.N, d.D), d.normal(d.D, d.O),
                                                         d.normal(d.O))))


def upstream(dtype: type = np.float64) -> Callable[[Draw], Call]:
    """Cases ``(dout, x, W)`` of a layer D -> O."""
    return lambda d: d.call(*(a.astype(dtype) for a in (d.normal(d.N, d.O), d.normal(d.N, d.D),
                                                         d.normal(d.D, d.O))))


def mlp(activation: str | None, targets: bool = False) -> Callable[[Draw], Call]:
    """Cases ``(x, [y,] params[, activation])``; ``None``: the default activation."""
    def make(d: Draw) -> Call:
        x = d.normal(d.N, d.D)
        y = (d.normal(d.N, d.O),) if targets else ()
        params = d.params(d.D, d.H, d.O)
        if activation is None:
            return d.call(x, *y, params)
        return d.pass_as((x, *y, params), {"activation": activation})
    return make


FUNCTIONS = Axis("function", tuple(Kind(name, name, lambda call, name=name: call.args[0].name == name)
                                 for name in SCALAR_FUNCTIONS))
#: Every scalar function (one non-separable: its gradient entry k depends on the other
#: entries, so an entry left nudged shows), at 1-D and 2-D points.
NUMERICAL = (FUNCTIONS, shapes("1-D", "2-D", position=1))
#: The same, with h given by keyword or in third place.
H_KEYWORD = (*NUMERICAL, Axis("h", (
    Kind("h=... by keyword", "keyword", lambda call: len(call.args) == 2 and "h" in call.kwargs),)))
H_THIRD = (*NUMERICAL, Axis("h", (
    Kind("h in third place", "positional", lambda call: len(call.args) == 3 and not call.kwargs),)))
#: A float32 point (the gradient is still computed in float64).
FLOAT32_POINT = (*NUMERICAL, dtypes("float32", position=1))


def scalar_function(h: float | None = None, dtype: type = np.float64) -> Callable[[Draw], Call]:
    """Cases ``(f, x[, h])``: a curved scalar function (the "function" kind) at a random point
    of the "shape" kind in ``dtype``; ``h`` given as the case's "h" kind says (None: the
    default h)."""
    def make(d: Draw) -> Call:
        f = ScalarFunction(d.kind("function"))
        x = d.normal(*(d.N, d.D)[2 - d.kind("shape"):]).astype(dtype)
        if h is None:
            return d.call(f, x)
        return d.call(f, x, h) if d.kind("h") == "positional" else d.call(f, x, h=h)
    return make


def nudged_in_place(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred differences nudging ``x[k]`` in ``x``'s own dtype (CS231n's loop): in float32,
    ``x[k] + h`` is rounded, so the step taken is not ``h``."""
    x, grad = np.array(x), np.zeros(np.shape(x))
    for k in np.ndindex(x.shape):
        old = x[k]
        x[k] = old + h
        plus = f(x)
        x[k] = old - h
        minus = f(x)
        x[k] = old
        grad[k] = (plus - minus) / (2 * h)
    return grad


def float32_point(call: Call) -> bool:
    return np.asarray(call.args[1]).dtype == np.float32


forward_not_relu = given(mlp_forward, "activation", "relu")
backward_not_relu = given(mlp_backward, "activation", "relu")

CHECKS = (
    Check(
        "mlp.linear_forward", torch=linear_forward,
        tests=(
            Test(N_("random shapes"), 2, layer()),
            Test(N_("float32 inputs"), 1, layer(np.float32), cases=2, kinds=(dtypes("float32"),)),
        ),
        mistakes=(
            Mistake(N_("The bias b is missing: the layer computes x @ W + b."), wrong(lambda x, W, b: x @ W)),
        ),
    ),
    Check(
        "mlp.linear_backward", torch=linear_backward,
        tests=(
            Test(N_("random shapes"), 4, upstream()),
            Test(N_("float32 inputs"), 2, upstream(np.float32), cases=2, kinds=(dtypes("float32"),)),
        ),
        mistakes=(
            Mistake(N_("db averages dout over the {N} rows: b is added to every row, so db sums them."),
                    wrong(lambda dout, x, W: (dout @ W.T, x.T @ dout, dout.mean(axis=0)))),
            Mistake(N_("dW is divided by N = {N}: dW = x.T @ dout, the batch mean is already in dout."),
                    wrong(lambda dout, x, W: (dout @ W.T, x.T @ dout / len(x), dout.sum(axis=0)))),
        ),
    ),
    Check(
        "mlp.mlp_forward", torch=mlp_forward,
        tests=(
            Test(N_("ReLU, the default activation"), 2, mlp(None)),
            Test(N_("sigmoid"), 1.5, mlp("sigmoid"), kinds=(passed("activation", 3),)),
            Test(N_("tanh"), 1.5, mlp("tanh"), kinds=(passed("activation", 3),)),
        ),
        mistakes=(
            Mistake(N_("ReLU was used whatever the activation argument says."),
                    changed(mlp_forward, activation="relu"), applies=forward_not_relu),
            Mistake(N_("The activation is applied to the output too: the second layer is linear."),
                    wrong(lambda x, params, activation="relu": plain(
                        activation_layer(activation)(tensor(mlp_forward(x, params, activation)))))),
        ),
        callees=("mlp.linear_forward", "activations.relu", "activations.sigmoid", "activations.tanh"),
    ),
    Check(
        "mlp.mlp_backward", torch=mlp_backward, squared_residual=True, derivatives="[1]",
        tests=(
            Test(N_("ReLU, the default activation"), 3, mlp(None, targets=True)),
            Test(N_("sigmoid"), 3, mlp("sigmoid", targets=True), kinds=(passed("activation", 4),)),
            Test(N_("tanh"), 3, mlp("tanh", targets=True), kinds=(passed("activation", 4),)),
        ),
        mistakes=(
            Mistake(N_("ReLU was used whatever the activation argument says."),
                    changed(mlp_backward, activation="relu"), applies=backward_not_relu),
            Mistake(N_("The activation's derivative was taken at its output h = act(z); backpropagation "
                       "needs it at the pre-activation z = x @ W1 + b1."),
                    wrong(partial(backprop, at_output=True)), applies=backward_not_relu),
            Mistake(N_("The loss is averaged over the N = {N} rows only; MSELoss() averages over all "
                       "N·D_out = {N}·{O} elements (and so do the gradients)."),
                    wrong(partial(backprop, over_n=True))),
        ),
        callees=("mlp.linear_forward", "mlp.linear_backward", "mlp.mlp_forward",
                 "activations.relu", "activations.sigmoid", "activations.tanh",
                 "activations.relu_grad", "activations.sigmoid_grad", "activations.tanh_grad"),
    ),
    Check(
        "mlp.numerical_gradient", torch=numerical_gradient,
        tests=(
            Test(N_("curved functions, default h"), 2, scalar_function(), kinds=NUMERICAL),
            Test(N_("given h, by keyword"), 1, scalar_function(1e-2), kinds=H_KEYWORD),
            Test(N_("given h, in third place"), 1, scalar_function(1e-2), kinds=H_THIRD),
            Test(N_("float32 x, computed in float64"), 1, scalar_function(dtype=np.float32),
                 kinds=FLOAT32_POINT),
        ),
        tolerance=Tolerance(rtol=1e-7, atol=1e-8),
        mistakes=(
            Mistake(N_("This is the forward difference (f(x + h) - f(x)) / h, accurate to about h only: "
                       "use the centred difference (f(x + h) - f(x - h)) / 2h."),
                    wrong(forward_difference)),
            Mistake(N_("The step h was ignored (1e-5 was used): use the h argument."),
                    changed(numerical_gradient, h=1e-5), applies=given(numerical_gradient, "h", 1e-5)),
            Mistake(N_("x is float32, and x + h was rounded to float32, so the step taken is not h: "
                       "nudge a float64 copy of x (x = x.astype(np.float64))."),
                    wrong(nudged_in_place), applies=float32_point),
        ),
    ),
)
