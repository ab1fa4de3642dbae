"""Read a submission's files as the hostile input they are: every byte goes through here.

An entry is opened relative to its folder's descriptor with ``O_NOFOLLOW | O_NONBLOCK``, so
neither it nor a folder on the way to it can be a symbolic link, and a FIFO cannot block;
``fstat`` must then say "regular file" (or "folder"). Each file is bounded, and so is what
one submission reads in all. Anything else (a link, a FIFO, a device, a socket, a file too
large) is ``Refused`` with one line naming the entry.

The path the operator gives (``grade run PATH``, a batch's folder) is the operator's: the
folders leading to it are followed as usual. ``PATH`` itself and everything inside it are
the student's: a link there is never followed (``grade run`` refuses a ``PATH`` that is a
link, saying where it points).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from grader.i18n import _

#: A module file (.py): far above any honest solution.
MAX_FILE_BYTES = 1 << 20
#: A notebook keeps its outputs (plots), so it may be larger.
MAX_NOTEBOOK_BYTES = 32 << 20
#: What one submission may read in all (modules, helpers, notebooks, its archive).
MAX_SUBMISSION_BYTES = 64 << 20
#: Entries of one folder looked at, at the most.
MAX_ENTRIES = 10_000

FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
FOLDER_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC
_CHUNK = 1 << 20


class LoadError(Exception):
    """The path cannot be read as a submission; the message says what to do."""


class Refused(LoadError):
    """An entry that is not read: a link, a FIFO, a device, a socket, or too large.
    ``message`` is the whole line, naming ``entry``."""

    def __init__(self, entry: str, message: str):
        super().__init__(message)
        self.entry = entry


def kind_of(mode: int) -> str:
    """``file``, ``folder``, ``link``, ``fifo``, ``device`` or ``socket``, from ``st_mode``."""
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device"


def refusal(entry: str, kind: str) -> Refused:
    """The refusal of ``entry``, which is of ``kind`` (anything but a regular file)."""
    if kind == "link":
        return Refused(entry, _("{entry} is a symbolic link, and links in a submission are "
                                "never followed: put the file or folder itself there").format(
            entry=entry))
    if kind == "folder":
        return Refused(entry, _("{entry} is a folder, not a file").format(entry=entry))
    what = {"fifo": _("a named pipe (FIFO)"), "socket": _("a socket"),
            "device": _("a device")}.get(kind, kind)
    return Refused(entry, _("{entry} is {what}, not a regular file: submit regular files "
                            "only").format(entry=entry, what=what))


class Budget:
    """The bytes one submission may still read."""

    def __init__(self, total: int | None = None):
        self.left = MAX_SUBMISSION_BYTES if total is None else total


class Folder:
    """An open folder of a submission; its entries are looked at and read without following
    a link. ``label`` names it in messages (``alice/exercises``)."""

    def __init__(self, fd: int, label: str, budget: Budget):
        self.fd, self.label, self.budget = fd, label, budget

    @classmethod
    def at(cls, path: Path, budget: Budget | None = None) -> "Folder":
        """The operator's folder ``path`` (followed, as the operator named it)."""
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        return cls(fd, str(path), budget or Budget())

    def __enter__(self) -> "Folder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def entry(self, name: str) -> str:
        """How messages name the entry ``name`` of this folder."""
        return f"{self.label}/{name}"

    def names(self, limit: int | None = MAX_ENTRIES) -> list[str]:
        """The entries' names, sorted (at most ``limit`` of them; None: all, for a folder of
        the operator's such as a class)."""
        names = []
        with os.scandir(self.fd) as listing:
            for item in listing:
                names.append(item.name)
                if len(names) == limit:
                    break
        return sorted(names)

    def kind(self, name: str) -> str | None:
        """What ``name`` is here (see ``kind_of``), without following it; None if absent."""
        try:
            return kind_of(os.stat(name, dir_fd=self.fd, follow_symlinks=False).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            return None

    def link_target(self, name: str) -> str:
        """Where the link ``name`` points (its text, never followed)."""
        return os.readlink(name, dir_fd=self.fd)

    def folder(self, name: str) -> "Folder":
        """The folder ``name``; Refused if it is a link or anything but a folder."""
        try:
            fd = os.open(name, FOLDER_FLAGS, dir_fd=self.fd)
        except OSError as error:
            raise self._refusal(name, error) from None
        return Folder(fd, self.entry(name), self.budget)

    def open(self, name: str, limit: int = MAX_FILE_BYTES) -> BinaryIO:
        """The regular file ``name``, open for reading; Refused if it is anything else or
        larger than ``limit`` or than what the submission may still read."""
        try:
            fd = os.open(name, FILE_FLAGS, dir_fd=self.fd)
        except OSError as error:
            raise self._refusal(name, error) from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise refusal(self.entry(name), kind_of(info.st_mode))
            self._check_size(name, info.st_size, limit)
            os.set_blocking(fd, True)
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    def read(self, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
        """The bytes of the regular file ``name`` (see ``open``), counted against the
        submission's bound; a file that grows while it is read is refused too."""
        with self.open(name, limit) as handle:
            data = handle.read(min(limit, self.budget.left) + 1)
        self._check_size(name, len(data), limit)
        self.budget.left -= len(data)
        return data

    def text(self, name: str, limit: int = MAX_FILE_BYTES) -> str:
        """``read`` as UTF-8 text (undecodable bytes replaced)."""
        return self.read(name, limit).decode("utf-8", errors="replace")

    def _check_size(self, name: str, size: int, limit: int) -> None:
        if size > limit:
            raise Refused(self.entry(name), _("{entry} is larger than {size}: submit it "
                                              "without data or outputs").format(
                entry=self.entry(name), size=_size(limit)))
        if size > self.budget.left:
            raise LoadError(_("{entry}: the submission holds more than {size} of files to "
                              "read; submit only your code").format(
                entry=self.entry(name), size=_size(MAX_SUBMISSION_BYTES)))

    def _refusal(self, name: str, error: OSError) -> LoadError:
        """The refusal of ``name`` that an ``open`` failed with ``error``."""
        if error.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENXIO, errno.EISDIR):
            kind = self.kind(name)
            if kind is not None and kind != "file":
                return refusal(self.entry(name), kind)
        return LoadError(_("cannot read {path}: {error}").format(
            path=self.entry(name), error=error.strerror or error))


def parent_and_name(path: Path) -> tuple[Path, str]:
    """The operator's folder holding ``path``, and the name of ``path`` in it."""
    path = Path(os.path.abspath(path))
    if path.name:
        return path.parent, path.name
    return path, "."


def _size(limit: int) -> str:
    return f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit} bytes"
