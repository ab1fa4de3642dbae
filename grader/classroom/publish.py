"""``grade publish OUT --clones DIR``: carry each student's feedback back to them, as a
commit of ``FEEDBACK.md`` in their clone (``DIR/<entry>``, the folder the batch graded).

On GitHub Classroom only the instructor's grading counts (a student can edit their own
workflow), so this is the authoritative result. Nothing is pushed: the instructor reviews,
then pushes (``git push`` in each clone, or ``gh classroom``'s tools). Only ``FEEDBACK.md``
is committed, whatever else the work tree holds; a ``FEEDBACK.md`` that is a link (the
student's) is replaced, never followed; the clone's hooks do not run.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from grader.classroom.deadline import is_repository
from grader.classroom.export import records_of
from grader.classroom.feedback import FOLDER, stem
from grader.i18n import _
from grader.report import neutral

FEEDBACK = "FEEDBACK.md"
#: Who commits when the instructor's git has no identity configured.
FALLBACK_NAME, FALLBACK_EMAIL = "dlgrade", "dlgrade@localhost"


@dataclass
class Published:
    """What ``publish`` did."""

    committed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)    # one line each: who and why


def _git(clone: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    return subprocess.run(["git", "-c", "core.hooksPath=" + os.devnull, *args], cwd=clone,
                           env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def _identity(clone: Path) -> list[str]:
    """``-c user.name/email`` when git has no identity to commit with."""
    if _git(clone, "var", "GIT_COMMITTER_IDENT").returncode == 0:
        return []
    return ["-c", f"user.name={FALLBACK_NAME}", "-c", f"user.email={FALLBACK_EMAIL}"]


def _write(path: Path, text: str) -> None:
    """Write ``path`` as a regular file, replacing (not following) a link there."""
    if path.is_symlink() or path.exists() and not path.is_file():
        if path.is_dir() and not path.is_symlink():
            raise OSError(_("{name} is a folder").format(name=FEEDBACK))
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0),
                 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def publish(out: Path, clones: Path) -> Published:
    """Commit each record's feedback into its clone under ``clones``."""
    done = Published()
    for record in sorted(records_of(out), key=lambda r: r.name):
        name = neutral.terminal(record.name)
        clone = clones / record.name
        source = out / FOLDER / f"{stem(record.name)}.md"
        if not is_repository(clone):
            done.skipped.append(_("{name}: no git clone in {clones}").format(name=name,
                                                                           clones=clones))
            continue
        if not source.is_file():
            done.skipped.append(_("{name}: no feedback in {out}; run grade batch again").format(
                name=name, out=out))
            continue
        try:
            _write(clone / FEEDBACK, source.read_text(encoding="utf-8"))
        except OSError as error:
            done.skipped.append(f"{name}: {error.strerror or error}")
            continue
        added = _git(clone, "add", "--", FEEDBACK)
        if added.returncode == 0 and _git(clone, "diff", "--cached", "--quiet", "--",
                                          FEEDBACK).returncode == 0:
            done.unchanged.append(record.name)
            continue
        message = _("Feedback from the grader ({file})").format(file=FEEDBACK)
        committed = _git(clone, *_identity(clone), "commit", "--no-verify", "-q", "-m",
                         message, "--only", "--", FEEDBACK) if added.returncode == 0 else added
        if committed.returncode:
            reason = " ".join((committed.stderr or committed.stdout).split())[:200]
            done.skipped.append(f"{name}: git: {neutral.terminal(reason)}")
        else:
            done.committed.append(record.name)
    return done
