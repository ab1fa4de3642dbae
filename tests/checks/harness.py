"""Grade a plain Python implementation against one check, in-process: draw, expect, compare.

No sandbox: this exercises the declarations (cases, oracles, tolerances, mistakes) alone.
"""

from __future__ import annotations

import copy
import warnings
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from grader.cases import Call
from grader.checks import CHECK
from grader.checks.spec import Check, Test
from grader.compare.expect import expect
from grader.compare.verdict import PASS, Verdict, compare

Answer = Callable[[Call], Any]


@lru_cache(maxsize=None)
def cases(function: str, seed: int) -> tuple[tuple[Test, tuple[tuple[Call, Any], ...]], ...]:
    """Every test of the check with its cases and their agreed expected values."""
    check = CHECK[function]
    drawn = []
    for test in check.tests:
        pairs = []
        for call in test.draw(seed, function):
            expected = expect(check, call)
            assert not expected.internal, f"{function}: {test.label}: {expected.internal}"
            pairs.append((call, expected.value))
        drawn.append((test, tuple(pairs)))
    return tuple(drawn)


def answer_of(implementation: Callable[..., Any]) -> Answer:
    """The result of ``implementation`` on copies of the call's arguments (an exception as is)."""
    def answer(call: Call) -> Any:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                return implementation(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))
        except Exception as error:  # noqa: BLE001 - a raised exception is the answer
            return error
    return answer


def evaluate(check: Check, answer: Answer, seed: int) -> dict[str, Verdict]:
    """Test label -> the verdict on its first failing case (PASS when every case matches)."""
    verdicts = {}
    for test, pairs in cases(check.function, seed):
        verdicts[test.label] = PASS
        for call, expected in pairs:
            verdict = compare(answer(call), expected, test.tolerance or check.tolerance)
            if not verdict.ok:
                verdicts[test.label] = verdict
                break
    return verdicts


def failures(check: Check, implementation: Callable[..., Any], seed: int) -> dict[str, Verdict]:
    """The failing tests of a plain implementation."""
    return {label: v for label, v in evaluate(check, answer_of(implementation), seed).items() if not v.ok}
