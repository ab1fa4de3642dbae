"""The summary table in Markdown: one row per function, then the total and the seed."""

from __future__ import annotations

from grader.i18n import _
from grader.report.absent import Line, grouped
from grader.report.details import is_failure, points, score_line, seed_line, selection_line
from grader.report.model import Report


def _cell(text: str) -> str:
    """Text safe inside one table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def render(report: Report) -> str:
    """A Markdown heading, the per-function table, the score and the seed."""
    lines = [f"### {_cell(_('Grading report: {name}').format(name=report.submission))}", "",
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
        lines.append(f"| `{name}` | {points(got)}/{points(full)} | {mark} | "
                     f"{_cell(', '.join(failed))} |")
    lines += ["", f"**{score_line(report)}**", "", seed_line(report)]
    lines += ["", _cell(selection_line(report))] if report.selected else []
    lines += ([""] + [f"- {_cell(note)}" for note in report.notes]) if report.notes else []
    return "\n".join(lines) + "\n"
