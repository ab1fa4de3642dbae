"""``grade batch``: grade every submission of a folder into a gradebook and a class report.

Each entry of the folder (a folder, ``.py``, ``.ipynb`` or ``.zip``) is one student.
Entries are loaded first; those whose content digest and options match a saved record are
skipped; the rest are graded in ``jobs`` worker processes (grader.classroom.workers).
A submission that cannot be loaded or graded gets an error row; it never stops the batch.
On Ctrl-C while grading, the gradebook of what is done is written before
``KeyboardInterrupt`` goes on (earlier, the previous gradebook stays as it was).
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

import grader
from grader.classroom import gradebook, html_report
from grader.classroom.store import Record, Store
from grader.classroom.workers import Workers
from grader.grading import Options
from grader.i18n import _, language
from grader.report.model import Report
from grader.submission import LoadError, Submission, load
from grader.submission.archive import discard

SUFFIXES = (".py", ".ipynb", ".zip")
Shard = tuple[int, int]


@dataclass(frozen=True)
class Entry:
    """One student's submission in the folder."""

    name: str
    path: Path


@dataclass
class Outcome:
    """What a batch did."""

    records: list[Record] = field(default_factory=list)
    graded: int = 0
    reused: int = 0
    skipped: list[str] = field(default_factory=list)   # folder entries that are no submission
    warnings: list[str] = field(default_factory=list)  # the grader's, said once

    @property
    def errors(self) -> int:
        return sum(r.report.status != "graded" for r in self.records)


def entries(folder: Path, outcome: Outcome | None = None) -> list[Entry]:
    """The submissions in ``folder`` by name; a name is the entry's stem unless two share it."""
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")):
            continue
        if path.is_dir() or path.suffix.lower() in SUFFIXES:
            found.append(path)
        elif outcome is not None:
            outcome.skipped.append(path.name)
    stems = [p.name if p.is_dir() else p.stem for p in found]
    return [Entry(stem if stems.count(stem) == 1 else path.name, path)
            for stem, path in zip(stems, found)]


def in_shard(name: str, shard: Shard | None) -> bool:
    """Whether ``name`` belongs to shard ``(k, n)`` (1-based); a stable hash of the name."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % n == k - 1


def options_key(options: Options) -> dict[str, Any]:
    """What, besides the content, decides a report: a saved one is reused only if equal."""
    return {"seed": options.seed, "hide_inputs": options.hide_inputs,
            "use_solutions": options.use_solutions, "lang": language(),
            "limits": asdict(options.limits),
            "version": grader.__version__}


def run_batch(folder: Path, out: Path, options: Options, *, jobs: int = 1,
              shard: Shard | None = None, progress: bool = True) -> Outcome:
    """Grade ``folder`` into ``out``; returns what was done."""
    store, outcome = Store(out), Outcome()
    store.save_seed(options.seed)
    key = options_key(options)
    todo: list[tuple[Entry, Submission]] = []
    try:
        for entry in entries(folder, outcome):
            if in_shard(entry.name, shard):
                _prepare(entry, store, key, options.seed, todo, outcome)
        if todo:
            _grade_all(todo, options, key, jobs, progress, store, outcome)
    finally:
        for _entry, submission in todo:
            discard(submission)
    gradebook.write(store.gradebook, outcome.records)
    html_report.write(store.html, [r.report for r in outcome.records])
    return outcome


def _prepare(entry: Entry, store: Store, key: dict[str, Any], seed: int,
             todo: list[tuple[Entry, Submission]], outcome: Outcome) -> None:
    """Load one entry: an error record, a reused record, or a submission to grade."""
    try:
        submission = load(entry.path)
    except LoadError as error:
        record = Record(entry.name, error_report(entry.name, seed, str(error)))
        store.save(record)
        outcome.records.append(record)
        return
    saved = store.load(entry.name)
    if saved is not None and saved.reusable(submission.digest, key):
        discard(submission)
        outcome.records.append(saved)
        outcome.reused += 1
    else:
        todo.append((entry, submission))


def error_report(name: str, seed: int, reason: str) -> Report:
    """The report of a submission that could not be graded at all."""
    return Report(submission=name, seed=seed, status="error", notes=[reason], lang=language())


def _grade_all(todo: list[tuple[Entry, Submission]], options: Options, key: dict[str, Any],
               jobs: int, progress: bool, store: Store, outcome: Outcome) -> None:
    """Grade ``todo`` in ``min(jobs, len(todo))`` worker processes, saving each record as it
    comes. On Ctrl-C the gradebook of what is done is written before the interrupt goes on."""
    jobs = max(1, min(jobs, len(todo)))
    with Workers(options, jobs) as workers, _progress(progress, len(todo)) as advance:
        outcome.warnings.extend(workers.warnings)
        try:
            for index, report, error in workers.grade([s for _e, s in todo]):
                entry, submission = todo[index]
                discard(submission)
                if report is None:
                    reason = _("could not be graded: {error}").format(error=error)
                    record = Record(entry.name, error_report(entry.name, options.seed, reason))
                else:
                    report.submission = entry.name
                    record = Record(entry.name, report, submission.digest, key)
                store.save(record)
                outcome.records.append(record)
                outcome.graded += 1
                advance()
        except KeyboardInterrupt:
            gradebook.write(store.gradebook, outcome.records)
            raise


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Callable[[], None]]:
    """A progress bar with ETA on stderr; call the yielded function after each submission."""
    bar = Progress(TextColumn(_("Grading")), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn(_("ETA")), TimeRemainingColumn(),
                   console=Console(stderr=True), disable=not enabled)
    task = bar.add_task("", total=total)
    with bar:
        yield lambda: bar.advance(task)
