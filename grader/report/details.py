"""Plain-text pieces shared by the formats: status words, a test's details, score lines."""

from __future__ import annotations

import re

from rich.cells import cell_len

from grader.i18n import _
from grader.report.model import ERROR, FAILED, INTERNAL, PASSED, Example, Report, TestResult


def status_label(status: str) -> str:
    """The translated word for a test status."""
    labels = {PASSED: _("passed"), FAILED: _("failed"), ERROR: _("error"),
              INTERNAL: _("grader error")}
    return labels.get(status, status)


def is_failure(test: TestResult) -> bool:
    """Whether the test cost the student points (an internal error never does)."""
    return test.status in (FAILED, ERROR)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters (terminal escapes, NUL, ...) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def output_lines(output: str) -> list[str]:
    """What the submission printed, made printable, under a heading."""
    return [_("Printed by your code:")] + [
        "  " + line for line in printable(output.rstrip()).splitlines()]


def points(value: float) -> str:
    """``2.5`` -> ``"2.5"``, ``3.0`` -> ``"3"``."""
    return f"{round(value, 4):g}"


def example_lines(example: Example) -> list[str]:
    """The smallest failing example as indented lines."""
    lines = [_("Smallest failing example:")]
    for name, value in example.inputs.items():
        lines += _hanging(name + " = {value}", value)
    lines += _hanging(_("expected: {value}"), example.expected)
    lines += _hanging(_("got: {value}"), example.got)
    return lines


def _hanging(template: str, value: str) -> list[str]:
    """``template`` filled with ``value``; continuation lines aligned under its first line."""
    first, *rest = value.splitlines() or [""]
    pad = " " * (2 + cell_len(template.format(value="")))   # Hangul is two columns wide
    return ["  " + template.format(value=first)] + [pad + line for line in rest if line.strip()]


def test_details(test: TestResult) -> str:
    """Message, smallest failing example and captured output of one test, as plain text."""
    lines = [test.message] if test.message else []
    if test.example is not None:
        lines += example_lines(test.example)
    if test.output:
        lines += output_lines(test.output)
    return "\n".join(lines)


def score_line(report: Report) -> str:
    """``Score: 73.5 / 100``."""
    return _("Score: {score} / {max_score}").format(
        score=points(report.score), max_score=points(report.max_score))


def selection_line(report: Report) -> str:
    """What ``--only`` selected ("" when every function was graded)."""
    if not report.selected:
        return ""
    return _("Graded only: {names} (the score is out of their points)").format(
        names=", ".join(report.selected))


def seed_line(report: Report) -> str:
    """The seed, with how to repeat the run."""
    return _("Seed: {seed} (repeat this run with --seed {seed})").format(seed=report.seed)


def summary(report: Report) -> str:
    """Score, seed and notes: what a whole-submission ``output`` field holds."""
    lines = [score_line(report), selection_line(report), seed_line(report)]
    lines = [line for line in lines if line] + [f"- {note}" for note in report.notes]
    return "\n".join(lines)
