"""The registry: 26 checks in contract order, 100 points, labelled tests, sane callees."""

from __future__ import annotations

import inspect

import pytest

from grader.checks import CHECK, CHECKS
from grader.compare.expect import solution_for
from grader.contract import FUNCTIONS


def parameters(fn) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_one_check_per_function_in_contract_order():
    assert tuple(check.function for check in CHECKS) == FUNCTIONS
    assert list(CHECK) == list(FUNCTIONS)


def test_points_total_100():
    assert sum(check.points for check in CHECKS) == 100
    assert all(test.points > 0 for check in CHECKS for test in check.tests)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_tests_are_labelled(check):
    labels = [test.label for test in check.tests]
    assert labels and all(label.strip() for label in labels)
    assert len(set(labels)) == len(labels)
    assert all(test.cases >= 1 for test in check.tests)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_callees_are_graded_earlier(check):
    position = FUNCTIONS.index(check.function)
    for callee in check.callees:
        assert callee in FUNCTIONS and FUNCTIONS.index(callee) < position, callee


def test_only_torch_api_is_exempt_from_the_policy():
    assert {c.function for c in CHECKS if c.policy_exempt} == {
        f for f in FUNCTIONS if f.startswith("torch_api.")}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_torch_oracle_has_the_solution_signature(check):
    solution = solution_for(check.function)
    assert solution is not None, f"solutions/ lacks {check.function}"
    assert parameters(check.torch) == parameters(solution)
