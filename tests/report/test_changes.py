"""``grader.report.changes``: what changed between two gradings of one submission."""

from __future__ import annotations

from grader.report.changes import changed_failures, changes, score_change
from grader.report.model import ERROR, FAILED, MISSING, NOT_IMPLEMENTED, PASSED, Report
from grader.report.model import TestResult as Result


def report(**functions: list[tuple[str, str]]) -> Report:
    """``relu=[("random", PASSED), ...]``: each function's tests and their status."""
    tests = []
    for name, results in functions.items():
        module = "losses" if name == "mse" else "activations"
        for label, status in results:
            diagnosis = {"stub": NOT_IMPLEMENTED, "missing": MISSING}.get(status, "")
            failed = status != PASSED
            tests.append(Result(f"{module}.{name}", label, 1.0, 0.0 if failed else 1.0,
                                    ERROR if diagnosis else status,
                                    message=f"{label} went wrong" if failed else "",
                                    diagnosis=diagnosis))
    return Report(submission="s", seed=1, tests=tests)


STUB = [("random", "stub"), ("zeros", "stub")]
RIGHT = [("random", PASSED), ("zeros", PASSED)]


def test_the_issue_example():
    before = report(relu=STUB, softmax=[("default", PASSED), ("axis = 0", FAILED)])
    after = report(relu=RIGHT, softmax=[("default", PASSED), ("axis = 0", FAILED)])
    assert "; ".join(changes(before, after)) == \
        "relu: now passes all 2 tests; softmax: still fails axis = 0"


def test_untouched_stubs_absent_functions_and_steady_passes_stay_quiet():
    before = report(relu=RIGHT, tanh=STUB, mse=[("batch", "missing")])
    assert changes(before, before) == []


def test_regressions_partial_fixes_and_new_stubs():
    before = report(relu=RIGHT, sigmoid=[("random", FAILED), ("large", FAILED)], tanh=RIGHT)
    after = report(relu=[("random", PASSED), ("zeros", FAILED)],
                   sigmoid=[("random", PASSED), ("large", FAILED)], tanh=STUB)
    assert changes(before, after) == ["relu: now fails zeros",
                                      "sigmoid: passes 1 of 2 tests, fails large",
                                      "tanh: not implemented yet"]


def test_several_failures_are_counted():
    after = report(relu=[("random", FAILED), ("zeros", FAILED)])
    assert changes(report(relu=STUB), after) == ["relu: now fails random and 1 more"]


def test_only_new_failures_are_detailed_again_and_the_score_says_what_it_was():
    before = report(relu=[("random", FAILED), ("zeros", PASSED)], tanh=STUB)
    after = report(relu=[("random", FAILED), ("zeros", FAILED)], tanh=STUB)
    assert [t.name for t in changed_failures(before, after)] == ["activations.relu: zeros"]
    assert score_change(before, after) == "Score: 0 / 4 (was 1)"
    assert score_change(after, after) == "Score: 0 / 4"
