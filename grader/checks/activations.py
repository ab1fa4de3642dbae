"""Checks of ``activations``: elementwise non-linearities, their derivatives, softmax.

The PyTorch references carry the contract's names and signatures (derivatives by autograd);
then the cases; then one ``Check`` per function.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from grader.cases import Axis, Call, Draw, Kind
from grader.cases.kinds import edge, shapes
from grader.checks.common import EXTREME_LOGITS, arguments, changed, plain, tensor, wrong
from grader.checks.spec import Check, Mistake, Test
from grader.i18n import N_
from grader.lazy import LazyModule

torch = LazyModule("torch")


def relu(x: np.ndarray) -> np.ndarray:
    return plain(torch.relu(tensor(x)))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return plain(torch.sigmoid(tensor(x)))


def tanh(x: np.ndarray) -> np.ndarray:
    return plain(torch.tanh(tensor(x)))


def derivative(activation: str) -> Callable[[np.ndarray], np.ndarray]:
    """The elementwise derivative of ``torch.<activation>``, by autograd."""
    def grad(x: np.ndarray) -> np.ndarray:
        xt = tensor(x, grad=True)
        getattr(torch, activation)(xt).sum().backward()
        return plain(xt.grad)
    return grad


relu_grad = derivative("relu")
sigmoid_grad = derivative("sigmoid")
tanh_grad = derivative("tanh")


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return plain(torch.softmax(tensor(x), dim=axis))


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return plain(torch.log_softmax(tensor(x), dim=axis))


ANY_SHAPE = shapes("1-D", "2-D", "3-D")
EXTREME = edge("±1000 and exact zeros",
               lambda call: np.max(np.abs(call.args[0])) == 1e3 and np.any(call.args[0] == 0))
ZEROS = edge("exact zeros", lambda call: np.any(call.args[0] == 0))


def shaped(d: Draw, ndim: int) -> tuple[int, ...]:
    """(N,), (N, D) or (N, C, D)."""
    return {1: (d.N,), 2: (d.N, d.D), 3: (d.N, d.C, d.D)}[ndim]


def any_shape(d: Draw) -> Call:
    """Gaussian values shaped (N,), (N, D) or (N, C, D) (the case's "shape" kind)."""
    return d.call(d.normal(*shaped(d, d.kind("shape")), scale=3.0))


def extreme(d: Draw) -> Call:
    """Values reaching ±1000, with exact zeros."""
    return d.call(d.extreme(d.N, d.D))


def with_zeros(d: Draw) -> Call:
    """Gaussian values (N, D), some exactly 0."""
    return d.call(d.with_zeros(d.normal(d.N, d.D)))


def logits(d: Draw) -> Call:
    """(N, C) logits, the default axis."""
    return d.call(d.normal(d.N, d.C, scale=3.0))


def given_axis(call: Call) -> int:
    """The axis a call passes, in third place or by keyword."""
    return call.kwargs["axis"] if "axis" in call.kwargs else call.args[1]


FIRST_AXIS = (
    shapes("2-D", "3-D"),
    Axis("axis", (Kind("axis=0", "zero", lambda call: given_axis(call) == 0),
                  Kind("axis=-ndim", "negative", lambda call: given_axis(call) < 0))),
    Axis("passed", (Kind("axis by keyword", "keyword", lambda call: "axis" in call.kwargs),
                    Kind("axis in second place", "positional", lambda call: len(call.args) == 2))),
)


def first_axis(d: Draw) -> Call:
    """(C, N) or (C, N, D) logits along axis 0, given as 0 or as a negative index, by
    keyword or in second place."""
    x = d.normal(*(d.C, d.N, d.D)[:d.kind("shape")], scale=3.0)
    axis = 0 if d.kind("axis") == "zero" else -x.ndim
    return d.call(x, axis=axis) if d.kind("passed") == "keyword" else d.call(x, axis)


#: The default axis on the shapes other than (N, C).
OTHER_SHAPES = shapes("1-D", "3-D")


def default_axis(d: Draw) -> Call:
    """Logits (N,) or (N, C, D) (the "shape" kind), the default axis."""
    return d.call(d.normal(*shaped(d, d.kind("shape")), scale=3.0))


def axis_not_given(call: Call) -> bool:
    """Whether the call leaves ``axis`` at its default."""
    return len(call.args) < 2 and "axis" not in call.kwargs


def offset_rows(d: Draw, n: int, c: int) -> np.ndarray:
    """(n, c) logits whose rows lie thousands apart (row maxima from -9000 to 9000) and span
    1000 each: a shift by the global maximum underflows whole rows to 0, and log(softmax)
    is -inf away from each row's maximum."""
    maxima = d.rng.permutation(np.linspace(-9e3, 9e3, n))
    rows = maxima[:, None] - d.uniform(n, c, low=0.0, high=1e3)
    for row, top in zip(rows, maxima):
        first, last = d.rng.permutation(c)[:2]
        row[first], row[last] = top, top - 1e3
    return rows


def rows_apart(call: Call) -> bool:
    """Whether the logits' row maxima differ by more than 745 (e^-745 underflows), and every
    row holds a logit more than 745 below its maximum."""
    x = np.asarray(call.args[0])
    top = x.max(axis=1)
    return bool(np.ptp(top) > 745 and np.all(top - x.min(axis=1) > 745))


def tied_at_the_top(call: Call) -> bool:
    """Whether the row holding the largest logit holds a second one within 1 of it."""
    x = np.asarray(call.args[0])
    first, second = np.sort(x[np.argmax(np.max(x, axis=1))])[::-1][:2]
    return bool(first - second <= 1)


STABILITY = Axis("logits", (
    Kind("±1e4 with zeros and a near tie at 1e4", "extreme",
         lambda call: np.max(np.abs(call.args[0])) == 1e4 and np.any(call.args[0] == 0)
         and tied_at_the_top(call)),
    Kind("rows thousands apart", "offset", rows_apart),
))


def huge_logits(d: Draw, n: int, c: int) -> np.ndarray:
    """Logits of size up to 1e4: the case's "logits" kind. Extreme ones have a second logit
    within 1 of the maximum 1e4 (when there is room), so that the sum of e^z is not 1 there
    and a softmax left unnormalised, or log Σ e^z added, fails this test on every seed."""
    if d.kind("logits") != "extreme":
        return offset_rows(d, n, c)
    logits = d.extreme(n, c, size=1e4)
    if n * c >= 4:   # [0, 1] is neither the -1e4 (last) nor the zero (middle) of ``extreme``
        logits[0, 1] = 1e4 - d.scalar(0.0, 1.0)
    return logits


def extreme_logits(d: Draw) -> Call:
    """(N, C) logits of size up to 1e4."""
    return d.call(huge_logits(d, d.N, d.C))


def unnormalised(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """e^(x - max) along ``axis``, not divided by its sum."""
    return np.exp(x - np.max(x, axis=axis, keepdims=True))


def not_last_axis(reference: Callable[..., np.ndarray]) -> Callable[[Call], bool]:
    """Whether ``axis`` is not the last axis (so ignoring it matters)."""
    def applies(call: Call) -> bool:
        x, axis = call.args[0], arguments(reference, call)["axis"]
        return axis % np.ndim(x) != np.ndim(x) - 1
    return applies


CHECKS = (
    Check(
        "activations.relu", torch=relu,
        tests=(
            Test(N_("random values of any shape"), 1, any_shape, kinds=(ANY_SHAPE,)),
            Test(N_("exact zeros and x = ±1000"), 1, extreme, kinds=(EXTREME,)),
        ),
        mistakes=(
            Mistake(N_("np.max(x, 0) is the largest value along axis 0; ReLU is the elementwise "
                       "np.maximum(x, 0)."),
                    wrong(lambda x: np.max(x, 0))),
            Mistake(N_("np.minimum(x, 0) keeps the negative part; ReLU is np.maximum(x, 0)."),
                    wrong(lambda x: np.minimum(x, 0))),
        ),
    ),
    Check(
        "activations.sigmoid", torch=sigmoid,
        tests=(
            Test(N_("random values of any shape"), 1, any_shape, kinds=(ANY_SHAPE,)),
            Test(N_("x = ±1000"), 2, extreme, kinds=(EXTREME,)),
        ),
        nonfinite_hint=N_("The sigmoid overflowed: e^x is inf for x = 1000 (and e^-x for x = -1000). "
                          "Exponentiate only -|x|: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) for x < 0."),
        mistakes=(
            Mistake(N_("This is 1 / (1 + e^x) = σ(-x): the exponent needs a minus sign."),
                    wrong(lambda x: sigmoid(-x))),
        ),
    ),
    Check(
        "activations.tanh", torch=tanh,
        tests=(
            Test(N_("random values of any shape"), 1, any_shape, kinds=(ANY_SHAPE,)),
            Test(N_("x = ±1000"), 1, extreme, kinds=(EXTREME,)),
        ),
        nonfinite_hint=N_("tanh overflowed: (e^x - e^-x) / (e^x + e^-x) is inf / inf for |x| = 1000. "
                          "Use np.tanh, or 2σ(2x) - 1 with a stable sigmoid."),
        mistakes=(
            Mistake(N_("tanh(x) = 2σ(2x) - 1, with 2x inside the sigmoid; 2σ(x) - 1 is tanh(x/2)."),
                    wrong(lambda x: 2 * sigmoid(x) - 1)),
        ),
    ),
    Check(
        "activations.relu_grad", torch=relu_grad,
        tests=(
            Test(N_("random values of any shape"), 1, any_shape, kinds=(ANY_SHAPE,)),
            Test(N_("exact zeros"), 1, with_zeros, kinds=(ZEROS,)),
        ),
        mistakes=(
            Mistake(N_("The derivative at x = 0 should be 0 (as torch autograd gives): "
                       "use x > 0, not x >= 0."),
                    wrong(lambda x: np.where(x >= 0, 1.0, 0.0))),
        ),
    ),
    Check(
        "activations.sigmoid_grad", torch=sigmoid_grad,
        tests=(
            Test(N_("random values of any shape"), 1, any_shape, kinds=(ANY_SHAPE,)),
            Test(N_("x = ±1000"), 2, extreme, kinds=(EXTREME,)),
        ),
        nonfinite_hint=N_("σ'(x) overflowed for |x| = 1000: compute it as σ(x)(1 - σ(x)) "
                          "with a stable sigmoid."),
        callees=("activations.sigmoid",),
        mistakes=(
            Mistake(N_("This is x(1 - x): σ(x)(1 - σ(x)) needs σ(x) first (x is the pre-activation, "
                       "not the sigmoid's output)."),
                    wrong(lambda x: x * (1 - x))),
            Mistake(N_("This is σ(x) itself; its derivative is σ(x)(1 - σ(x))."), wrong(sigmoid)),
        ),
    ),
    Check(
        "activations.tanh_grad", torch=tanh_grad,
        tests=(
            Test(N_("random values of any shape"), 1, any_shape, kinds=(ANY_SHAPE,)),
            Test(N_("x = ±1000"), 1, extreme, kinds=(EXTREME,)),
        ),
        nonfinite_hint=N_("tanh'(x) overflowed for |x| = 1000: compute it as 1 - tanh(x)^2 with np.tanh."),
        callees=("activations.tanh",),
        mistakes=(
            Mistake(N_("This is 1 - x^2: 1 - tanh(x)^2 needs tanh(x) first (x is the pre-activation, "
                       "not tanh's output)."),
                    wrong(lambda x: 1 - x**2)),
            Mistake(N_("This is 1 - tanh(x); the derivative is 1 - tanh(x)², with tanh squared."),
                    wrong(lambda x: 1 - tanh(x))),
        ),
    ),
    Check(
        "activations.softmax", torch=softmax,
        tests=(
            Test(N_("logits (N, C), default axis"), 1, logits),
            Test(N_("default axis of 1-D and 3-D logits"), 0.5, default_axis, cases=2,
                 kinds=(OTHER_SHAPES,)),
            Test(N_("axis = 0"), 1.5, first_axis, kinds=FIRST_AXIS, every_combination=True),
            Test(N_("logits of ±1e4"), 2, extreme_logits, tolerance=EXTREME_LOGITS, kinds=(STABILITY,)),
        ),
        nonfinite_hint=N_("e^x overflowed, or a whole row underflowed to 0, for logits of ±1e4: subtract "
                          "each row's own maximum (np.max along the axis, keepdims=True) before "
                          "exponentiating."),
        mistakes=(
            Mistake(N_("The softmax was taken along the last axis: use the axis argument."),
                    changed(softmax, axis=-1), applies=not_last_axis(softmax)),
            Mistake(N_("The whole array sums to 1: normalise along the axis (np.sum(..., axis=axis, "
                       "keepdims=True))."),
                    wrong(lambda x, axis=-1: np.exp(x - np.max(x)) / np.sum(np.exp(x - np.max(x)))),
                    applies=lambda call: not axis_not_given(call)),
            Mistake(N_("With the default axis, the whole array was normalised (like scipy's "
                       "axis=None): the default is axis=-1, the last axis."),
                    wrong(lambda x, axis=-1: np.exp(x - np.max(x)) / np.sum(np.exp(x - np.max(x)))),
                    applies=lambda call: axis_not_given(call) and np.ndim(call.args[0]) > 1),
            Mistake(N_("The exponentials are not normalised: divide e^(x - max) by its sum along the "
                       "axis, so that it sums to 1."),
                    lambda call: unnormalised(*call.args, **call.kwargs)),
        ),
    ),
    Check(
        "activations.log_softmax", torch=log_softmax,
        tests=(
            Test(N_("logits (N, C), default axis"), 0.5, logits),
            Test(N_("default axis of 1-D and 3-D logits"), 0.5, default_axis, cases=2,
                 kinds=(OTHER_SHAPES,)),
            Test(N_("axis = 0"), 1, first_axis, kinds=FIRST_AXIS, every_combination=True),
            Test(N_("logits of ±1e4"), 2, extreme_logits, tolerance=EXTREME_LOGITS, kinds=(STABILITY,)),
        ),
        nonfinite_hint=N_("For logits of ±1e4, e^x overflows to inf, or a sum of e^x underflows to 0 "
                          "whose log is -inf: use z - log Σ e^z with z = x minus each row's own "
                          "maximum (along the axis), so every sum is at least 1."),
        callees=("activations.softmax",),
        mistakes=(
            Mistake(N_("The log-softmax was taken along the last axis: use the axis argument."),
                    changed(log_softmax, axis=-1), applies=not_last_axis(log_softmax)),
            Mistake(N_("Only the maximum was subtracted: log_softmax(x) = z - log Σ e^z "
                       "with z = x - max(x)."),
                    wrong(lambda x, axis=-1: x - np.max(x, axis=axis, keepdims=True))),
            Mistake(N_("With the default axis, the log-softmax was taken over the whole array (like "
                       "scipy's axis=None): the default is axis=-1, the last axis."),
                    wrong(lambda x, axis=-1: x - np.max(x) - np.log(np.sum(np.exp(x - np.max(x))))),
                    applies=lambda call: axis_not_given(call) and np.ndim(call.args[0]) > 1),
        ),
    ),
)
