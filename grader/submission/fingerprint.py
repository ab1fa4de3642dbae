"""The fingerprint of a loaded submission: sha256 of exactly what a grading run reads.

A batch row is the grade of the bytes graded, so the fingerprint is taken from the
``Submission`` that is graded (its units, helpers, refused entries and notes), once, in the
process that grades it, never from the files on disk before or after (a submission that
changes between the two would keep a grade for content that was never graded). Where the
submission lives (the operator's path, an archive's temporary folder) is not part of it.
"""

from __future__ import annotations

import hashlib

from grader.submission.load import Submission, Unit


def fingerprint(submission: Submission) -> str:
    """sha256 (hex) of what grading ``submission`` reads; linear in its size."""
    sha = hashlib.sha256()
    places = {str(submission.root), str(submission.path)}

    def add(*parts: str) -> None:
        for part in parts:
            data = part.encode("utf-8", "surrogatepass")
            sha.update(f"{len(data)}:".encode())
            sha.update(data)

    def add_unit(unit: Unit) -> None:
        add(unit.name, unit.kind, unit.module or "", unit.source)

    add(submission.kind, str(len(submission.units)))
    for unit in submission.units:
        add_unit(unit)
    add(str(len(submission.helpers)))
    for unit in submission.helpers:
        add_unit(unit)
    add(str(len(submission.refused)))
    for entry, why in submission.refused:
        for place in places:
            why = why.replace(place, "")
        add(entry, why)
    add(str(len(submission.notes)), *submission.notes)
    return sha.hexdigest()
