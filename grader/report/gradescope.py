"""Gradescope's ``results.json``: top-level score and output, one entry per test.

Written to Gradescope's autograder specification: ``output_format`` and each test's
``output_format`` are ``md`` (the text is Markdown: student-controlled text is an inert line
or inside a code block), ``stdout_visibility`` is ``hidden`` (the grader's log is for
instructors), and each test's ``visibility`` follows the instructor's rules (``VISIBILITY``
levels; ``grade gradescope --visibility 'PATTERN=LEVEL'``, the last matching rule wins,
default ``visible``); a failing test's ``extra_data`` holds its diagnosis identifier
(``TestResult.diagnosis``). A submission that cannot be graded gets every test at 0 points
(``ungraded.complete``), so it reads "0 / 100", and the reason once, in the document's
``output`` (no seed: nothing was drawn).

Size: the document stays under ``BUDGET`` bytes: passed tests carry no output; a failing
test's details are cut to the longest length that fits, with a visible marker.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import Any

from grader.report import bound, markdown
from grader.report.details import is_failure
from grader.report.json import dumps
from grader.report.model import Report, TestResult
from grader.report.ungraded import complete

#: Gradescope's visibility levels, most hidden first.
VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")
#: The whole results.json stays under this many bytes.
BUDGET = 1024 * 1024

#: One instructor rule: tests whose name matches the glob ``pattern`` get ``level``.
Rule = tuple[str, str]


def visibility_of(names: Sequence[str], rules: Sequence[Rule]) -> str:
    """The visibility of the test called ``names`` (as shown, and in English): the last
    rule whose glob matches one of them, else visible."""
    level = "visible"
    for pattern, rule_level in rules:
        if any(fnmatch.fnmatchcase(name, pattern) for name in names):
            level = rule_level
    return level


def english_names(report: Report) -> list[str]:
    """Each test's name in English (the declared label), so rules hold in every language."""
    from grader.checks import CHECK

    seen: dict[str, int] = {}
    names = []
    for test in report.tests:
        index = seen[test.function] = seen.get(test.function, -1) + 1
        declared = CHECK[test.function].tests if test.function in CHECK else ()
        label = declared[index].label if index < len(declared) else test.label
        names.append(f"{test.function}: {label}")
    return names


def document(report: Report, visibility: Sequence[Rule] = ()) -> dict[str, Any]:
    """The results.json document as a dict, within ``BUDGET`` once written."""
    report = complete(bound.report(report))
    return bound.within_budget(lambda cap: _document(report, visibility, cap),
                               lambda data: len(_dumps(data).encode("utf-8")), BUDGET)


def render(report: Report, visibility: Sequence[Rule] = ()) -> str:
    """The document as indented JSON."""
    return _dumps(document(report, visibility))


def _document(report: Report, visibility: Sequence[Rule], cap: int | None) -> dict[str, Any]:
    return {
        "score": report.score,
        "execution_time": round(report.seconds, 3),
        "output": markdown.summary(report),
        "output_format": "md",
        "test_output_format": "md",
        "test_name_format": "text",
        "stdout_visibility": "hidden",
        "extra_data": {"seed": report.seed, "oracle": report.oracle, "status": report.status,
                       "max_score": report.max_score, "selected": report.selected},
        "tests": [_test(test, english, visibility, cap, report.status == "graded")
                  for test, english in zip(report.tests, english_names(report))],
    }


def _test(test: TestResult, english: str, visibility: Sequence[Rule], cap: int | None,
          graded: bool) -> dict[str, Any]:
    """One test; of a submission that could not be graded, without output (the reason is
    the document's ``output``, said once)."""
    failed = is_failure(test)
    output = bound.cut(markdown.test_details(test), cap) if failed and graded else ""
    entry = {"name": test.name, "score": test.points, "max_score": test.max_points,
             "status": "failed" if failed else "passed", "output": output,
             "output_format": "md",
             "visibility": visibility_of((test.name, english), visibility)}
    if failed and graded and test.diagnosis:   # what went wrong, as the class report groups it
        entry["extra_data"] = {"diagnosis": test.diagnosis}
    return entry


def _dumps(data: dict[str, Any]) -> str:
    return dumps(data, indent=2) + "\n"
