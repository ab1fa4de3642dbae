"""The expected value of one case, from two oracles: the hidden solution and PyTorch.

A student's result passes only if it matches both oracles. ``expect`` first checks that the
two agree at a tolerance ten times tighter than the check's; when they do, comparing the
student with one of them (the solution's value, shaped like PyTorch's) at the check's
tolerance is comparing with both. When they disagree the case is the grader's fault:
``Expected.internal`` says so and the student is never charged. Without ``solutions/``
(a student's machine, classroom CI) PyTorch alone is the oracle.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from grader.cases import Call
from grader.checks.spec import Check, Tolerance
from grader.compare.verdict import Raises, compare
from grader.contract import module_of, name_of
from grader.i18n import _

#: How much tighter than the check's tolerance the two oracles must agree.
AGREEMENT = 10.0


@dataclass(frozen=True)
class Expected:
    """The reference result of one case, or why the grader cannot tell."""

    value: Any          # the solution's result when available (else PyTorch's), in PyTorch's kinds
    internal: str = ""  # non-empty when the two oracles disagree: the grader's fault


def solution_for(function: str) -> Callable[..., Any] | None:
    """``solutions.<module>.<name>``, or None where ``solutions/`` or the function is absent."""
    module_name = f"solutions.{module_of(function)}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name not in ("solutions", module_name):
            raise
        return None
    return getattr(module, name_of(function), None)


def expect(check: Check, call: Call, use_solutions: bool = True) -> Expected:
    """Run both oracles on float64 copies of the arguments; their agreed result."""
    reference = _run(check.torch, call)
    solution = solution_for(check.function) if use_solutions else None
    if solution is None:
        return Expected(reference)
    value = _run(solution, call)
    tight = Tolerance(rtol=check.tolerance.rtol / AGREEMENT, atol=check.tolerance.atol / AGREEMENT)
    verdict = compare(value, reference, tight)
    if not verdict.ok:
        return Expected(reference, _("internal error: the reference solution and PyTorch disagree: {message}")
                        .format(message=verdict.message))
    return Expected(_like(value, reference))


def _run(oracle: Callable[..., Any], call: Call) -> Any:
    """``oracle(*args, **kwargs)`` on copies; an exception becomes ``Raises(its name)``."""
    try:
        return oracle(*_copy(call.args), **_copy(call.kwargs))
    except Exception as error:  # noqa: BLE001 - an oracle's exception is an expected outcome
        return Raises(type(error).__name__)


def _copy(value: Any) -> Any:
    """A deep copy with floating arrays in float64 (the oracles compute in float64)."""
    if isinstance(value, np.ndarray):
        return value.astype(np.float64) if value.dtype.kind == "f" else value.copy()
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _like(value: Any, template: Any) -> Any:
    """``value`` in the kinds of ``template``: floats, float64 arrays, tuples, lists, dicts."""
    if isinstance(template, float):
        return float(np.asarray(value))
    if isinstance(template, np.ndarray):
        return np.asarray(value, dtype=np.float64)
    if isinstance(template, tuple):
        return tuple(_like(v, t) for v, t in zip(value, template))
    if isinstance(template, list):
        return [float(np.asarray(v)) for v in value]
    if isinstance(template, dict):
        return {k: _like(value[k], t) for k, t in template.items()}
    return template
