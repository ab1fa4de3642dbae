"""``grade export OUT --to canvas|moodle``: the final scores of a batch in the layout each
LMS's grade import reads.

- Canvas (Gradebook → Import): a CSV whose columns are ``Student``, ``ID``,
  ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment; a second
  row ``Points Possible`` gives the assignment's points. A column Canvas does not know
  becomes a new assignment. Students are matched by ``ID``, ``SIS User ID`` or
  ``SIS Login ID``: here the student ID an export gave (Gradescope's ``sid``) and the email,
  else the GitHub login. UTF-8 with a byte-order mark, as Canvas's own export writes.
- Moodle (Grade administration → Import → CSV file): a header row, then one row per
  student; at import the instructor maps a user column to Moodle's field ("Email address" to
  useremail, "ID number" to useridnumber, "Username" to username) and the grade column to the
  grade item. UTF-8, comma-separated.

The score is the final one (grader.classroom.semester: adjustments and late penalty
applied). A submission that could not be graded gets an empty cell (an import leaves that
grade as it was) and a warning, never a 0 it did not earn. Every cell is neutralised
against formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from grader.classroom.assignment import points_of, selection_of
from grader.classroom.semester import finals
from grader.classroom.store import BatchError, Record, Store
from grader.i18n import _
from grader.report import neutral
from grader.report.details import points

SYSTEMS = ("canvas", "moodle")
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_COLUMNS = ("ID number", "Email address", "Username", "Full name")


def records_of(out: Path) -> list[Record]:
    """The records behind ``out``'s gradebook; BatchError (one line) if it has none."""
    store = Store(out)
    names = store.rows()
    if not store.gradebook.is_file() or names is None:
        raise BatchError(_("{out} holds no gradebook of grade batch; give the folder grade "
                           "batch -o wrote").format(out=out))
    records = [store.load(name) for name in names]
    missing = [n for n, r in zip(names, records) if r is None]
    if missing:
        raise BatchError(_("{out}: no saved report for {name}; rerun its grade batch command "
                           "to complete it").format(out=out, name=neutral.terminal(missing[0])))
    return [r for r in records if r is not None]


def export(out: Path, system: str, assignment: str | None = None) -> tuple[str, list[str]]:
    """The file for ``system`` and the warnings (ungraded rows, rows Canvas cannot match)."""
    records = sorted(records_of(out), key=lambda r: r.name)
    selection = selection_of(records)
    name = assignment or "dlgrade " + (", ".join(selection.names) or _("all"))
    final = finals(out, records)
    scores = {r.name: points(final[r.name].final) if r.report.status == "graded"
              or final[r.name].adjustments else "" for r in records}
    warnings = []
    empty = [r.name for r in records if not scores[r.name]]
    if empty:
        warnings.append(_("{count} submissions could not be graded; their cells are empty: "
                          "{names}").format(count=len(empty), names=neutral.terminal(
                              ", ".join(empty[:10]))))
    if system == "canvas":
        text = _canvas(records, scores, name, points_of(selection.functions), warnings)
    else:
        text = _moodle(records, scores, name, warnings)
    return text, warnings


def _csv(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutral.csv_cell(cell) for cell in row])
    return buffer.getvalue()


def _canvas(records: Sequence[Record], scores: dict[str, str], name: str, possible: float,
            warnings: list[str]) -> str:
    rows = [[*CANVAS_COLUMNS, name], ["Points Possible", "", "", "", "", points(possible)]]
    unmatched = []
    for record in records:
        who = record.identity
        login = who.email or who.login
        if not (who.sid or login):
            unmatched.append(record.name)
        rows.append([who.student or record.name, "", who.sid, login, "", scores[record.name]])
    if unmatched:
        warnings.append(_("{count} rows have no student ID, email or login for Canvas to "
                          "match: {names}").format(count=len(unmatched), names=neutral.terminal(
                              ", ".join(unmatched[:10]))))
    return "\ufeff" + _csv(rows)


def _moodle(records: Sequence[Record], scores: dict[str, str], name: str,
            warnings: list[str]) -> str:
    rows = [[*MOODLE_COLUMNS, name]]
    for record in records:
        who = record.identity
        rows.append([who.sid, who.email, who.login or record.name, who.student or record.name,
                     scores[record.name]])
    return _csv(rows)
