"""``--adjustments FILE.csv``: the instructor's changes to computed scores (a regrade, an
accommodation, an integrity penalty), kept apart from what the grader computed.

The file has the header ``student,target,points,reason``: ``student`` names an entry as the
gradebook does (its ``submission``) or by its identity (name, email, GitHub login or
student ID); ``target`` is ``total`` or a graded ``module.function``; ``points`` is signed
(``+2``, ``-5``). A batch keeps a copy in its output folder (``OUT/adjustments.csv``), so
every rerun and merge applies them again, with or without the option; giving the option
again replaces the copy. A function's adjustment keeps that function within 0 and its
points; a ``total`` one is added as it is. The file is read bounded, never executed.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.classroom.identities import FIELDS, MAX_CHARS, Identity
from grader.i18n import _
from grader.report import neutral

HEADER = ("student", "target", "points", "reason")
TOTAL = "total"
#: Where a batch keeps the adjustments it applies (replaced by a new ``--adjustments``).
SAVED = "adjustments.csv"
MAX_FILE_BYTES = 8 * 1024**2


class AdjustmentError(ValueError):
    """A row that cannot be applied; the message names the file, the line and what to do."""


@dataclass(frozen=True)
class Adjustment:
    """One row of the file."""

    student: str
    target: str          # "total" or "module.function"
    points: float
    reason: str
    line: int = 0        # its line in the file, for messages

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def names(self, name: str, identity: Identity) -> bool:
        """Whether this row is about the entry ``name`` with ``identity``."""
        wanted = self.student.casefold()
        values = [name, *(getattr(identity, field) for field in FIELDS)]
        return any(v and v.casefold() == wanted for v in values)


def read_text(path: Path) -> str:
    """The file's text (a byte-order mark, as Excel writes, is dropped)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise AdjustmentError(_("cannot read the adjustments file {path}: {reason}").format(
            path=path, reason=error.strerror or error)) from None
    if len(data) > MAX_FILE_BYTES:
        raise AdjustmentError(_("the adjustments file {path} is larger than {size} MB; give "
                                "one row per adjustment").format(
            path=path, size=MAX_FILE_BYTES // 1024**2))
    return data.decode("utf-8-sig", errors="replace")


def parse(text: str, source: str, functions: Sequence[str]) -> list[Adjustment]:
    """The rows of an adjustments file; ``functions`` are those the batch grades.
    Raises AdjustmentError (one line) for a wrong header, target or number."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != HEADER:
        raise AdjustmentError(_("{file}: the first line must be the header {header}").format(
            file=source, header=",".join(HEADER)))
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        line = reader.line_num
        if len(values) != len(HEADER):
            raise AdjustmentError(_("{file}, line {line}: give four values, {header}").format(
                file=source, line=line, header=",".join(HEADER)))
        student, target, amount, reason = (" ".join(v.split())[:MAX_CHARS] for v in values)
        if not student:
            raise AdjustmentError(_("{file}, line {line}: the student is empty").format(
                file=source, line=line))
        if target != TOTAL and target not in functions:
            raise AdjustmentError(_("{file}, line {line}: unknown target {target}: give total "
                                    "or a graded function such as {example}").format(
                file=source, line=line, target=neutral.terminal(target),
                example=functions[0] if functions else "activations.relu"))
        try:
            value = float(amount)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise AdjustmentError(_("{file}, line {line}: {points} is not a number of points "
                                    "(for example 2 or -5)").format(
                file=source, line=line, points=neutral.terminal(amount)))
        rows.append(Adjustment(student, target, value, reason, line))
    return rows


def check_students(rows: Sequence[Adjustment], source: str,
                   entries: Sequence[tuple[str, Identity]]) -> None:
    """Refuse a row that names no entry, or several (then it must use the entry's name)."""
    for row in rows:
        matches = [name for name, identity in entries if row.names(name, identity)]
        if not matches:
            raise AdjustmentError(_("{file}, line {line}: no submission is {student}: give the "
                                    "student as the gradebook names the submission, or their "
                                    "name, email, login or ID").format(
                file=source, line=row.line, student=neutral.terminal(row.student)))
        if len(matches) > 1:
            raise AdjustmentError(_("{file}, line {line}: {student} names {count} submissions; "
                                    "give the submission's name instead").format(
                file=source, line=row.line, student=neutral.terminal(row.student),
                count=len(matches)))


def applied(rows: Sequence[Adjustment], name: str, identity: Identity) -> list[Adjustment]:
    """The rows about entry ``name``, in file order."""
    return [row for row in rows if row.names(name, identity)]
