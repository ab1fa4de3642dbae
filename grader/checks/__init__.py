"""Step 2b: one declaration per contract function; the registry in grading order."""

from __future__ import annotations

from grader.checks import activations, linear_regression, losses, mlp, torch_api
from grader.checks.spec import Check
from grader.contract import FUNCTIONS

_DECLARED: dict[str, Check] = {
    check.function: check
    for module in (activations, linear_regression, mlp, losses, torch_api)
    for check in module.CHECKS
}

#: Every check, in ``grader.contract.FUNCTIONS`` (grading) order.
CHECKS: tuple[Check, ...] = tuple(_DECLARED[function] for function in FUNCTIONS)

#: The check of each ``"module.function"``.
CHECK: dict[str, Check] = {check.function: check for check in CHECKS}
