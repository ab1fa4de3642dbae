"""A Gradescope submission's seed, derived from the submission, so a regrade draws the same
inputs and gives the same score.

Gradescope writes ``submission_metadata.json`` beside the submission, with the submission's
``id`` (kept by "Regrade all submissions", new for every upload). The seed is a hash of that
id; where the file is missing or holds no id, a hash of the submission's content (what a
child loads: every unit's name and source, read through ``grader.submission.files``). The
metadata is Gradescope's, not the student's, but it is still read bounded and as data only.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from grader.submission import Submission

#: Seeds are below this (as ``grader.grading.new_seed`` draws them).
SEEDS = 2**31
#: The metadata file is read up to this many bytes (Gradescope's is a few kilobytes).
MAX_METADATA_BYTES = 1 << 20


def submission_id(metadata: Path) -> str | None:
    """The ``id`` in Gradescope's ``submission_metadata.json``, or None if there is none."""
    try:
        with open(metadata, "rb") as handle:
            data = json.loads(handle.read(MAX_METADATA_BYTES + 1)[:MAX_METADATA_BYTES])
    except (OSError, ValueError):
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return None if value is None or isinstance(value, (dict, list)) or value == "" \
        else str(value)


def seed_of(metadata: Path, submission: Submission) -> int:
    """The seed of ``submission``: from the id in ``metadata``, else from its content."""
    identity = submission_id(metadata)
    digest = hashlib.sha256()
    if identity is not None:
        digest.update(b"gradescope-id\0" + identity.encode("utf-8", "backslashreplace"))
    else:
        digest.update(b"content\0")
        for unit in (*submission.units, *submission.helpers):
            for part in (unit.kind, unit.name, unit.source):
                data = part.encode("utf-8", "backslashreplace")
                digest.update(len(data).to_bytes(8, "big") + data)
    return int.from_bytes(digest.digest()[:8], "big") % SEEDS
