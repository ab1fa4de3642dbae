"""What a passing test printed is labelled as a passing test's, in every text format."""

from __future__ import annotations

from grader.report import markdown, text
from grader.report import details
from grader.report.model import FAILED, PASSED, Report
from grader.report.model import TestResult as Result


def report_of(status: str) -> Report:
    test = Result("losses.mse", "(N, D) arrays", 1.5, points=1.5 if status == PASSED else 0,
                      status=status, output="warning: shapes differ\n",
                      message="" if status == PASSED else "expected 1, got 2")
    return Report("student", seed=1, tests=[test])


def test_a_passing_tests_output_is_labelled_as_passing():
    passed = report_of(PASSED)
    assert "(this test passed)" in details.test_details(passed.tests[0])
    assert "losses.mse: (N, D) arrays (passed)" in text.render(passed)
    assert "(this test passed)" in markdown.test_details(passed.tests[0])


def test_a_failing_tests_output_is_not():
    failed = report_of(FAILED)
    assert "passed" not in details.test_details(failed.tests[0])
    assert "(passed)" not in text.render(failed)
