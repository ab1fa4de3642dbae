"""What turns a graded score into the score a student gets: the instructor's adjustments
(grader.classroom.adjustments) and the deadline's lateness and penalty
(grader.classroom.deadline). Both are kept beside the batch's output
(``OUT/adjustments.csv``, ``OUT/.state/.semester.json``) and applied every time the gradebook,
the class report, the results or the feedback are written, so a rerun or a merge never
loses them; the graded reports themselves stay as the grader made them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.checks import CHECK
from grader.classroom import adjustments as adjusting
from grader.classroom.adjustments import Adjustment
from grader.classroom.assignment import points_of, selection_of
from grader.classroom.deadline import LatePolicy, Submitted
from grader.classroom.store import Record, write_atomic
from grader.i18n import _

STATE = Path(".state") / ".semester.json"


@dataclass
class Final:
    """One entry's score: graded, adjusted, late, final."""

    graded: float
    max_score: float
    adjustments: list[Adjustment]
    adjusted: float                 # the points the adjustments add (after clamping)
    submitted: Submitted | None
    penalty: float                  # points taken for lateness
    final: float

    @property
    def late_days(self) -> int:
        return self.submitted.late_days if self.submitted else 0


@dataclass
class Semester:
    """The adjustments and deadline facts of one output folder."""

    adjustments: list[Adjustment] = field(default_factory=list)
    submitted: dict[str, Submitted] = field(default_factory=dict)
    late: LatePolicy | None = None

    @classmethod
    def load(cls, out: Path) -> "Semester":
        """What ``out`` holds (nothing when it holds none, or cannot be read)."""
        semester = cls()
        saved = out / adjusting.SAVED
        if saved.is_file():
            try:
                semester.adjustments = adjusting.parse(adjusting.read_text(saved), str(saved),
                                                       tuple(CHECK))
            except adjusting.AdjustmentError:
                semester.adjustments = []
        try:
            data = json.loads((out / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict):
            for name, raw in (data.get("submitted") or {}).items():
                found = Submitted.from_dict(raw)
                if isinstance(name, str) and found is not None:
                    semester.submitted[name] = found
            late = data.get("late")
            if isinstance(late, dict):
                try:
                    semester.late = LatePolicy(float(late["per_day"]), float(late["cap"]))
                except (KeyError, TypeError, ValueError):
                    semester.late = None
        return semester

    def save(self, out: Path, adjustments_text: str | None = None) -> None:
        """Remember the deadline facts; with ``adjustments_text``, replace the saved
        adjustments file."""
        if adjustments_text is not None:
            write_atomic(out / adjusting.SAVED, adjustments_text)
        late = None if self.late is None else {"per_day": self.late.per_day,
                                                "cap": self.late.cap}
        write_atomic(out / STATE, json.dumps(
            {"submitted": {k: v.to_dict() for k, v in sorted(self.submitted.items())},
             "late": late}, ensure_ascii=False))

    def final(self, record: Record, max_score: float) -> Final:
        """``record``'s final score: graded + adjustments - late penalty, never below 0."""
        report = record.report
        graded = report.score if report.status == "graded" else 0.0
        scores = report.function_scores()
        rows = adjusting.applied(self.adjustments, record.name, record.identity)
        added = 0.0
        for row in rows:
            if row.target == adjusting.TOTAL:
                added += row.points
                continue
            now = scores.get(row.target, 0.0)
            top = CHECK[row.target].points
            after = min(max(now + row.points, 0.0), top)
            added += after - now
            scores[row.target] = after
        submitted = self.submitted.get(record.name)
        penalty = 0.0
        if submitted is not None and self.late is not None:
            penalty = round(max_score * self.late.percent(submitted.late_days) / 100, 6)
        final = max(round(graded + added - penalty, 6), 0.0)
        return Final(graded, max_score, rows, round(added, 6), submitted, penalty, final)


def finals(out: Path, records: Sequence[Record]) -> dict[str, Final]:
    """Every record's Final, by name, from what ``out`` holds."""
    semester = Semester.load(out)
    top = points_of(selection_of(records).functions)
    return {r.name: semester.final(r, r.report.max_score if r.report.tests else top)
            for r in records}


def prepare(out: Path, found: Sequence[Any], options: Any, adjustments: Path | None,
            deadlines: Any) -> tuple[Semester, str | None]:
    """The semester of a batch about to grade the entries ``found`` into ``out``: the
    adjustments of ``adjustments`` (else those ``out`` keeps), checked against the entries
    and the graded functions before anything is graded; and the text to save as the new
    adjustments file (None: keep the saved one). Raises BatchError in one line."""
    from grader.classroom.store import BatchError

    semester = Semester.load(out)
    saved = out / adjusting.SAVED
    source = adjustments if adjustments is not None else saved
    text = None
    try:
        if adjustments is not None or saved.is_file():
            text = adjusting.read_text(source)
            rows = adjusting.parse(text, str(source), options.selection.functions)
            adjusting.check_students(rows, str(source),
                                     [(entry.name, entry.identity) for entry in found])
            semester.adjustments = rows
    except adjusting.AdjustmentError as error:
        raise BatchError(str(error)) from None
    if deadlines is None:
        semester.late = None
    return semester, text if adjustments is not None else None


def merged(inputs: Sequence[Path], out: Path, records: Sequence[Record],
           adjustments: Path | None = None) -> None:
    """Save into ``out`` the semester of the merged ``records``: their inputs' deadline facts
    and adjustments (every distinct row; ``adjustments`` replaces them), checked against the
    merged entries. Raises ValueError (one line) when they cannot be combined."""
    semesters = [(folder, Semester.load(folder)) for folder in inputs]
    combined = Semester()
    for folder, semester in semesters:
        combined.submitted.update(semester.submitted)
        if semester.late is not None and combined.late not in (None, semester.late):
            raise ValueError(_("{folder} was graded with another --late-penalty; merge "
                               "outputs graded with the same one").format(folder=folder))
        combined.late = combined.late or semester.late
    names = {r.name for r in records}
    combined.submitted = {k: v for k, v in combined.submitted.items() if k in names}
    functions = selection_of(records).functions
    if adjustments is not None:
        sources = [adjustments]
    else:
        sources = [folder / adjusting.SAVED for folder in inputs
                   if (folder / adjusting.SAVED).is_file()]
    header, lines = ",".join(adjusting.HEADER), []
    for source in sources:
        text = adjusting.read_text(source)
        adjusting.parse(text, str(source), functions)   # a wrong row: one line
        for line in text.splitlines()[1:]:
            if line.strip() and line not in lines:
                lines.append(line)
    text = "\n".join([header, *lines]) + "\n" if sources else None
    if text is not None:
        rows = adjusting.parse(text, str(out / adjusting.SAVED), functions)
        adjusting.check_students(rows, str(sources[0]) if adjustments else
                                 str(out / adjusting.SAVED),
                                 [(r.name, r.identity) for r in records])
    combined.save(out, text)
