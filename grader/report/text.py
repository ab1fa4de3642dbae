"""The terminal report: one table row per test, grouped by function, then each failure's
message, smallest failing example and captured output.

Status words (not only colours) carry the verdict, so the report reads the same in a log.
Without colour (every batch worker's report), the table, details and notes are laid out
here exactly as rich would print them (``tests/report/test_text.py`` holds them to it), at a
tenth of the cost; with colour, rich prints the table.
Student-controlled text is neutralised and bounded by ``details``; what the submission
printed is fenced behind a gutter.
"""

from __future__ import annotations

import io
import shutil

from rich import box
from rich.cells import cell_len
from rich.console import Console
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
    if color:
        console.print(_table(report))
    else:
        _write(console, _plain_table(report, console))
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
            _print_block(console, "\n".join(note_lines(note)))
    for line in load_output_lines(report):
        console.print(Text(line), soft_wrap=True)
    return console.file.getvalue()


def _table(report: Report) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column(_("Function"), no_wrap=True)
    table.add_column(_("Test"), overflow="fold")
    table.add_column(_("Result"), no_wrap=True)
    table.add_column(_("Points"), justify="right", no_wrap=True)
    for index, section in enumerate(_sections(report)):
        if index:
            table.add_section()
        for cells in section:
            table.add_row(*cells)
    for column in table.columns:   # as wide as their widest cell, which rich measures no more
        if column.no_wrap:
            column.width = max(cell_len(cell.plain if isinstance(cell, Text) else str(cell))
                               for cell in [column.header, *column.cells])
    return table


def _plain_table(report: Report, console: Console) -> list[str]:
    """The lines ``_table(report)`` prints on a ``console`` without colour, laid out
    here as rich lays them out (rich's Table takes ~30 ms a report, in every batch worker):
    each cell padded by a space on both sides, columns parted by a space, the header ruled;
    the fixed columns as wide as their widest cell, the test column as its widest label
    but no wider than what is left (then its labels fold as rich folds them), a blank line
    between sections. The fixed columns hold the grader's own short words, so in the 100
    columns of a plain report the test column always keeps room."""
    sections = [[[cell.plain if isinstance(cell, Text) else cell for cell in cells]
                 for cells in section] for section in _sections(report)]
    rows = [cells for section in sections for cells in section]
    header = [_("Function"), _("Test"), _("Result"), _("Points")]
    widths = [max(cell_len(cell) for cell in column) for column in zip(header, *rows)]
    dividers = len(widths) - 1
    room = console.width - dividers - 2 * len(widths) - widths[0] - widths[2] - widths[3]
    widths[1] = min(max(_measured(label) for label in [header[1], *(r[1] for r in rows)]),
                    console.width - dividers - 2, room)
    across = sum(widths) + 2 * len(widths) + dividers
    lines = [*_row(header, widths, console), "─" * across]
    for index, section in enumerate(sections):
        if index:
            lines.append(" " * across)
        for cells in section:
            lines += _row(cells, widths, console)
    return lines


def _measured(text: str) -> int:
    """The width rich gives a text (its longest line, tabs not expanded)."""
    return max((cell_len(line) for line in text.splitlines()), default=0)


def _row(cells: list[str], widths: list[int], console: Console) -> list[str]:
    """One table row's lines: the test column folded, points to the right, cells top."""
    folded = wrapped(console, cells[1], widths[1])
    lines = []
    for index, test_line in enumerate(folded):
        parts = [cells[0] if index == 0 else "", test_line, cells[2] if index == 0 else "",
                 cells[3] if index == 0 else ""]
        padded = [" " * (w - cell_len(p)) + p if column == 3 else p + " " * (w - cell_len(p))
                  for column, (p, w) in enumerate(zip(parts, widths))]
        lines.append(" ".join(f" {p} " for p in padded))
    return lines


def _sections(report: Report) -> list[list[tuple[Text, Text, Text, str]]]:
    """The table's rows (``_cells``) in sections: a function with several tests is a
    section of its own, one-row functions next to each other share one."""
    sections: list[list[tuple[Text, Text, Text, str]]] = []
    previous = None
    for row in grouped(report):
        tests = [row] if isinstance(row, Line) else row
        if previous is None or len(tests) > 1 or previous > 1:
            sections.append([])
        sections[-1] += [_cells(test, first=index == 0) for index, test in enumerate(tests)]
        previous = len(tests)
    return sections


def _cells(row: TestResult | Line, first: bool) -> tuple[Text, Text, Text, str]:
    """Function, test, result and points of one row (a summarised ``Line`` is an error)."""
    if isinstance(row, Line):
        name, label, status = row.name, row.text, ERROR
    else:
        name, label, status = row.function if first else "", row.label, row.status
    return (Text(name), Text(neutral.terminal(label)),
            Text(status_label(status), style=STYLES.get(status, "green")),
            f"{points(row.points)}/{points(row.max_points)}")


def _write(console: Console, lines: list[str]) -> None:
    console.file.write("".join(line + "\n" for line in lines))


def wrapped(console: Console, text: str, width: int) -> list[str]:
    """``Text(text).wrap(console, width)``'s lines (rich wraps each line on its own): a line
    that fits (no wide character past the width, no tab to expand) as it is, the others as
    rich folds them."""
    lines = []
    for line in text.split("\n"):
        if len(line) <= width and "\t" not in line and cell_len(line) <= width:
            lines.append(line)
        else:
            lines += [part.plain for part in Text(line).wrap(console, width)]
    return lines


def _print_line(console: Console, text: str, style: str = "") -> None:
    """``console.print(Text(text, style=style))``; without colour, the same lines written
    directly (rich's printing costs a fraction of a millisecond, tens of times a report)."""
    if style and not console.no_color:
        console.print(Text(text, style=style))
    else:
        _write(console, wrapped(console, text, console.width))


def _print_block(console: Console, text: str, indent: int = 2) -> None:
    """``console.print(Padding(Text(text), (0, 0, 0, indent)))``, written directly: each
    line indented and padded to the console's width, as ``Padding`` does."""
    room = console.width - indent
    _write(console, [" " * indent + line + " " * (room - cell_len(line))
                     for line in wrapped(console, text, room)])


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
                heading = test.name if is_failure(test) else \
                    _("{name} (passed)").format(name=test.name)
                _write(console, [""])
                _print_line(console, neutral.terminal(heading), style="bold")
                _print_block(console, "\n".join(lines))
    if stubs:
        console.print()
        console.print(Text(neutral.terminal(stubs[0].tests[0].message)))
