"""The README's list of tests: every scored test of every check, its points and the kinds of
input it promises on every seed (one lesson, one test).

``python -m grader.checks.lessons`` prints the table; ``tests/checks/test_lessons.py`` fails
when the README's copy differs, so the list is derived from the checks, never kept by hand.
"""

from __future__ import annotations

from grader.checks import CHECKS
from grader.checks.spec import Test

BEGIN, END = "<!-- BEGIN TESTS (python -m grader.checks.lessons) -->", "<!-- END TESTS -->"


def kinds(test: Test) -> str:
    """The kinds a test promises, ``axis: kind / kind; ...`` ("" for none)."""
    return "; ".join(" / ".join(kind.name for kind in axis.kinds) for axis in test.kinds)


def table() -> str:
    """The Markdown table of every test, between its markers."""
    rows = [BEGIN, "", "| test | points | inputs on every seed |", "| --- | --- | --- |"]
    for check in CHECKS:
        for test in check.tests:
            cell = kinds(test).replace("|", "\\|")
            rows.append(f"| `{check.function}`: {test.label} | {test.points:g} | {cell} |")
    total = sum(check.points for check in CHECKS)
    count = sum(len(check.tests) for check in CHECKS)
    rows += [f"| {count} tests | {total:g} | |", "", END]
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
