"""Who handed in each entry: the identities the platforms' exports carry.

- Gradescope's "Export Submissions" folder holds ``submission_metadata.yml`` beside one
  ``submission_<id>/`` folder per submission. The YAML maps each folder's name to its
  ``:submitters:`` (``:name:``, ``:email:``, ``:sid:`` the student ID; several for a group submission),
  next to ``:created_at:``, ``:score:``, ``:history:`` and the like, which are not read here.
- GitHub Classroom gives one repository per student, named ``<assignment>-<login>``
  (``gh classroom clone student-repos`` puts them in ``<assignment>-submissions/``; the
  Classroom Assistant in a folder of any name). The folders are taken as such when the parent
  is named ``<assignment>-submissions``, or when they are git repositories that all share a
  ``<assignment>-`` prefix. A ``classroom_roster.csv`` beside them (Classroom's roster
  download: ``identifier``, ``github_username``, ``name``) adds the student's name.

Anything else has no identity (empty columns). The files are read bounded and never
executed; the values are the platforms' (and students') text, neutralised where shown.
"""

from __future__ import annotations

import csv
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

GRADESCOPE_METADATA = "submission_metadata.yml"
CLASSROOM_ROSTER = "classroom_roster.csv"
#: Files of an export that are no submission (never warned about as skipped entries).
EXPORT_FILES = (GRADESCOPE_METADATA, CLASSROOM_ROSTER)
MAX_FILE_BYTES = 32 * 1024**2
#: Characters kept of one value (a name, an email).
MAX_CHARS = 200
#: The gradebook's identity columns.
FIELDS = ("student", "email", "login", "sid")


@dataclass(frozen=True)
class Identity:
    """The student (or group) behind one entry; "" where the export does not say."""

    student: str = ""
    email: str = ""
    login: str = ""               # GitHub login
    sid: str = ""                 # Gradescope's student ID

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> "Identity":
        if not isinstance(data, dict):
            return cls()
        return cls(**{k: _text(data.get(k)) for k in FIELDS})


def identities(folder: Path, names: list[str]) -> dict[str, Identity]:
    """The identity of each entry of ``folder`` (by its file name) that an export names."""
    if (folder / GRADESCOPE_METADATA).is_file():
        return gradescope(folder / GRADESCOPE_METADATA, names)
    return classroom(folder, names)


def gradescope(metadata: Path, names: list[str]) -> dict[str, Identity]:
    """Identities from Gradescope's ``submission_metadata.yml`` (an unreadable one: none)."""
    data = _yaml(metadata)
    found = {}
    for name in names:
        entry = data.get(name) if isinstance(data, dict) else None
        submitters = entry.get(":submitters") if isinstance(entry, dict) else None
        if not isinstance(submitters, list):
            continue
        people = [s for s in submitters if isinstance(s, dict)]
        found[name] = Identity(
            student=_joined(s.get(":name") for s in people),
            email=_joined(s.get(":email") for s in people),
            sid=_joined(s.get(":sid") for s in people))
    return found


def classroom(folder: Path, names: list[str]) -> dict[str, Identity]:
    """Identities of GitHub Classroom repositories ``<assignment>-<login>`` (else none)."""
    assignment = _assignment(folder, names)
    if not assignment:
        return {}
    roster = _roster(folder / CLASSROOM_ROSTER)
    found = {}
    for name in names:
        login = name[len(assignment) + 1:] if name.startswith(assignment + "-") else ""
        if login:
            found[name] = Identity(student=roster.get(login.lower(), ""), login=_text(login))
    return found


def _assignment(folder: Path, names: list[str]) -> str:
    """The assignment prefix of Classroom repositories, "" if these are none."""
    parent = folder.resolve().name
    if parent.endswith("-submissions") and len(parent) > len("-submissions"):
        prefix = parent[: -len("-submissions")]
        if any(n.startswith(prefix + "-") for n in names):
            return prefix
    repositories = [n for n in names if (folder / n / ".git").exists()]
    if len(repositories) < 2 or len(repositories) != len(names):
        return ""
    common = os.path.commonprefix(repositories)
    return common[: common.rfind("-")] if "-" in common else ""


def _roster(path: Path) -> dict[str, str]:
    """GitHub username (lower case) -> the roster's name, else identifier."""
    text = _read(path)
    if not text:
        return {}
    roster = {}
    for row in csv.DictReader(text.splitlines()):
        login = _text(row.get("github_username")).lower()
        if login:
            roster[login] = _text(row.get("name")) or _text(row.get("identifier"))
    return roster


def _yaml(path: Path) -> Any:
    """The YAML document at ``path``; tags of other languages (``!ruby/...``) read as plain
    values; None when it cannot be read."""
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader that reads unknown tags as the plain node they tag."""

    def untagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", untagged)
    text = _read(path)
    try:
        return yaml.load(text, Loader=Loader) if text else None
    except yaml.YAMLError:
        return None


def _read(path: Path) -> str:
    """A regular file's text, "" if missing, not regular or larger than ``MAX_FILE_BYTES``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not (stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES):
            return ""
        return handle.read(MAX_FILE_BYTES).decode("utf-8", errors="replace")


def _text(value: Any) -> str:
    """A value as one bounded line of text."""
    if value is None:
        return ""
    return " ".join(str(value).split())[:MAX_CHARS]


def _joined(values: Any) -> str:
    return "; ".join(t for t in map(_text, values) if t)
