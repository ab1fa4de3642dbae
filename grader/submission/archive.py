"""Read a ``.zip`` submission (as Gradescope and LMS downloads give them), safely.

The archive is unpacked into a private temporary folder, refusing the whole archive on any
absolute path, ``..`` component, symlink or encrypted member, and bounding the number of files
and the bytes actually written (not the sizes the archive claims). The folder, single notebook
or single ``.py`` inside is then loaded as usual, descending a single top-level folder.
The folder lives until ``discard`` or the end of the process (the child may import helper
modules from it). The archive itself is opened like every submission file
(``grader.submission.files``): a regular file, not a link, FIFO or device, of bounded size.
"""

from __future__ import annotations

import atexit
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from grader.i18n import _
from grader.submission.files import MAX_SUBMISSION_BYTES, Folder
from grader.submission.load import LoadError, Submission, load

MAX_FILES = 1000
MAX_BYTES = 50 * 1024**2
#: Archive members that operating systems add and nobody means to submit.
JUNK = ("__MACOSX", ".DS_Store", "Thumbs.db")
_CHUNK = 1024**2
_DRIVE = re.compile(r"^[A-Za-z]:")
_unpacked: list[Path] = []


def load_zip(parent: Folder, entry: str, path: Path) -> Submission:
    """The submission inside the archive ``entry`` of ``parent`` (at ``path``), named after
    the archive."""
    folder = Path(tempfile.mkdtemp(prefix="grade-zip-"))
    _unpacked.append(folder)
    try:
        with parent.open(entry, MAX_SUBMISSION_BYTES) as handle:
            _unpack(handle, folder, path)
        submission = load(_content(folder, path), unpacked=True)
    except BaseException:
        _remove(folder)
        raise
    return replace(submission, path=path, name=path.stem)


def discard(submission: Submission) -> None:
    """Remove the temporary folder of a submission that came from an archive (else nothing)."""
    for folder in list(_unpacked):
        if submission.root == folder or folder in submission.root.parents:
            _remove(folder)


def _unpack(handle: BinaryIO, folder: Path, path: Path) -> None:
    try:
        with zipfile.ZipFile(handle) as archive:
            members = [m for m in archive.infolist() if not _is_junk(m.filename)]
            if len(members) > MAX_FILES:
                raise LoadError(_("{path}: the archive holds more than {count} files").format(
                    path=path, count=MAX_FILES))
            budget = MAX_BYTES
            for member in members:
                budget -= _extract(archive, member, folder, path, budget)
    except zipfile.BadZipFile as error:
        raise LoadError(_("{path} is not a valid zip archive ({error}); download or zip "
                          "it again").format(path=path, error=error)) from None
    except LoadError:
        raise
    except Exception as error:  # zlib.error, UnicodeDecodeError, OSError, ...: a broken archive
        raise LoadError(_("{path}: cannot unpack the archive ({error})").format(
            path=path, error=error)) from None


def _extract(archive: zipfile.ZipFile, member: zipfile.ZipInfo, folder: Path, path: Path,
             budget: int) -> int:
    """Write one member below ``folder``; returns the bytes written."""
    target = folder.joinpath(*_safe_parts(member, path))
    if member.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return 0
    if member.flag_bits & 0x1:
        raise LoadError(_("{path}: encrypted archives are not supported").format(path=path))
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(member) as source, target.open("xb") as sink:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > budget:
                raise LoadError(_("{path}: the archive unpacks to more than {size} MB").format(
                    path=path, size=MAX_BYTES // 1024**2))
            sink.write(chunk)
    return written


def _safe_parts(member: zipfile.ZipInfo, path: Path) -> tuple[str, ...]:
    """The member's path components, refusing anything that could land outside the folder."""
    name = member.filename.replace("\\", "/")
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    unsafe = (name.startswith("/") or _DRIVE.match(name) or ".." in parts or not parts
              or stat.S_ISLNK(member.external_attr >> 16))
    if unsafe:
        raise LoadError(_("{path}: unsafe archive member {member!r} (absolute path, '..' "
                          "or symlink); zip the submission folder again").format(
            path=path, member=member.filename))
    return parts


def _is_junk(name: str) -> bool:
    return any(part in JUNK for part in name.replace("\\", "/").split("/"))


def _content(folder: Path, path: Path) -> Path:
    """The folder to load: descend while the archive holds a single top-level folder."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if not entries:
        raise LoadError(_("{path}: the archive is empty").format(path=path))
    while len(entries) == 1 and entries[0].is_dir():
        folder = entries[0]
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    return folder


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    if folder in _unpacked:
        _unpacked.remove(folder)


@atexit.register
def _remove_all() -> None:
    for folder in list(_unpacked):
        _remove(folder)
