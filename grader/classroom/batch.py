"""``grade batch``: grade every submission of a folder into a gradebook and a class report.

Each entry of the folder (a folder, ``.py``, ``.ipynb`` or ``.zip``) is one student, and its
row is keyed by the entry's full name (``dave.py`` and ``dave.zip`` are two rows); a
platform's export says who the student is (grader.classroom.identities). The worker processes
(grader.classroom.workers) are forked first, before this process reads a submission, a saved
report or a solution, so none of that is in a worker or in any child it forks. Then entries
whose content digest and options match a saved record are reused, and the workers are sent
the paths of the rest: each loads, grades and discards one submission at a time (a zip is
unpacked only there; ``--similarity`` reads the code again here once the workers are gone).
A submission that cannot be read, loaded or graded gets an error row; it never stops the
batch. On Ctrl-C while grading, the gradebook of what is done is written before
``KeyboardInterrupt`` goes on (earlier, the previous gradebook stays as it was).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

import grader
from grader.classroom import gradebook, html_report
from grader.classroom.identities import EXPORT_FILES, Identity, identities
from grader.classroom.store import BatchError, Record, Store
from grader.classroom.workers import Workers
from grader.grading import Options
from grader.i18n import _, language
from grader.report import text as text_report
from grader.report.model import Report
from grader.submission.files import Budget, Folder, parent_and_name

SUFFIXES = (".py", ".ipynb", ".zip")
#: An entry's files are hashed by content up to this size each, larger ones by size and time.
DIGEST_FILE_BYTES = 64 * 1024**2
#: An entry with more files, or folders deeper, than this has no digest: it is graded on
#: every run.
DIGEST_MAX_FILES, DIGEST_MAX_DEPTH = 10_000, 32
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
    skipped: list[str] = field(default_factory=list)   # folder entries that are no submission
    outputs: list[str] = field(default_factory=list)   # earlier batches' output folders
    warnings: list[str] = field(default_factory=list)  # the grader's, said once

    @property
    def errors(self) -> int:
        return sum(r.report.status != "graded" for r in self.records)


def entries(folder: Path, outcome: Outcome | None = None,
            out: Path | None = None) -> list[Entry]:
    """The submissions in ``folder``, each named by its full entry name. The output folder
    ``out`` is no submission, nor is the output of an earlier batch (which holds no code).
    An entry that is a link is kept: loading it refuses it, so its row says why."""
    found = []
    with Folder.at(folder) as listing:
        for name in listing.names():
            path = folder / name
            kind = listing.kind(name)
            if name.startswith((".", "_")) or name in EXPORT_FILES \
                    or kind == "folder" and _is_output(path, out, outcome):
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
        return True
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
    return {"seed": options.seed, "hide_inputs": options.hide_inputs,
            "use_solutions": options.use_solutions, "lang": language(),
            "limits": asdict(options.limits),
            "version": grader.__version__, "sources": sources_digest()}


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


def content_digest(path: Path) -> str | None:
    """sha256 of the entry's bytes (a zip is never unpacked here); for a folder, over what it
    holds by relative name (a file's bytes, a link's text, another entry's kind), links never
    followed; None when it holds more than ``DIGEST_MAX_FILES`` entries."""
    where, name = parent_and_name(path)
    with Folder.at(where, Budget(1 << 62)) as parent:
        kind = parent.kind(name)
        if kind == "file":
            with parent.open(name, limit=1 << 62) as handle:
                return _sha256(handle).hex()
        if kind != "folder":
            return hashlib.sha256(_entry_bytes(parent, name, kind)).hexdigest()
        sha, count = hashlib.sha256(), [0]
        with parent.folder(name) as folder:
            complete = _digest_folder(folder, "", sha, count)
    return sha.hexdigest() if complete else None


def _digest_folder(folder: Folder, prefix: str, sha: Any, count: list[int]) -> bool:
    """Add every entry below ``folder`` to ``sha``; False once there are too many or they
    lie too deep."""
    if prefix.count("/") >= DIGEST_MAX_DEPTH:
        return False
    for name in folder.names():
        count[0] += 1
        if count[0] > DIGEST_MAX_FILES:
            return False
        relative, kind = prefix + name, folder.kind(name)
        if kind == "folder":
            with folder.folder(name) as inner:
                if not _digest_folder(inner, relative + "/", sha, count):
                    return False
            continue
        sha.update(relative.encode("utf-8", "surrogatepass") + b"\0")
        if kind == "file":
            with folder.open(name, limit=1 << 62) as handle:
                info = os.fstat(handle.fileno())
                sha.update(f"{info.st_size}\0".encode())
                sha.update(_sha256(handle) if info.st_size <= DIGEST_FILE_BYTES
                           else f"{info.st_mtime_ns}".encode())
        else:
            sha.update(_entry_bytes(folder, name, kind))
    return True


def _entry_bytes(folder: Folder, name: str, kind: str | None) -> bytes:
    """What stands for an entry that is not a regular file: its kind, a link's text."""
    target = folder.link_target(name) if kind == "link" else ""
    return f"{kind}\0{target}\0".encode("utf-8", "surrogatepass")


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
    """Refuse an output folder that is the submissions folder, lies inside a submission, or
    cannot be written (raises BatchError before anything is graded)."""
    inside = out.resolve().relative_to(folder.resolve()).parts \
        if out.resolve().is_relative_to(folder.resolve()) else None
    if inside is not None and len(inside) != 1:
        raise BatchError(_("the output folder {out} is {where}; choose a folder beside "
                           "the submissions (-o)").format(
            out=out, where=_("the submissions folder itself") if not inside
            else _("inside the submission {name}").format(name=inside[0])))
    Store(out).check_writable()


def run_batch(folder: Path, out: Path, options: Options, *, jobs: int = 1,
              shard: Shard | None = None, progress: bool = True,
              similarity: float | None = None, scheduler: str | None = None) -> Outcome:
    """Grade ``folder`` into ``out``; returns what was done. With ``similarity``, the class
    report lists the pairs of submissions at least that similar (grader.classroom.similarity).
    With ``scheduler``, the workers are those of that Dask cluster
    (grader.classroom.dask_batch) and ``jobs`` is theirs to decide."""
    store, outcome = Store(out), Outcome()
    found = entries(folder, outcome, out)
    if not found:
        raise BatchError(_("{folder} holds no submissions (folders, .py, .ipynb or .zip "
                           "files, one per student); give the folder that holds them").format(
            folder=folder))
    check_output(folder, out)
    mine = [e for e in found if in_shard(e.name, shard)]
    with _workers(options, min(jobs, len(mine)), scheduler) as workers:  # before any reading
        key = options_key(options)
        store.save_key(key)
        todo: list[tuple[Entry, str | None]] = []
        for entry in mine:
            _prepare(entry, store, key, options.seed, todo, outcome)
        if todo:
            _grade_all(todo, workers, options.seed, key, progress, store, outcome)
    store.save_rows(outcome.records)
    gradebook.write(store.gradebook, outcome.records)
    pairs = None
    if similarity is not None:
        from grader.classroom import similarity as similar

        pairs = similar.similar_pairs({e.name: e.path for e in mine}, similarity)
    html_report.write(store.html, outcome.records, pairs)
    return outcome


def _workers(options: Options, jobs: int, scheduler: str | None) -> Any:
    """Local worker processes, or a Dask cluster's workers."""
    if scheduler is None:
        return Workers(options, jobs)
    from grader.classroom.dask_batch import DaskWorkers

    return DaskWorkers(scheduler, options)


def _prepare(entry: Entry, store: Store, key: dict[str, Any], seed: int,
             todo: list[tuple[Entry, str | None]], outcome: Outcome) -> None:
    """Decide about one entry: a reused record, an error record, or to grade (with its digest)."""
    try:
        digest = content_digest(entry.path)
    except Exception as error:  # one unreadable entry must not stop the batch
        reason = _("cannot read the submission: {error}").format(error=error)
        _add(store, outcome, Record(entry.name, error_report(entry.name, seed, reason),
                                    identity=entry.identity))
        return
    saved = store.load(entry.name)
    if saved is not None and saved.reusable(digest, key):
        if saved.identity != entry.identity:   # the export now says otherwise
            saved = replace(saved, identity=entry.identity)
            store.save(saved)
        outcome.records.append(saved)
        outcome.reused += 1
    else:
        todo.append((entry, digest))


def error_report(name: str, seed: int, reason: str) -> Report:
    """The report of a submission that could not be graded at all."""
    return Report(submission=name, seed=seed, status="error", notes=[reason], lang=language())


def _add(store: Store, outcome: Outcome, record: Record) -> None:
    """Save a new record with its text report (rendered once: the class report and later
    runs reuse it)."""
    record.text = text_report.render(record.report)
    store.save(record)
    outcome.records.append(record)


def _grade_all(todo: list[tuple[Entry, str | None]], workers: Workers, seed: int,
               key: dict[str, Any], progress: bool, store: Store, outcome: Outcome) -> None:
    """Grade ``todo`` in the workers, saving each record as it comes. On Ctrl-C the gradebook
    of what is done is written before the interrupt goes on."""
    with _progress(progress, len(todo)) as advance:
        try:
            for index, report, reason in workers.grade([entry.path for entry, _d in todo]):
                entry, digest = todo[index]
                if report is None:
                    record = Record(entry.name, error_report(entry.name, seed, reason),
                                    identity=entry.identity)
                else:
                    report.submission = entry.name
                    record = Record(entry.name, report, digest, key, entry.identity)
                    outcome.graded += 1
                _add(store, outcome, record)
                advance()
        except KeyboardInterrupt:
            store.save_rows(outcome.records)
            gradebook.write(store.gradebook, outcome.records)
            raise
    outcome.warnings.extend(workers.warnings)


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Callable[[], None]]:
    """A progress bar with ETA on stderr; call the yielded function after each submission."""
    bar = Progress(TextColumn(_("Grading")), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn(_("ETA")), TimeRemainingColumn(),
                   console=Console(stderr=True), disable=not enabled)
    task = bar.add_task("", total=total)
    with bar:
        yield lambda: bar.advance(task)
