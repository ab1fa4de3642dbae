"""The report in Markdown: the per-function summary table (GitHub's step summary) and a
test's details (Gradescope's ``md`` output).

Student-controlled text is either one inert line (``neutral.markdown``) or inside a code
block (``neutral.fenced``), so no HTML or Markdown of a submission's reaches the page.
"""

from __future__ import annotations

from grader.i18n import _
from grader.report import bound, neutral
from grader.report.absent import Line, grouped
from grader.report.details import (
    example_lines, is_failure, message_lines, output_heading, points, score_line, seed_line,
    selection_line)
from grader.report.model import Report, TestResult


def render(report: Report) -> str:
    """A Markdown heading, the per-function table, then ``summary``."""
    report = bound.report(report)
    heading = _("Grading report: {name}").format(name=report.submission)
    lines = [f"### {neutral.markdown(heading)}", "",
             f"| {_('Function')} | {_('Points')} | {_('Result')} | {_('Failed tests')} |",
             "| --- | ---: | :---: | --- |"]
    for row in grouped(report):
        tests = row.tests if isinstance(row, Line) else row
        got = sum(t.points for t in tests)
        full = sum(t.max_points for t in tests)
        failed = [row.text] if isinstance(row, Line) else [t.label for t in tests
                                                          if is_failure(t)]
        mark = "❌" if failed else "✅"
        name = row.name if isinstance(row, Line) else tests[0].function
        lines.append(f"| {neutral.code(name)} | {points(got)}/{points(full)} | {mark} | "
                     f"{neutral.markdown(', '.join(failed))} |")
    return "\n".join(lines) + "\n\n" + summary(report, output=False) + "\n"


def summary(report: Report, *, output: bool = True) -> str:
    """Score, seed, notes and (when ``output``) what was printed while loading: a whole
    submission's output."""
    blocks = [f"**{score_line(report)}**"] + [line for line in [seed_line(report)] if line]
    if report.selected:
        blocks.append(neutral.markdown(selection_line(report)))
    if report.notes:
        blocks.append("\n".join(f"- {neutral.markdown(note)}" for note in report.notes))
    if report.output and output:
        blocks += [f"**{_('Printed while loading your code:')}**", neutral.fenced(report.output)]
    return "\n\n".join(blocks)


def paragraph(text: str) -> str:
    """Text of several lines as one Markdown paragraph, line breaks kept, every line inert."""
    return "  \n".join(neutral.markdown(line) for line in text.splitlines())


def test_details(test: TestResult, *, output: bool = True) -> str:
    """A test's message (inert lines), its smallest failing example and (when ``output``)
    what it printed (code blocks)."""
    blocks = [paragraph("\n".join(message_lines(test.message)))] if test.message else []
    if test.example is not None and is_failure(test):
        title, *lines = example_lines(test.example)
        blocks += [f"**{title}**", neutral.fenced("\n".join(lines))]
    if test.output and output:
        blocks += [f"**{output_heading(test)}**", neutral.fenced(test.output)]
    return "\n\n".join(blocks)

