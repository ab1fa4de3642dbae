"""The report as an HTML fragment for a Jupyter output cell (``check()``'s ``_repr_html_``).

One table row per test (a stub or absent module one row, as in the terminal), each failure's
message, smallest example and printed output in a ``<pre>`` below its row, then the score.
Every piece of text passes through ``neutral.html``: the submission controls names,
messages, values and printed output, and a notebook renders HTML.
"""

from __future__ import annotations

from grader.i18n import _
from grader.report import neutral
from grader.report.absent import Line, grouped
from grader.report.details import (
    note_lines, points, score_line, seed_line, selection_line, status_label, test_details)
from grader.report.model import (ERROR, FAILED, INTERNAL, NOT_IMPLEMENTED, PASSED, Report,
                                 TestResult)

_COLOURS = {PASSED: "#1a7f37", FAILED: "#cf222e", ERROR: "#cf222e", INTERNAL: "#9a6700"}
_CELL = "padding:2px 8px;text-align:left;vertical-align:top"


def render(report: Report) -> str:
    """``report`` as a self-contained HTML fragment (inline styles only)."""
    e = neutral.html
    headers = (_("Function"), _("Test"), _("Result"), _("Points"))
    rows = ["<tr>" + "".join(f"<th style='{_CELL}'>{e(h)}</th>" for h in headers) + "</tr>"]
    for row in grouped(report):
        tests = [row] if isinstance(row, Line) else row
        for index, test in enumerate(tests):
            rows.append(_row(test, first=index == 0))
            details = "" if isinstance(test, Line) else test_details(test)
            if details:
                rows.append(f"<tr><td></td><td colspan='3' style='{_CELL}'><pre style='"
                            f"margin:0;white-space:pre-wrap'>{e(details)}</pre></td></tr>")
    parts = ["<table style='border-collapse:collapse'>" + "".join(rows) + "</table>"]
    stubs = [r for r in grouped(report) if isinstance(r, Line) and r.kind == NOT_IMPLEMENTED]
    if stubs:   # once, what a stub's line means
        parts.append(f"<p>{e(stubs[0].tests[0].message)}</p>")
    lines = [score_line(report), selection_line(report), seed_line(report, notebook=True)]
    parts.append("<p><b>{}</b><br>{}</p>".format(
        e(lines[0]), "<br>".join(e(line) for line in lines[1:] if line)))
    if report.notes:
        notes = "".join("<li><pre style='margin:0;white-space:pre-wrap'>"
                        + e("\n".join(note_lines(n))[2:]) + "</pre></li>" for n in report.notes)
        parts.append(f"<p>{e(_('Notes:'))}</p><ul>{notes}</ul>")
    return "<div class='dlgrade-check'>" + "".join(parts) + "</div>"


def _row(row: TestResult | Line, first: bool) -> str:
    if isinstance(row, Line):
        name, label, status = row.name, row.text, ERROR
    else:
        name, label, status = (row.function if first else ""), row.label, row.status
    e = neutral.html
    colour = _COLOURS.get(status, "#000")
    return (f"<tr><td style='{_CELL}'><code>{e(name)}</code></td>"
            f"<td style='{_CELL}'>{e(label)}</td>"
            f"<td style='{_CELL};color:{colour};font-weight:bold'>{e(status_label(status))}</td>"
            f"<td style='{_CELL};text-align:right'>"
            f"{e(points(row.points))}/{e(points(row.max_points))}</td></tr>")
