"""``grade merge``: combine the outputs of ``grade batch --shard`` runs into one.

Every input must be a batch that finished, graded with the same seed and options, and each
of its records made with those settings, with points within its tests' bounds (anything
else is refused in one line). The rows of each input's
gradebook are taken with their saved records (``.state``), and the common options are saved
too, so the merged folder holds the same gradebook, results and class report as one
unsharded batch would, and can itself be merged, or resumed by ``grade batch -o`` it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from grader.classroom import feedback, gradebook, html_report, semester
from grader.classroom.store import Record, Store
from grader.i18n import _
from grader.report import neutral


#: The points of a whole submission (SPEC: the tests of all functions add up to 100).
MAX_SCORE = 100.0


class MergeError(Exception):
    """The inputs cannot be merged; the message says why and what to do."""


def merge(inputs: list[Path], out: Path, adjustments: Path | None = None) -> list[Record]:
    """Merge the batch outputs ``inputs`` into ``out``; returns the merged records. Their
    adjustments and deadline facts come along (``adjustments`` replaces the adjustments)."""
    shards = [(folder, _records(folder)) for folder in inputs]
    key = _common_key(inputs)
    records: dict[str, Record] = {}
    origin: dict[str, Path] = {}
    for folder, shard in shards:
        for record in shard:
            if record.name in records:
                raise MergeError(_("{name} appears in both {first} and {second}; merge the "
                                   "outputs of different shards only").format(
                    name=record.name, first=origin[record.name], second=folder))
            records[record.name], origin[record.name] = record, folder
    for folder, shard in shards:
        for record in shard:
            _check_record(folder, record, key)
    store = Store(out)
    store.check_writable()
    store.save_key(key)
    for record in records.values():
        store.save(record)
    merged = list(records.values())
    try:
        semester.merged(inputs, out, merged, adjustments)
    except ValueError as error:
        raise MergeError(str(error)) from None
    store.save_rows(merged)
    gradebook.write(store.gradebook, merged)
    html_report.write(store.html, merged)
    feedback.finish(store, merged)
    store.save_key(key, finished=True)
    return merged


def _check_record(folder: Path, record: Record, key: dict[str, Any]) -> None:
    """Refuse a record that its shard's settings did not make (another seed or options), or
    whose points lie outside its tests' bounds (a hand-edited record)."""
    name = neutral.terminal(record.name)
    report = record.report
    if report.seed != key.get("seed") or record.digest is not None and record.key != key:
        raise MergeError(_("{folder}: the record of {name} was graded with other settings "
                           "than the shard says; rerun its grade batch command, then "
                           "merge").format(folder=folder, name=name))
    total = 0.0
    for test in report.tests:
        points, most = test.points, test.max_points
        if not all(type(v) in (int, float) and math.isfinite(v) for v in (points, most)) \
                or not 0 <= points <= most:
            raise MergeError(_("{folder}: the record of {name} gives {points} of {most} points "
                               "for a test; rerun its grade batch command, then merge").format(
                folder=folder, name=name, points=points, most=most))
        total += most
    if total > MAX_SCORE + 1e-6:
        raise MergeError(_("{folder}: the record of {name} is worth more than {most} points; "
                           "rerun its grade batch command, then merge").format(
            folder=folder, name=name, most=MAX_SCORE))


def _common_key(inputs: list[Path]) -> dict[str, Any]:
    """The seed and options every input was graded with; refuses inputs that differ."""
    keys = [(folder, Store(folder).key()) for folder in inputs]
    for folder, key in keys:
        if key is None:
            raise MergeError(_("{folder} does not say how it was graded; rerun its grade "
                               "batch command, then merge").format(folder=folder))
        if not Store(folder).finished():
            raise MergeError(_("{folder} is from a grade batch that did not finish; run the "
                               "same grade batch command again to complete it, then "
                               "merge").format(folder=folder))
    first, key = keys[0]
    for folder, other in keys[1:]:
        if other != key:
            differ = sorted(k for k in key.keys() | other.keys() if key.get(k) != other.get(k))
            raise MergeError(_("{first} and {second} were graded with different {what}; "
                               "grade every shard with the same grader, seed and options, "
                               "then merge").format(first=first, second=folder,
                                                    what=", ".join(differ)))
    return key


def _records(folder: Path) -> list[Record]:
    """The records behind the rows of ``folder``'s gradebook."""
    store = Store(folder)
    if not store.gradebook.is_file():
        raise MergeError(_("{folder} has no gradebook.csv; give folders written by "
                           "grade batch -o").format(folder=folder))
    names = store.rows()
    if names is None:
        raise MergeError(_("{folder} does not list its rows (.state/.rows.json); rerun its "
                           "grade batch command, then merge").format(folder=folder))
    records = []
    for name in names:
        record = store.load(name)
        if record is None:
            raise MergeError(_("{folder}: no saved report for {name}; rerun its grade batch "
                               "command to complete it").format(folder=folder,
                                                                name=neutral.terminal(name)))
        records.append(record)
    return records
