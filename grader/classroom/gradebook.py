"""``gradebook.csv``: one row per submission, one column per contract function.

Every cell goes through ``neutral.csv_cell`` (the OWASP rule): a name or message that starts
like a formula is shown as text, never evaluated by a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.classroom.identities import FIELDS
from grader.classroom.store import Record, write_atomic
from grader.contract import FUNCTIONS
from grader.report import neutral
from grader.report.details import points

#: ``submission`` is the entry's name; the identity columns are what the platform's export
#: says (grader.classroom.identities), empty otherwise.
COLUMNS: tuple[str, ...] = ("submission",) + FIELDS + ("score", "max_score", "status") \
    + FUNCTIONS
#: SPEC.md: the points of all tests add up to 100 (the maximum of a row that has no tests).
TOTAL_POINTS = 100.0


def status(record: Record) -> str:
    """``graded``, or ``error: <first line of the reason>``."""
    report = record.report
    if report.status == "graded":
        return "graded"
    reason = report.notes[0].strip().splitlines()[0] if report.notes else ""
    return f"error: {reason}" if reason else "error"


def row(record: Record) -> dict[str, str]:
    """The gradebook row of one record."""
    report = record.report
    scores = report.function_scores()
    values = {"submission": record.name, "score": points(report.score),
              "max_score": points(report.max_score if report.tests else TOTAL_POINTS),
              "status": status(record)}
    values.update({k: neutral.csv_cell(v) for k, v in record.identity.to_dict().items()})
    values.update({function: points(scores.get(function, 0.0)) for function in FUNCTIONS})
    return {column: neutral.csv_cell(value) for column, value in values.items()}


def write(path: Path, records: list[Record]) -> None:
    """Write the gradebook of ``records`` atomically, sorted by submission."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in sorted(records, key=lambda r: r.name):
        writer.writerow(row(record))
    write_atomic(path, buffer.getvalue())


def read(path: Path) -> list[dict[str, str]]:
    """The rows of a gradebook."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
