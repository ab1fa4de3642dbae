"""``gradebook.csv``: one row per submission, one column per graded contract function.

UTF-8 with a byte-order mark, so Excel (what many staff open a CSV with) reads Hangul names
as they are. ``score`` is what the grader computed; ``adjustments``, ``late_days``,
``penalty`` and ``final`` apply the instructor's adjustments and the late policy
(grader.classroom.semester); ``commit`` and ``committed_at`` say which commit of a git
entry was graded (``grade batch --deadline``). With ``--only``, the function columns are the
selected functions and ``max_score`` their points. Every cell of text goes through
``neutral.csv_cell`` (the OWASP rule): a name or message that starts like a formula is shown
as text, never evaluated by a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from collections.abc import Sequence

from grader.classroom.assignment import points_of, selection_of
from grader.classroom.identities import FIELDS
from grader.classroom.semester import Final, finals
from grader.classroom.store import Record, write_atomic
from grader.contract import FUNCTIONS
from grader.report import neutral
from grader.report.details import points

#: ``submission`` is the entry's name; the identity columns are what the platform's export
#: says (grader.classroom.identities), empty otherwise.
SCORES: tuple[str, ...] = ("score", "max_score", "status", "adjustments", "late_days",
                           "penalty", "final", "commit", "committed_at")
COLUMNS: tuple[str, ...] = ("submission",) + FIELDS + SCORES + FUNCTIONS
#: Columns that hold only numbers the grader wrote (a negative one stays a number).
NUMBERS = ("score", "max_score", "adjustments", "late_days", "penalty", "final")
#: Written first: Excel then reads the file as UTF-8.
BOM = "\ufeff"
#: SPEC.md: the points of all tests add up to 100 (the maximum of a row that has no tests).
TOTAL_POINTS = 100.0


def status(record: Record) -> str:
    """``graded``, or ``error: <first line of the reason>``."""
    report = record.report
    if report.status == "graded":
        return "graded"
    reason = report.notes[0].strip().splitlines()[0] if report.notes else ""
    return f"error: {reason}" if reason else "error"


def columns(functions: Sequence[str] = FUNCTIONS) -> tuple[str, ...]:
    """The gradebook's columns when ``functions`` are graded."""
    return ("submission",) + FIELDS + SCORES + tuple(functions)


def row(record: Record, final: Final | None = None,
        functions: Sequence[str] = FUNCTIONS) -> dict[str, str]:
    """The gradebook row of one record."""
    report = record.report
    scores = report.function_scores()
    top = report.max_score if report.tests else points_of(functions) or TOTAL_POINTS
    values = {"submission": record.name, "score": points(report.score),
              "max_score": points(top), "status": status(record)}
    values.update({k: neutral.csv_cell(v) for k, v in record.identity.to_dict().items()})
    if final is not None:
        values.update(adjustments=points(final.adjusted) if final.adjustments else "",
                      late_days=str(final.late_days) if final.submitted else "",
                      penalty=points(final.penalty) if final.penalty else "",
                      final=points(final.final))
        if final.submitted is not None:
            values.update(commit=final.submitted.commit,
                          committed_at=final.submitted.committed_at)
    values.update({function: points(scores.get(function, 0.0)) for function in functions})
    return {column: value if column in NUMBERS or column in functions
            else neutral.csv_cell(value) for column, value in values.items()}


def write(path: Path, records: list[Record]) -> None:
    """Write the gradebook of ``records`` atomically, sorted by submission, with the
    adjustments and lateness its folder holds (grader.classroom.semester)."""
    functions = selection_of(records).functions
    final = finals(path.parent, records)
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.DictWriter(buffer, fieldnames=columns(functions), lineterminator="\n",
                            restval="")
    writer.writeheader()
    for record in sorted(records, key=lambda r: r.name):
        writer.writerow(row(record, final.get(record.name), functions))
    write_atomic(path, buffer.getvalue())


def read(path: Path) -> list[dict[str, str]]:
    """The rows of a gradebook (its byte-order mark dropped)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))
