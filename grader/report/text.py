"""The terminal report: one table row per test, grouped by function, then each failure's
message, smallest failing example and captured output.

Status words (not only colours) carry the verdict, so the report reads the same in a log.
"""

from __future__ import annotations

import io
import shutil

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from grader.i18n import _
from grader.report.details import (
    example_lines, is_failure, output_lines, points, printable, score_line, seed_line,
    status_label)
from grader.report.model import ERROR, FAILED, INTERNAL, Report, TestResult

STYLES = {FAILED: "bold red", ERROR: "bold red", INTERNAL: "yellow"}


def render(report: Report, *, color: bool = False) -> str:
    """The report as text; with ANSI colours when ``color``."""
    width = shutil.get_terminal_size((100, 24)).columns if color else 100
    console = Console(file=io.StringIO(), force_terminal=color, no_color=not color,
                      width=max(width, 60), highlight=False, emoji=False)
    console.print(Text(_("Submission: {name}").format(name=printable(report.submission)),
                       style="bold"))
    console.print(_table(report))
    _print_details(console, report)
    console.print()
    console.print(Text(score_line(report), style="bold"))
    console.print(seed_line(report))
    if report.notes:
        console.print(_("Notes:"))
        for note in report.notes:
            console.print(Text(f"- {printable(note)}"))
    return console.file.getvalue()


def _table(report: Report) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column(_("Function"), no_wrap=True)
    table.add_column(_("Test"), overflow="fold")
    table.add_column(_("Result"), no_wrap=True)
    table.add_column(_("Points"), justify="right", no_wrap=True)
    previous = None
    for test in report.tests:
        if previous is not None and test.function != previous:
            table.add_section()
        table.add_row(Text(test.function if test.function != previous else ""),
                      Text(test.label),
                      Text(status_label(test.status), style=STYLES.get(test.status, "green")),
                      f"{points(test.points)}/{points(test.max_points)}")
        previous = test.function
    return table


def _print_details(console: Console, report: Report) -> None:
    """The message, smallest failing example and captured output of each test that has one."""
    for test in report.tests:
        lines = _detail_lines(test)
        if lines:
            console.print()
            console.print(Text(test.name, style="bold"))
            for line in lines:
                console.print(Padding(Text(line), (0, 0, 0, 2)))


def _detail_lines(test: TestResult) -> list[str]:
    lines = [printable(test.message)] if test.message else []
    if test.example and is_failure(test):
        lines += example_lines(test.example)
    if test.output:
        lines += output_lines(test.output)
    return lines
