"""``grade batch``: grade every submission of a folder into a gradebook and a class report.

Each entry of the folder (a folder, ``.py``, ``.ipynb`` or ``.zip``) is one student, and its
row is keyed by the entry's full name (``dave.py`` and ``dave.zip`` are two rows); a
platform's export says who the student is (grader.classroom.identities). The worker processes
(grader.classroom.workers) are forked first, before this process reads a submission, a saved
report or a solution, so none of that is in a worker or in any child it forks. The workers
are sent every path, with the fingerprint of its saved record when that was graded with the
same options: each loads one submission at a time, fingerprints what it loaded
(grader.submission.fingerprint), keeps the record when that is unchanged, else grades exactly
what it loaded, and discards it. So a row is always the grade of the bytes that were graded,
and this process never reads a submission while grading (a zip is unpacked only in a worker;
``--similarity`` reads the code again here once the workers are gone).
A submission that cannot be read, loaded or graded gets an error row; it never stops the
batch. On Ctrl-C while grading, the gradebook of what is done is written before
``KeyboardInterrupt`` goes on (earlier, the previous gradebook stays as it was).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

import grader
from grader.classroom import deadline, feedback, gradebook, html_report
from grader.classroom.deadline import DeadlineError, Deadlines
from grader.classroom.semester import Semester, prepare
from grader.classroom.identities import EXPORT_FILES, Identity, identities
from grader.classroom.store import BatchError, Record, Store
from grader.classroom.workers import Workers
from grader.grading import Options
from grader.i18n import _, language
from grader.report import text as text_report
from grader.report.model import Report
from grader.submission.files import Folder

SUFFIXES = (".py", ".ipynb", ".zip")
_CHUNK = 1024**2
Shard = tuple[int, int]


@dataclass(frozen=True)
class Entry:
    """One student's submission in the folder."""

    name: str
    path: Path
    identity: Identity = Identity()


@dataclass
class Outcome:
    """What a batch did."""

    records: list[Record] = field(default_factory=list)
    graded: int = 0
    reused: int = 0
    kept: set[str] = field(default_factory=set)        # the rows whose saved record was kept
    skipped: list[str] = field(default_factory=list)   # folder entries that are no submission
    hidden: list[str] = field(default_factory=list)    # hidden or system entries (.git, __MACOSX)
    outputs: list[str] = field(default_factory=list)   # earlier batches' output folders
    warnings: list[str] = field(default_factory=list)  # the grader's, said once

    @property
    def errors(self) -> int:
        return sum(r.report.status != "graded" for r in self.records)


#: Entries a system leaves in a folder, never a student's (said as skipped, like hidden ones).
SYSTEM_ENTRIES = ("__MACOSX", "__pycache__", "Thumbs.db")


def entries(folder: Path, outcome: Outcome | None = None,
            out: Path | None = None) -> list[Entry]:
    """The submissions in ``folder``, each named by its full entry name. The output folder
    ``out`` is no submission, nor is the output of an earlier batch (which holds no code).
    An entry that is a link is kept: loading it refuses it, so its row says why. Every other
    entry is said in ``outcome`` (skipped, hidden, an output), never silently dropped; a
    platform's export file (``EXPORT_FILES``) says who the students are."""
    found = []
    with Folder.at(folder) as listing:
        names = listing.names(limit=None)
        for name in names:
            path = folder / name
            kind = listing.kind(name)
            if name in EXPORT_FILES or kind == "folder" and _is_output(path, out, outcome):
                continue
            if name.startswith(".") or name in SYSTEM_ENTRIES:
                if outcome is not None:
                    outcome.hidden.append(name)
                continue
            if kind == "folder" or kind in ("file", "link") and name.lower().endswith(SUFFIXES) \
                    or kind == "link" and path.is_dir():
                found.append(name)
            elif outcome is not None:
                outcome.skipped.append(name)
    who = identities(folder, found)
    return [Entry(name, folder / name, who.get(name, Identity())) for name in found]


def _is_output(path: Path, out: Path | None, outcome: Outcome | None) -> bool:
    """Whether ``path`` is ``out``, or an earlier batch's output (said in ``outcome``): it
    says so and holds no code, so a student's folder holding a ``.state`` stays a student."""
    if out is not None and path.resolve() == out.resolve():
        return not _is_students(path)   # else a row, and check_output refuses it as -o
    if not Store(path).is_batch_output() or _holds_code(path):
        return False
    if outcome is not None:
        outcome.outputs.append(path.name)
    return True


def _holds_code(path: Path) -> bool:
    """Whether the folder holds a module, notebook or archive (at its top or in exercises/)."""
    with Folder.at(path) as folder:
        names = folder.names()
        if folder.kind("exercises") == "folder":
            with folder.folder("exercises") as inner:
                names += inner.names()
    return any(name.lower().endswith(SUFFIXES) for name in names)


def in_shard(name: str, shard: Shard | None) -> bool:
    """Whether ``name`` belongs to shard ``(k, n)`` (1-based); a stable hash of the name."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest(), 16) % n \
        == k - 1


def options_key(options: Options) -> dict[str, Any]:
    """What, besides the content, decides a report: a saved one is reused only if equal.
    Reads the solutions' sources, so call it only once the workers are forked."""
    key = {"seed": options.seed, "hide_inputs": options.hide_inputs,
           "use_solutions": options.use_solutions, "lang": language(),
           "limits": asdict(options.limits),
           "version": grader.__version__, "sources": sources_digest()}
    if not options.selection.everything:   # --only: what the assignment grades
        key["only"] = list(options.selection.functions)
    return key


def sources_digest() -> str:
    """sha256 over the grader's sources and catalogs and the installed solutions' sources:
    fixing a check or a solution makes every saved report stale."""
    sha = hashlib.sha256()
    for package, patterns in (("grader", ("*.py", "*.po")), ("solutions", ("*.py",))):
        spec = importlib.util.find_spec(package)   # finds solutions without importing them
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(list(spec.submodule_search_locations)[0])
        for path in sorted(p for pattern in patterns for p in root.rglob(pattern)):
            sha.update(f"{package}/{path.relative_to(root).as_posix()}\0".encode())
            sha.update(_sha256_path(path))
    return sha.hexdigest()


def _sha256(handle: BinaryIO) -> bytes:
    sha = hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        sha.update(chunk)
    return sha.digest()


def _sha256_path(path: Path) -> bytes:
    """sha256 of one of the grader's own files."""
    with path.open("rb") as handle:
        return _sha256(handle)


def check_output(folder: Path, out: Path) -> None:
    """Refuse an output folder that is the submissions folder, lies inside a submission, is
    a student's entry (a folder of the class that holds anything but an earlier batch's
    output), or cannot be written (raises BatchError before anything is graded)."""
    inside = out.resolve().relative_to(folder.resolve()).parts \
        if out.resolve().is_relative_to(folder.resolve()) else None
    if inside is not None and (len(inside) != 1 or _is_students(out)):
        raise BatchError(_("the output folder {out} is {where}; choose a folder beside "
                           "the submissions (-o)").format(
            out=out, where=_("the submissions folder itself") if not inside
            else _("inside the submission {name}").format(name=inside[0]) if len(inside) > 1
            else _("the submission {name}").format(name=inside[0])))
    Store(out).check_writable()


def _is_students(path: Path) -> bool:
    """Whether ``path``, an entry of the class folder, is a student's: anything there but
    an empty folder or an earlier batch's output (which holds no code)."""
    if not os.path.lexists(path):
        return False
    if path.is_symlink() or not path.is_dir():
        return True
    with Folder.at(path) as folder:
        empty = not folder.names()
    return not empty and (not Store(path).is_batch_output() or _holds_code(path))


def run_batch(folder: Path, out: Path, options: Options, *, jobs: int = 1,
              shard: Shard | None = None, progress: bool = True,
              similarity: float | None = None, adjustments: Path | None = None,
              deadlines: Deadlines | None = None, scheduler: str | None = None) -> Outcome:
    """Grade ``folder`` into ``out``; returns what was done. With ``similarity``, the class
    report lists the pairs of submissions at least that similar (grader.classroom.similarity);
    ``adjustments`` and ``deadlines`` as grader.classroom.semester applies them. With
    ``scheduler``, the workers are those of that Dask cluster (grader.classroom.dask_batch)
    and ``jobs`` is theirs to decide."""
    store, outcome = Store(out), Outcome()
    found = entries(folder, outcome, out)
    if not found:
        raise BatchError(_("{folder} holds no submissions (folders, .py, .ipynb or .zip "
                           "files, one per student); give the folder that holds them").format(
            folder=folder))
    check_output(folder, out)
    semester, adjustments_text = prepare(out, found, options, adjustments, deadlines)
    mine = [e for e in found if in_shard(e.name, shard)]
    with _terminated_as_interrupted(), ExitStack() as stack, \
            _workers(options, min(jobs, len(mine)), scheduler) as workers:  # before any reading
        if deadlines is not None:
            mine = _at_deadline(mine, deadlines, semester, stack, store, options, outcome)
        else:
            for entry in mine:
                semester.submitted.pop(entry.name, None)
        semester.save(out, adjustments_text)
        key = options_key(options)
        store.save_key(key)
        todo = [(entry, _reusable(store.load(entry.name), key)) for entry in mine]
        _grade_all(todo, workers, options, key, progress, store, outcome)
    store.save_rows(outcome.records)
    gradebook.write(store.gradebook, outcome.records)
    pairs = None
    if similarity is not None:
        from grader.classroom import similarity as similar

        try:
            pairs = similar.similar_pairs({e.name: e.path for e in mine}, similarity)
        except Exception as error:  # the class report is written without the pairs
            outcome.warnings.append(_("the similarity check failed ({error}); the class "
                                      "report lists no similar pairs").format(
                error=type(error).__name__))
    html_report.write(store.html, outcome.records, pairs)
    feedback.finish(store, outcome.records, outcome.kept)
    store.save_key(key, finished=True)
    return outcome


def _reusable(saved: Record | None, key: dict[str, Any]) -> Record | None:
    """The saved record a worker may keep instead of grading, shed (see ``_add``): made with
    the same options and with the fingerprint of what was graded (compared with what the
    worker loads now)."""
    return saved.shed() if saved is not None and saved.digest is not None \
        and saved.key == key else None


def _workers(options: Options, jobs: int, scheduler: str | None) -> Any:
    """Local worker processes, or a Dask cluster's workers."""
    if scheduler is None:
        return Workers(options, jobs)
    from grader.classroom.dask_batch import DaskWorkers

    return DaskWorkers(scheduler, options)


def _at_deadline(mine: list[Entry], deadlines: Deadlines, semester: Semester,
                 stack: ExitStack, store: Store, options: Options,
                 outcome: Outcome) -> list[Entry]:
    """Each git entry as its commit to grade (exported to a temporary folder that lives as
    long as ``stack``); an entry with no such commit gets an error row."""
    temp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dlgrade-commits-")))
    kept = []
    for index, entry in enumerate(mine):
        semester.submitted.pop(entry.name, None)
        if not deadline.is_repository(entry.path):
            kept.append(entry)
            continue
        try:
            submitted = deadline.choose(entry.path, entry.name, entry.identity, deadlines)
            deadline.export(entry.path, submitted.commit, temp / str(index))
        except DeadlineError as error:
            reason = _("not graded at the deadline: {error}").format(error=error)
            _add(store, outcome, Record(entry.name, error_report(
                entry.name, options.seed, reason, options.selection.names),
                identity=entry.identity))
            continue
        semester.submitted[entry.name] = submitted
        kept.append(replace(entry, path=temp / str(index)))
    semester.late = deadlines.late
    return kept


def error_report(name: str, seed: int, reason: str, selected: tuple[str, ...] = ()) -> Report:
    """The report of a submission that could not be graded at all (in the ``selected``
    functions of ``--only``)."""
    return Report(submission=name, seed=seed, status="error", notes=[reason], lang=language(),
                  selected=list(selected))


def _add(store: Store, outcome: Outcome, record: Record, text: str = "") -> None:
    """Save a new record with its text report, ``text`` when the worker rendered it (once:
    the class report and later runs reuse it); hold it shed until the batch's end."""
    record.text = text or text_report.render(record.report)
    store.save(record)
    outcome.records.append(record.shed())


def _grade_all(todo: list[tuple[Entry, Record | None]], workers: Workers, options: Options,
               key: dict[str, Any], progress: bool, store: Store, outcome: Outcome) -> None:
    """Load every entry in the workers and grade it, unless what was loaded is what its
    saved record graded (then the record is kept); save each record as it comes. On Ctrl-C
    the gradebook of what is done is written before the interrupt goes on."""
    with _progress(progress, len(todo)) as advance:
        try:
            known = [saved.digest if saved is not None else None for _e, saved in todo]
            for done in workers.grade_known([entry.path for entry, _s in todo], known,
                                            [entry.name for entry, _s in todo]):
                entry, saved = todo[done.index]
                if done.unchanged and saved is not None:
                    _reuse(store, outcome, entry, saved)
                elif done.report is None:
                    _add(store, outcome, Record(entry.name, error_report(
                        entry.name, options.seed, done.reason, options.selection.names),
                        identity=entry.identity))
                else:
                    done.report.submission = entry.name
                    _add(store, outcome, Record(entry.name, done.report, done.digest, key,
                                                entry.identity), done.text)
                    outcome.graded += 1
                advance()
        except KeyboardInterrupt:
            outcome.records = store.reload(outcome.records)
            store.save_rows(outcome.records)
            gradebook.write(store.gradebook, outcome.records)
            raise
    outcome.records = store.reload(outcome.records)
    outcome.warnings.extend(workers.warnings)


def _reuse(store: Store, outcome: Outcome, entry: Entry, saved: Record) -> None:
    """Keep the saved record of ``entry`` (``saved``, shed), repairing its files (a batch
    that died between writing them, an export that now names another student)."""
    whole = store.reload([saved])[0]
    record = replace(whole, identity=entry.identity)
    if record != whole:   # the export names someone else now (else its file is as read)
        store.repair(record)
    outcome.records.append(record.shed())
    outcome.reused += 1
    outcome.kept.add(record.name)


@contextmanager
def _terminated_as_interrupted() -> Iterator[None]:
    """While grading, SIGTERM (a CI runner cancelling, ``kill``) is Ctrl-C: the gradebook of
    what is done is written and the workers stopped (were this process killed outright, they
    end with it anyway: grader.classroom.workers)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(*_args: object) -> None:
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Callable[[], None]]:
    """A progress bar with ETA on stderr; call the yielded function after each submission."""
    bar = Progress(TextColumn(_("Grading")), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn(_("ETA")), TimeRemainingColumn(),
                   console=Console(stderr=True), disable=not enabled)
    task = bar.add_task("", total=total)
    with bar:
        yield lambda: bar.advance(task)
