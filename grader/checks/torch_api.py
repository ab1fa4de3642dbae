"""Checks of ``torch_api``: PyTorch's legacy reduction arguments and ``nn.MSELoss`` with autograd.

Here torch is the point, so these checks are exempt from the numpy-only policy.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from grader.cases import Call, Draw
from grader.cases.kinds import passed
from grader.checks.common import arguments, changed, given, plain, tensor, wrong
from grader.checks.losses import INVALID, MATRIX_OR_VECTOR
from grader.checks.spec import Check, Mistake, Test
from grader.i18n import N_, _
from grader.lazy import LazyModule

torch = LazyModule("torch")
_reduction = LazyModule("torch.nn._reduction")


def legacy_reduction(size_average: bool | None = None, reduce: bool | None = None) -> str:
    return _reduction.legacy_get_string(size_average, reduce, emit_warning=False)


def mse_loss_and_grad(input: np.ndarray, target: np.ndarray, reduction: str = "mean"
                      ) -> tuple[float | np.ndarray, np.ndarray]:
    x = tensor(input, grad=True)
    loss = torch.nn.MSELoss(reduction=reduction)(x, tensor(target))
    loss.sum().backward()
    return plain(loss), plain(x.grad)


def size_average_first(size_average: bool | None = None, reduce: bool | None = None) -> str:
    """Reads ``size_average`` before ``reduce``: wrong for (False, False)."""
    if size_average is False:
        return "sum"
    return "none" if reduce is False else "mean"


def legacy_rule(call: Call) -> str:
    """Why PyTorch derives its reduction from this combination (translated)."""
    given = arguments(legacy_reduction, call)
    if given["reduce"] is False:
        return _(N_("PyTorch gives 'none' here: reduce=False means no reduction, whatever "
                    "size_average says."))
    if given["size_average"] is False:
        return _(N_("PyTorch gives 'sum' here: reduce is True or missing, and "
                    "size_average=False sums instead of averaging."))
    return _(N_("PyTorch gives 'mean' here: neither argument is False, and a missing "
                "argument (None) counts as True."))


def legacy(size_average: bool | None, reduce: bool | None) -> Callable[[Draw], Call]:
    """The one case of a combination; both missing is the call without arguments, both given
    are passed in their places, one given by keyword."""
    if size_average is None and reduce is None:
        return lambda d: d.call()
    if size_average is not None and reduce is not None:   # both given: in their places
        return lambda d: d.call(size_average, reduce)
    return lambda d: d.call(size_average=size_average, reduce=reduce)


def legacy_test(label: str, size_average: bool | None, reduce: bool | None) -> Test:
    return Test(label, 0.25, legacy(size_average, reduce), cases=1, shrink=False)


def arrays(reduction: str | None = None, invalid: bool = False) -> Callable[[Draw], Call]:
    """Cases ``(input, target[, reduction])`` of shape (N, D) or (N,) (the "shape" kind);
    ``None``: the default reduction; ``invalid``: the case's "reduction" kind."""
    def make(d: Draw) -> Call:
        shape = (d.N, d.D)[:d.kind("shape")]
        input, target = d.normal(*shape), d.normal(*shape)
        if invalid:
            return d.call(input, target, reduction=d.kind("reduction"))
        if reduction is None:
            return d.call(input, target)
        return d.pass_as((input, target), {"reduction": reduction})
    return make


CHECKS = (
    Check(
        "torch_api.legacy_reduction", torch=legacy_reduction,
        tests=(
            legacy_test(N_("size_average=None, reduce=None"), None, None),
            legacy_test(N_("size_average=True, reduce=None"), True, None),
            legacy_test(N_("size_average=False, reduce=None"), False, None),
            legacy_test(N_("size_average=None, reduce=True"), None, True),
            legacy_test(N_("size_average=True, reduce=True"), True, True),
            legacy_test(N_("size_average=False, reduce=True"), False, True),
            legacy_test(N_("size_average=None, reduce=False"), None, False),
            legacy_test(N_("size_average=True, reduce=False"), True, False),
            legacy_test(N_("size_average=False, reduce=False"), False, False),
        ),
        mistakes=(
            Mistake(N_("reduce=False means no reduction ('none'), whatever size_average says."),
                    wrong(size_average_first)),
        ),
        rule=legacy_rule, policy_exempt=True,
    ),
    Check(
        "torch_api.mse_loss_and_grad", torch=mse_loss_and_grad, squared_residual=True,
        derivatives="[1]",
        tests=(
            Test(N_("reduction='mean', the default"), 1, arrays(), kinds=(MATRIX_OR_VECTOR,)),
            Test(N_("reduction='sum'"), 0.5, arrays("sum"), cases=2,
                 kinds=(MATRIX_OR_VECTOR, passed("reduction", 3))),
            Test(N_("reduction='none'"), 0.5, arrays("none"), cases=2,
                 kinds=(MATRIX_OR_VECTOR, passed("reduction", 3))),
            Test(N_("invalid reduction raises ValueError"), 0.75, arrays(invalid=True), cases=1,
                 kinds=(MATRIX_OR_VECTOR, INVALID)),
        ),
        mistakes=(
            Mistake(N_("The reduction argument was ignored (the mean was taken)."),
                    changed(mse_loss_and_grad, reduction="mean"),
                    applies=given(mse_loss_and_grad, "reduction", "mean")),
            Mistake(N_("With reduction='none', back-propagate loss.sum(), as the exercise says; "
                       "this gradient is that of loss.mean()."),
                    wrong(lambda input, target, reduction="mean": (
                        mse_loss_and_grad(input, target, reduction)[0],
                        mse_loss_and_grad(input, target)[1])),
                    applies=lambda call: arguments(mse_loss_and_grad, call)["reduction"] == "none"),
        ),
        policy_exempt=True, requires="torch.nn",
    ),
)
