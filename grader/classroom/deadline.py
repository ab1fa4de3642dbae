"""``grade batch CLONES --deadline``: grade each git repository as it was at its deadline.

An entry that is a git repository (a GitHub Classroom clone) is graded at its last commit
dated at or before its deadline (``--deadline``, or the student's own from
``--extensions``); with ``--late-penalty`` at its newest commit instead, charged per started
day after the deadline. The commit is read from git (``git archive`` into a temporary
folder, bounded and extracted with tarfile's ``data`` filter); the clone itself, its work tree
and its index are never touched, so what the student has checked out does not matter.

A commit's date is the student's own claim (``git commit --date`` sets any date). A file of
the commits to grade (``--commits``: as Classroom's or ``gh classroom``'s records give them,
one row per repository) overrides it: that commit is graded, and the time the platform
recorded, when the row gives one, decides lateness instead of the commit's date.
Entries that are not repositories are graded as they are.

Trust: git reads the student's objects (names, sizes and bytes are theirs, so the tree is
bounded and extracted with the ``data`` filter) but runs only the instructor's
configuration: ``.git/config`` is written by ``git clone`` on this machine and never comes
from the student's repository; the system configuration is ignored and no hook runs for
``log`` or ``archive``.
"""

from __future__ import annotations

import csv
import io
import math
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from grader.classroom.identities import FIELDS, MAX_CHARS, Identity
from grader.i18n import _
from grader.report import neutral

#: Bytes and files one commit's tree may hold when extracted for grading.
MAX_TREE_BYTES, MAX_TREE_FILES = 256 * 1024**2, 20_000
#: Commits of one repository looked at (newest first).
MAX_COMMITS = 100_000
MAX_FILE_BYTES = 8 * 1024**2
DAY = 86_400.0
#: Column names that say which repository a row of a commits file is about, and its commit
#: and recorded time (GitHub Classroom's and ``gh classroom``'s spellings).
REPOSITORY_COLUMNS = ("student_repository_name", "repository", "repo", "github_username",
                      "login", "student")
COMMIT_COLUMNS = ("commit", "sha", "commit_sha", "submission_sha")
TIME_COLUMNS = ("submission_timestamp", "pushed_at", "submitted_at", "received_at")


class DeadlineError(ValueError):
    """A deadline, extension, commits file or penalty that cannot be used; one line."""


def parse_time(text: str, what: str) -> datetime:
    """An ISO-8601 time with its UTC offset (``2026-12-01T23:59:00+09:00``, ``...Z``)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise DeadlineError(_("{what} {value!r} is not an ISO-8601 time with its offset; "
                              "write it like 2026-12-01T23:59:00+09:00").format(
            what=what, value=neutral.terminal(text)))
    return moment


@dataclass(frozen=True)
class LatePolicy:
    """``--late-penalty PER_DAY[,CAP]``: percent of the points per started day, at most CAP."""

    per_day: float
    cap: float = 100.0

    @classmethod
    def parse(cls, text: str) -> "LatePolicy":
        parts = [p.strip().rstrip("%") for p in text.split(",")]
        try:
            values = [float(p) for p in parts]
        except ValueError:
            values = []
        if len(values) not in (1, 2) or not all(math.isfinite(v) and 0 <= v <= 100
                                                for v in values):
            raise DeadlineError(_("--late-penalty {value!r} is not PER_DAY[,CAP]: percents of "
                                  "the points from 0 to 100, for example 10,50 (10% per day "
                                  "late, at most 50%)").format(value=neutral.terminal(text)))
        return cls(*values)

    def percent(self, late_days: int) -> float:
        """The share of the points (percent) taken for ``late_days`` started days late."""
        return min(self.per_day * late_days, self.cap)


@dataclass
class Submitted:
    """Which commit of a repository was graded, and how late it was."""

    commit: str
    committed_at: str              # ISO 8601: the commit's date, or the platform's record
    deadline: str                  # ISO 8601: the student's deadline
    late_seconds: float = 0.0      # > 0: after the deadline
    recorded: bool = False         # the commit came from the commits file

    @property
    def late_days(self) -> int:
        """Started days after the deadline (0 when on time)."""
        return math.ceil(self.late_seconds / DAY) if self.late_seconds > 0 else 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> "Submitted | None":
        try:
            return cls(str(data["commit"]), str(data["committed_at"]), str(data["deadline"]),
                       float(data.get("late_seconds", 0.0)), bool(data.get("recorded")))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass
class Deadlines:
    """What ``--deadline``, ``--extensions``, ``--commits`` and ``--late-penalty`` ask."""

    deadline: datetime
    extensions: list[tuple[str, datetime]] = field(default_factory=list)
    commits: list[tuple[str, str, datetime | None]] = field(default_factory=list)
    late: LatePolicy | None = None

    def deadline_of(self, name: str, identity: Identity) -> datetime:
        for key, moment in self.extensions:
            if _names(key, name, identity):
                return moment
        return self.deadline

    def recorded(self, name: str, identity: Identity) -> tuple[str, datetime | None] | None:
        for key, commit, moment in self.commits:
            if _names(key, name, identity):
                return commit, moment
        return None


def _names(key: str, name: str, identity: Identity) -> bool:
    wanted = key.casefold()
    return any(v and v.casefold() == wanted
               for v in (name, *(getattr(identity, f) for f in FIELDS)))


def _rows(path: Path, what: str) -> list[dict[str, str]]:
    """The rows of a small CSV file, column names lower-cased."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise DeadlineError(_("cannot read the {what} file {path}: {reason}").format(
            what=what, path=path, reason=error.strerror or error)) from None
    if len(data) > MAX_FILE_BYTES:
        raise DeadlineError(_("the {what} file {path} is too large").format(what=what,
                                                                          path=path))
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig", errors="replace")))
    return [{(k or "").strip().lower(): " ".join((v or "").split())[:MAX_CHARS]
             for k, v in row.items() if isinstance(v, str)} for row in reader]


def read_extensions(path: Path) -> list[tuple[str, datetime]]:
    """``student,deadline`` rows: the student (as for adjustments) and their own deadline."""
    rows = _rows(path, _("extensions"))
    found = []
    for number, row in enumerate(rows, start=2):
        if not row.get("student") or not row.get("deadline"):
            raise DeadlineError(_("{path}, line {line}: give the columns student,deadline "
                                  "(the student and their ISO-8601 deadline)").format(
                path=path, line=number))
        found.append((row["student"], parse_time(row["deadline"], _("the deadline"))))
    return found


def read_commits(path: Path) -> list[tuple[str, str, datetime | None]]:
    """The commits to grade: per row, the repository (or login), its commit and, when the
    platform recorded it, the time it was received."""
    rows = _rows(path, _("commits"))
    found = []
    for number, row in enumerate(rows, start=2):
        key = next((row[c] for c in REPOSITORY_COLUMNS if row.get(c)), "")
        commit = next((row[c] for c in COMMIT_COLUMNS if row.get(c)), "")
        when = next((row[c] for c in TIME_COLUMNS if row.get(c)), "")
        if not key or not commit:
            raise DeadlineError(_("{path}, line {line}: each row needs the repository "
                                  "({repositories}) and the commit ({commits})").format(
                path=path, line=number, repositories=", ".join(REPOSITORY_COLUMNS[:4]),
                commits=", ".join(COMMIT_COLUMNS[:2])))
        if not all(c in "0123456789abcdef" for c in commit.lower()) or len(commit) < 7:
            raise DeadlineError(_("{path}, line {line}: {commit} is not a commit hash").format(
                path=path, line=number, commit=neutral.terminal(commit)))
        found.append((key, commit.lower(),
                      parse_time(when.replace(" UTC", "+00:00"), _("the recorded time"))
                      if when else None))
    return found


def is_repository(path: Path) -> bool:
    """Whether the entry is a git clone (a folder holding ``.git``), never following links."""
    return path.is_dir() and not path.is_symlink() and (path / ".git").exists() \
        and not (path / ".git").is_symlink()


def _git(repository: Path, *args: str, stdout: int | None = subprocess.PIPE
         ) -> subprocess.Popen:
    """``git`` reading the repository's object store only (no work tree, no system config,
    never a prompt)."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
           "LC_ALL": "C", "GIT_DIR": str(repository / ".git")}
    env.pop("GIT_WORK_TREE", None)
    return subprocess.Popen(["git", "--no-replace-objects", *args], stdout=stdout,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
                            cwd=tempfile.gettempdir())


def _run(repository: Path, *args: str) -> str:
    process = _git(repository, *args)
    out, err = process.communicate()
    if process.returncode:
        raise DeadlineError(" ".join(err.decode("utf-8", "replace").split())[:300]
                            or "git failed")
    return out.decode("utf-8", "replace")


def commits(repository: Path) -> list[tuple[str, datetime]]:
    """The commits reachable from HEAD, newest first, with their committer dates."""
    text = _run(repository, "log", f"--max-count={MAX_COMMITS}", "--format=%H %ct", "HEAD",
                "--")
    found = []
    for line in text.splitlines():
        sha, _sep, stamp = line.partition(" ")
        if sha and stamp.lstrip("-").isdigit():
            found.append((sha, datetime.fromtimestamp(int(stamp), timezone.utc)))
    return found


def commit_time(repository: Path, sha: str) -> tuple[str, datetime]:
    """The full hash of commit ``sha`` and its committer date."""
    line = _run(repository, "log", "-1", "--format=%H %ct", f"{sha}^{{commit}}", "--").strip()
    full, _sep, stamp = line.partition(" ")
    return full, datetime.fromtimestamp(int(stamp), timezone.utc)


def choose(repository: Path, name: str, identity: Identity, plan: Deadlines) -> Submitted:
    """The commit to grade for this repository, and how late it is."""
    deadline = plan.deadline_of(name, identity)
    recorded = plan.recorded(name, identity)
    if recorded is not None:
        try:
            sha, dated = commit_time(repository, recorded[0])
        except (DeadlineError, ValueError):
            raise DeadlineError(_("the commits file names {commit}, which this repository "
                                  "does not hold").format(commit=recorded[0])) from None
        when = recorded[1] or dated
        return Submitted(sha, when.isoformat(), deadline.isoformat(),
                         (when - deadline).total_seconds(), recorded=True)
    history = commits(repository)
    if not history:
        raise DeadlineError(_("the repository has no commits"))
    if plan.late is not None:
        sha, when = max(history, key=lambda c: c[1])
    else:
        on_time = [c for c in history if c[1] <= deadline]
        if not on_time:
            raise DeadlineError(_("no commit is dated before the deadline {deadline}").format(
                deadline=deadline.isoformat()))
        sha, when = max(on_time, key=lambda c: c[1])
    return Submitted(sha, when.isoformat(), deadline.isoformat(),
                     (when - deadline).total_seconds())


class _Bounded(io.RawIOBase):
    """A stream that fails once more than ``limit`` bytes were read from it."""

    def __init__(self, stream: IO[bytes], limit: int):
        self.stream, self.left = stream, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        self.left -= len(data)
        if self.left < 0:
            raise DeadlineError(_("the commit holds more than {size} MB").format(
                size=MAX_TREE_BYTES // 1024**2))
        buffer[:len(data)] = data
        return len(data)


def export(repository: Path, sha: str, dest: Path) -> None:
    """Write commit ``sha``'s files into the new folder ``dest`` (``git archive``, bounded,
    extracted with the ``data`` filter: no absolute paths, no links out, no devices)."""
    dest.mkdir(parents=True)
    process = _git(repository, "archive", "--format=tar", sha)
    assert process.stdout is not None
    try:
        with tarfile.open(fileobj=io.BufferedReader(_Bounded(process.stdout, MAX_TREE_BYTES)),
                          mode="r|") as archive:
            for count, member in enumerate(archive, start=1):
                if count > MAX_TREE_FILES:
                    raise DeadlineError(_("the commit holds more than {count} files").format(
                        count=MAX_TREE_FILES))
                archive.extract(member, dest, filter="data")
    except tarfile.TarError as error:
        raise DeadlineError(_("cannot read the commit: {error}").format(error=error)) from None
    finally:
        process.kill()
        process.communicate()
