"""Plain-text pieces shared by the formats: status words, a test's details, score lines.

Everything here is neutralised for a terminal (``neutral.terminal``) and bounded
(``bound``); what a submission printed is fenced behind a gutter, so no line of it can pass
for one of the grader's own.
"""

from __future__ import annotations

from rich.cells import cell_len, chop_cells

from grader.i18n import _
from grader.report import bound, neutral
from grader.report.model import ERROR, FAILED, INTERNAL, PASSED, Example, Report, TestResult

#: What precedes each line the submission printed, and the line that closes the block.
GUTTER, FENCE_END = "  │ ", "  └─"
#: Longer printed lines are split (each piece behind the gutter), so no viewer wraps one.
PRINTED_WIDTH = 76


def status_label(status: str) -> str:
    """The translated word for a test status."""
    labels = {PASSED: _("passed"), FAILED: _("failed"), ERROR: _("error"),
              INTERNAL: _("grader error")}
    return labels.get(status, status)


def is_failure(test: TestResult) -> bool:
    """Whether the test cost the student points (an internal error never does)."""
    return test.status in (FAILED, ERROR)


def output_lines(output: str, heading: str | None = None) -> list[str]:
    """What the submission printed, neutralised and fenced: a heading, each line behind
    ``GUTTER``, then ``FENCE_END``."""
    lines = neutral.terminal(output.rstrip()).splitlines() or [""]
    pieces = [piece for line in lines for piece in chop_cells(line, PRINTED_WIDTH) or [""]]
    return [heading or _("Printed by your code:")] + [GUTTER + p for p in pieces] + [FENCE_END]


def message_lines(message: str) -> list[str]:
    """A test's message, neutralised and bounded, as lines."""
    return neutral.terminal(bound.cut(message, bound.MESSAGE_CHARS)).splitlines()


def points(value: float) -> str:
    """``2.5`` -> ``"2.5"``, ``3.0`` -> ``"3"``."""
    return f"{round(value, 4):g}"


def example_lines(example: Example) -> list[str]:
    """The smallest failing example as indented lines (neutralised and bounded)."""
    example = bound.example(example.inputs, example.expected, example.got)
    lines = [_("Smallest failing example:")]
    for name, value in example.inputs.items():
        lines += _hanging(neutral.terminal(name).replace("{", "{{").replace("}", "}}")
                          + " = {value}", value)
    lines += _hanging(_("expected: {value}"), example.expected)
    lines += _hanging(_("got: {value}"), example.got)
    return lines


def _hanging(template: str, value: str) -> list[str]:
    """``template`` filled with ``value``; continuation lines aligned under its first line."""
    first, *rest = neutral.terminal(value).splitlines() or [""]
    pad = " " * (2 + cell_len(template.format(value="")))   # Hangul is two columns wide
    return ["  " + template.format(value=first)] + [pad + line for line in rest if line.strip()]


def test_details(test: TestResult, *, output: bool = True) -> str:
    """Message, smallest failing example and (when ``output``) captured output of one test,
    as plain text."""
    lines = message_lines(test.message) if test.message else []
    if test.example is not None and is_failure(test):
        lines += example_lines(test.example)
    if test.output and output:
        lines += output_lines(test.output, output_heading(test))
    return "\n".join(lines)


def output_heading(test: TestResult) -> str:
    """The heading of what a test printed: a passing test's says that it passed."""
    return _("Printed by your code:") if is_failure(test) else \
        _("Printed by your code (this test passed):")


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


def seed_line(report: Report, *, notebook: bool = False) -> str:
    """The seed, with how to repeat the run (``check(..., seed=N)`` in a ``notebook``); ""
    for a submission that could not be graded (no input was drawn)."""
    if report.status != "graded":
        return ""
    if notebook:
        return _("Seed: {seed} (repeat this check with check(..., seed={seed}))").format(
            seed=report.seed)
    return _("Seed: {seed} (repeat this run with --seed {seed})").format(seed=report.seed)


def note_lines(note: str) -> list[str]:
    """One note as a list item, continuation lines indented under it (neutralised, bounded)."""
    first, *rest = message_lines(note) or [""]
    return [f"- {first}"] + ["  " + line for line in rest]


def load_output_lines(report: Report) -> list[str]:
    """What the submission printed while it was loaded, fenced (nothing if it printed nothing)."""
    return output_lines(report.output, _("Printed while loading your code:")) \
        if report.output else []


def summary(report: Report) -> str:
    """Score, selection, seed, notes and load output: what a whole-submission ``output``
    field holds."""
    lines = [line for line in (score_line(report), selection_line(report), seed_line(report))
             if line]
    for note in report.notes:
        lines += note_lines(note)
    return "\n".join(lines + load_output_lines(report))
