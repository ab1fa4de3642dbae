"""The terminal report: one table row per test, grouped by function, then each failure's
message, smallest failing example and captured output.

Status words (not only colours) carry the verdict, so the report reads the same in a log.
Student-controlled text is neutralised and bounded by ``details``; what the submission
printed is fenced behind a gutter.
"""

from __future__ import annotations

import io
import shutil

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from grader.i18n import _
from grader.report import bound, neutral
from grader.report.absent import Line, grouped
from grader.report.details import (
    is_failure, load_output_lines, note_lines, points, score_line, seed_line, selection_line,
    status_label, test_details)
from grader.report.model import ERROR, FAILED, INTERNAL, NOT_IMPLEMENTED, Report, TestResult

STYLES = {FAILED: "bold red", ERROR: "bold red", INTERNAL: "yellow"}


def render(report: Report, *, color: bool = False, notebook: bool = False) -> str:
    """The report as text; with ANSI colours when ``color``; a ``notebook``'s (``check()``)
    says how to repeat it there."""
    report = bound.report(report)
    width = shutil.get_terminal_size((100, 24)).columns if color else 100
    console = Console(file=io.StringIO(), force_terminal=color, force_jupyter=False,
                      no_color=not color,
                      width=max(width, 60), highlight=False, emoji=False)
    console.print(Text(_("Submission: {name}").format(
        name=" ".join(neutral.terminal(report.submission).split())), style="bold"))
    console.print(_table(report))
    _print_details(console, report)
    console.print()
    console.print(Text(score_line(report), style="bold"))
    if report.selected:
        console.print(Text(neutral.terminal(selection_line(report))))
    if report.status == "graded":
        console.print(seed_line(report, notebook=notebook))
    if report.notes:
        console.print(_("Notes:"))
        for note in report.notes:
            console.print(Padding(Text("\n".join(note_lines(note))), (0, 0, 0, 2)))
    for line in load_output_lines(report):
        console.print(Text(line), soft_wrap=True)
    return console.file.getvalue()


def _table(report: Report) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column(_("Function"), no_wrap=True)
    table.add_column(_("Test"), overflow="fold")
    table.add_column(_("Result"), no_wrap=True)
    table.add_column(_("Points"), justify="right", no_wrap=True)
    previous = None
    for row in grouped(report):
        tests = [row] if isinstance(row, Line) else row
        if previous is not None and (len(tests) > 1 or previous > 1):
            table.add_section()
        for index, test in enumerate(tests):
            table.add_row(*_cells(test, first=index == 0))
        previous = len(tests)
    for column in table.columns:   # as wide as their widest cell, which rich measures no more
        if column.no_wrap:
            column.width = max(cell_len(cell.plain if isinstance(cell, Text) else str(cell))
                               for cell in [column.header, *column.cells])
    return table


def _cells(row: TestResult | Line, first: bool) -> tuple[Text, Text, Text, str]:
    """Function, test, result and points of one row (a summarised ``Line`` is an error)."""
    if isinstance(row, Line):
        name, label, status = row.name, row.text, ERROR
    else:
        name, label, status = row.function if first else "", row.label, row.status
    return (Text(name), Text(neutral.terminal(label)),
            Text(status_label(status), style=STYLES.get(status, "green")),
            f"{points(row.points)}/{points(row.max_points)}")


def _print_details(console: Console, report: Report) -> None:
    """The message, smallest failing example and captured output of each test that has one;
    once, what a stub's line means."""
    stubs = []
    for row in grouped(report):
        if isinstance(row, Line):
            stubs += [row] if row.kind == NOT_IMPLEMENTED else []
            continue
        for test in row:
            lines = test_details(test).splitlines()
            if lines:
                console.print()
                heading = test.name if is_failure(test) else \
                    _("{name} (passed)").format(name=test.name)
                console.print(Text(neutral.terminal(heading), style="bold"))
                console.print(Padding(Text("\n".join(lines)), (0, 0, 0, 2)))
    if stubs:
        console.print()
        console.print(Text(neutral.terminal(stubs[0].tests[0].message)))
