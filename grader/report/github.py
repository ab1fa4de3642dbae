"""GitHub Classroom: the runner results that ``autograding-grading-reporter`` (v1) reads.

What the reporter does with them (from its source): for each name in its ``runners`` input
it base64-decodes and JSON-parses the environment variable ``<NAME>_RESULTS`` (upper-cased),
``{"version", "status": pass|fail|error, "max_score", "tests": [{"name", "status", "score",
"message", "test_code", "line_no"}]}`` (the fields it reads). Its console prints per
runner "(tests with status pass / all tests) × max_score"; per test ``✅ name`` or ``❌ name``
(status pass or fail: the ``message`` is never printed) or ``Error: <message>`` (status
error), then, for any test with a non-empty ``test_code``, ``Test code:`` and that text. What
Classroom records (the notice ``Points T/M``) is the sum of the tests' ``score`` over the sum
of the runners' ``max_score``. The job fails when a runner's status is fail or error.

Where the student reads the feedback: ``test_code`` is the only text the reporter prints for
a wrong answer, so every failing test's ``test_code`` is the command that repeats it
(``grade run . --seed N --only module.function``) followed by its hint and smallest failing
example (``Error:`` lines already show an error's message, so there only the command). The
grading step's own log is the terminal report (every failure's details and what the code
printed), and the step summary lists every failing test's details below the table.

One score everywhere: every test is all-or-nothing, so the grader reports one runner per test
weight (``RUNNERS``: ``dlgrade025`` holds the tests worth 0.25 points each, ``dlgrade150``
those worth 1.5, ...). Within a runner, passed / all × max_score is then exactly the sum of
the scores, so the console's per-runner totals, its grand total, the recorded notice, the step
summary, ``grade run`` and Gradescope all show the same number.

A result always exists: a submission that cannot be graded gets every test with status
error, 0 points and the reason (``ungraded.complete``): 0 out of 100.

Size: all runners' encoded results together stay under ``BUDGET`` bytes (Linux caps one
environment variable at 128 KiB, and the reporter gets them all): passed tests carry no
text; every failing test's details (without what the code printed, which the log shows) are
cut to the longest length at which they all fit, with a visible marker. An error's message
starts with the test's name, so the reporter's ``Error:`` lines say which function and test
they are about.

``render`` prints the terminal report, then one ``NAME=VALUE`` line per runner; in Actions
``log`` (the terminal report alone) is what the step prints, ``write_outputs`` appends the
lines to ``$GITHUB_OUTPUT``, ``append_step_summary`` the summary to ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from grader.i18n import _
from grader.report import bound, markdown, neutral, text
from grader.report.details import is_failure, test_details
from grader.report.model import ERROR, Report, TestResult
from grader.report.ungraded import complete

#: All runners' encoded results together stay under this many bytes.
BUDGET = 32 * 1024
#: The step summary (GitHub keeps up to 1 MiB per step) stays under this many bytes.
SUMMARY_BUDGET = 256 * 1024


def runner_name(weight: float) -> str:
    """The runner of the tests worth ``weight`` points each: ``0.25`` -> ``dlgrade025``."""
    return f"dlgrade{round(weight * 100):03d}"


def runners() -> dict[str, float]:
    """Every runner the workflow lists, by name, with its tests' weight (lightest first)."""
    from grader.checks import CHECKS
    weights = sorted({test.points for check in CHECKS for test in check.tests})
    return {runner_name(weight): weight for weight in weights}


def runner_results(report: Report) -> dict[str, dict[str, Any]]:
    """The result of every runner (``runners()``), within ``BUDGET`` once encoded: each
    failing test's details as long as they all fit (the longest cut that does, found by
    bisection, so the student sees as much of every hint and example as the budget allows)."""
    report = complete(bound.report(report))

    def size(results: dict[str, dict[str, Any]]) -> int:
        return sum(map(len, _encode_all(results).values()))

    results = _results(report, None)
    if size(results) <= BUDGET:
        return results
    fits, too_long = 0, bound.MESSAGE_CHARS + 4 * bound.VALUE_CHARS
    while too_long - fits > 1:
        cap = (fits + too_long) // 2
        if size(_results(report, cap)) <= BUDGET:
            fits = cap
        else:
            too_long = cap
    return _results(report, fits)


def encoded(report: Report) -> dict[str, str]:
    """Each runner's result, base64-encoded as the reporter decodes it."""
    return _encode_all(runner_results(report))


def fallback(weight: float, count: int) -> str:
    """The encoded result of a runner whose grading step produced none (the workflow's
    default), in the language in force: its tests' total as ``max_score``, 0 points, status
    error."""
    message = _("dlgrade: the grading step produced no result (see its log)")
    result = {"version": 1, "status": "error", "max_score": weight * count,
              "tests": [_entry(message, "error", 0.0, message)]}
    return _encode(result)


def output_lines(report: Report) -> list[str]:
    """``NAME=VALUE`` for each runner, as ``$GITHUB_OUTPUT`` takes them."""
    return [f"{name}={value}" for name, value in encoded(report).items()]


def render(report: Report) -> str:
    """The terminal report, then one ``NAME=VALUE`` line per runner."""
    return log(report) + "\n" + "\n".join(output_lines(report)) + "\n"


def log(report: Report) -> str:
    """What the grading step prints in Actions: the terminal report (every failing test's
    hint, smallest failing example and printed output), without colours."""
    return text.render(report)


def summary(report: Report) -> str:
    """The Markdown summary of ``report`` (every test listed, even if none could be graded),
    then every failing test's details, within ``SUMMARY_BUDGET``."""
    report = complete(bound.report(report))
    table = markdown.render(report)
    failing = [test for test in report.tests if is_failure(test)]
    if report.status != "graded" or not failing:
        return table
    return bound.within_budget(lambda cap: table + _failures(failing, cap),
                               lambda page: len(page.encode("utf-8")), SUMMARY_BUDGET)


def _failures(tests: list[TestResult], cap: int | None) -> str:
    """The details of each failing test under its name (a test with the same details as the
    one above says so)."""
    blocks, shown = ["", f"#### {_('What went wrong')}"], None
    for test in tests:
        details = markdown.test_details(test, output=False)
        body = _("same as above") if details == shown else bound.cut(details, cap)
        blocks += ["", f"**{neutral.markdown(test.name)}**", "", body]
        shown = details
    return "\n".join(blocks) + "\n"


def write_outputs(report: Report) -> None:
    """Append each runner's result to ``$GITHUB_OUTPUT`` when running in Actions."""
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with Path(target).open("a", encoding="utf-8") as outputs:
            outputs.write("\n".join(output_lines(report)) + "\n")


def append_step_summary(report: Report) -> None:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` when running in Actions."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as summary_file:
            summary_file.write(summary(report) + "\n")


def _results(report: Report, cap: int | None) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[TestResult]] = {name: [] for name in runners()}
    for test in report.tests:
        groups.setdefault(runner_name(test.max_points), []).append(test)
    results, commanded = {}, set()
    for name, tests in groups.items():
        entries = _entries(report, tests, cap, commanded) or [
            _entry(_("no test of this weight was run"), "pass", 0.0)]
        if report.status != "graded":
            status = "error"
        else:
            status = "fail" if any(e["status"] != "pass" for e in entries) else "pass"
        results[name] = {"version": 1, "status": status,
                         "max_score": round(sum(t.max_points for t in tests), 6),
                         "tests": entries}
    return results


def _entries(report: Report, tests: list[TestResult], cap: int | None,
             commanded: set[str]) -> list[dict[str, Any]]:
    """One runner's tests. Only failing tests carry text: an error's message starts with the
    test's name and holds its details (the reporter prints ``Error: <message>``); a wrong
    answer's details go in ``test_code``, the only text the reporter prints for it. Either
    way ``test_code`` starts with the command that repeats the function's tests (on its first
    failing test; none for a submission that could not be graded); details the test above
    already showed are not repeated. ``commanded``: the functions whose command was given."""
    entries, shown = [], None
    for test in tests:
        if not is_failure(test):
            entries.append(_entry(test.name, "pass", test.points))
            continue
        details = test_details(test, output=False)
        said = bound.cut(details, cap) if details != shown else _("same as above")
        command = "" if test.function in commanded else _command(report, test)
        commanded.add(test.function)
        if test.status == ERROR:
            entries.append(_entry(test.name, "error", test.points, f"{test.name}: {said}",
                                  command))
        else:
            entries.append(_entry(test.name, "fail", test.points, "",
                                  "\n".join(line for line in (command, said) if line)))
        shown = details
    return entries


def _command(report: Report, test: TestResult) -> str:
    """The command that repeats ``test``'s function in the student's repository ("" if the
    submission was not graded)."""
    if report.status != "graded":
        return ""
    return f"grade run . --seed {report.seed} --only {neutral.terminal(test.function)}"


def _entry(name: str, status: str, score: float, message: str = "",
           test_code: str = "") -> dict[str, Any]:
    # line_no 0: the reporter prints "- line N" after a name unless it is 0.
    return {"name": name, "status": status, "score": score, "message": message,
            "test_code": test_code, "line_no": 0}


def _encode(result: dict[str, Any]) -> str:
    data = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "backslashreplace")
    return base64.b64encode(data).decode("ascii")


def _encode_all(results: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {name: _encode(result) for name, result in results.items()}
