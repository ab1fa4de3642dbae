"""A submission that could not be graded still gets every test, each at 0 points.

CI consumers (GitHub Classroom, Gradescope, JUnit readers) need a result in every case: an
empty list of tests reads as "0 out of 0", or crashes the reader. ``complete`` lists every
declared test with status error and the reason, so the result says "0 out of 100" and why.
"""

from __future__ import annotations

from dataclasses import replace

from grader.i18n import _
from grader.report.model import ERROR, Report, TestResult


def complete(report: Report) -> Report:
    """``report`` if it holds tests; else a copy with every declared test of the selection
    (``report.selected``; empty: all) errored, 0 points."""
    if report.tests or report.status == "graded":
        return report
    from grader.checks import CHECK
    from grader.selection import select

    reason = report.notes[0] if report.notes else _("the submission could not be graded")
    message = _("not graded: {reason}").format(reason=reason)
    tests = [TestResult(check.function, _(test.label), test.points, 0.0, ERROR,
                        message=message, diagnosis="outcome:load-error")
             for function in select(report.selected or None).functions
             for check in (CHECK[function],) for test in check.tests]
    return replace(report, tests=tests)
