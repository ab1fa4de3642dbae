"""The output folder of a batch, and what it remembers between runs.

``OUT/.state/<file>`` holds each submission's full internal report with the content
digest and grading options it was made with (so a rerun skips it); ``OUT/results/<file>``
its Gradescope document; ``OUT/.state/.batch.json`` the seed and options of the last batch
(or merge) that wrote the folder, ``OUT/.state/.rows.json`` the names of the gradebook's
rows. ``<file>`` is ``file_name(name)``: unique, short and plain whatever the entry is
called. Every file is written atomically (temp file + ``os.replace``) and survives any text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grader.classroom.identities import Identity
from grader.i18n import _
from grader.report.gradescope import document
from grader.report.model import Report


class BatchError(Exception):
    """A batch cannot run (no submissions, an unusable output folder); says what to do."""


#: The process's umask, so files made with mkstemp (mode 0600) get the usual permissions.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


#: An entry name used as it is in file names: short, letters and digits of any script
#: (``김민준``), ``.``, ``_`` and ``-``, never ``~``.
_PLAIN = re.compile(r"[^\W_][\w.-]{0,63}")
_NOT_PLAIN = re.compile(r"[^\w.-]+")
#: Bytes a plain name may take in UTF-8 (file systems allow 255 for a whole name).
_PLAIN_BYTES = 160


def file_name(name: str) -> str:
    """The file name of entry ``name``'s record: ``<name>.json`` for a plain name (in NFC,
    as typed), else a plain prefix, ``~`` and a hash of the whole name. No plain name holds
    ``~``, so no two entries share a file."""
    if _PLAIN.fullmatch(name) and unicodedata.is_normalized("NFC", name) \
            and len(name.encode("utf-8", "surrogatepass")) <= _PLAIN_BYTES:
        return f"{name}.json"
    prefix = _NOT_PLAIN.sub("_", name)[:32].lstrip("._-") or "entry"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return f"{prefix}~{digest}.json"


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old file or the new one.
    A lone surrogate, which UTF-8 cannot hold, is written as its escape ``\\uXXXX`` (in
    JSON the very escape that reads back as it; elsewhere visible text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace",
                       newline="") as handle:
            handle.write(text)
        os.chmod(temp, 0o666 & ~_UMASK)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@dataclass
class Record:
    """One submission's outcome. ``digest`` is the fingerprint of what was graded
    (grader.submission.fingerprint); None when it could not be graded at all (load error,
    grader failure): such records are never reused."""

    name: str
    report: Report
    digest: str | None = None
    key: dict[str, Any] | None = None
    identity: Identity = Identity()   # who handed it in, from the platform's export
    text: str = ""                    # the report as grade run prints it ("": not rendered)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "digest": self.digest, "key": self.key,
                "identity": self.identity.to_dict(), "text": self.text,
                "report": self.report.to_dict()}

    def shed(self) -> "Record":
        """This record without its report's tests, notes and output, and without its text:
        what a batch holds of a saved record while it grades (``Store.reload`` reads the
        rest back for the class's files), so that its memory does not grow with the class."""
        report = self.report
        return replace(self, text="", report=Report(
            submission=report.submission, seed=report.seed, oracle=report.oracle,
            status=report.status, lang=report.lang, selected=report.selected))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Record":
        return cls(data["name"], Report.from_dict(data["report"]), data.get("digest"),
                   data.get("key"), Identity.from_dict(data.get("identity")),
                   data.get("text") if isinstance(data.get("text"), str) else "")


def _document(record: Record) -> str:
    """The Gradescope document of ``record``, as ``results/<file>`` holds it."""
    return json.dumps(document(record.report), indent=2, ensure_ascii=False) + "\n"


class Store:
    """The files of one output folder ``OUT``."""

    def __init__(self, out: Path):
        self.out = out
        self.gradebook = out / "gradebook.csv"
        self.html = out / "report.html"
        self.results = out / "results"
        self.state = out / ".state"
        self.batch = self.state / ".batch.json"
        self.rows_file = self.state / ".rows.json"

    def check_writable(self) -> None:
        """Raise BatchError unless the folder and its subfolders can be made and written."""
        for place in (self.out, self.results, self.state):
            try:
                place.mkdir(parents=True, exist_ok=True)
                tempfile.TemporaryFile(dir=place).close()
            except OSError as error:
                raise BatchError(_("cannot write the results to {path}: {reason}; choose an "
                                   "output folder you can write to (-o)").format(
                    path=place, reason=error.strerror or error)) from None

    def load(self, name: str) -> Record | None:
        """The saved record of ``name``, if any (an unreadable one counts as none)."""
        try:
            text = (self.state / file_name(name)).read_text(encoding="utf-8")
            record = Record.from_dict(json.loads(text))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        return record if record.name == name else None

    def reload(self, records: list[Record]) -> list[Record]:
        """The saved records of ``records`` (shed ones among them), read back whole;
        BatchError if one cannot be read."""
        whole = []
        for record in records:
            saved = self.load(record.name)
            if saved is None:
                raise BatchError(_("cannot read back the record of {name} in {path}; run the "
                                   "batch again: what is saved is kept").format(
                    name=record.name, path=self.state))
            whole.append(saved)
        return whole

    def save(self, record: Record) -> None:
        """Write the record's Gradescope document, then the record: the record is what a
        rerun trusts, so a crash between the two leaves an old (or no) record, and a rerun
        that keeps it writes its document again (``repair``)."""
        write_atomic(self.results / file_name(record.name), _document(record))
        write_atomic(self.state / file_name(record.name),
                     json.dumps(record.to_dict(), ensure_ascii=False))

    def repair(self, record: Record) -> None:
        """Make a record that is kept say what it says (the export names someone else); its
        results document is written again by grader.classroom.feedback when missing or
        not the one last written."""
        if self.load(record.name) != record:
            write_atomic(self.state / file_name(record.name),
                         json.dumps(record.to_dict(), ensure_ascii=False))

    def save_rows(self, records: list[Record]) -> None:
        """Remember whose rows the gradebook holds (its cells are neutralised, not names)."""
        write_atomic(self.rows_file, json.dumps(sorted(r.name for r in records),
                                                ensure_ascii=False))

    def rows(self) -> list[str] | None:
        """The names of the gradebook's rows, None if not known."""
        try:
            names = json.loads(self.rows_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return names if type(names) is list and all(type(n) is str for n in names) else None

    def seed(self) -> int | None:
        """The seed this folder was graded with last time."""
        try:
            return int(self._batch()["seed"])
        except (KeyError, TypeError, ValueError):
            return None

    def key(self) -> dict[str, Any] | None:
        """The seed and options (``batch.options_key``) this folder was graded with last time."""
        key = self._batch().get("key")
        return key if isinstance(key, dict) else None

    def save_key(self, key: dict[str, Any], finished: bool = False) -> None:
        """Remember the seed and options of the batch (or merge) writing this folder, and
        whether it finished (a batch stopped half-way is not: ``grade merge`` refuses it)."""
        write_atomic(self.batch, json.dumps({"seed": key["seed"], "key": key,
                                             "finished": finished}, ensure_ascii=False))

    def finished(self) -> bool:
        """Whether the last batch (or merge) writing this folder finished."""
        return self._batch().get("finished") is True

    def is_batch_output(self) -> bool:
        """Whether a batch or merge wrote this folder."""
        return self.batch.is_file()

    def _batch(self) -> dict[str, Any]:
        """``.batch.json`` as a dict (empty when missing or unreadable)."""
        try:
            data = json.loads(self.batch.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
