"""The fingerprint of a loaded submission: what grading reads, nothing else."""

from __future__ import annotations

import zipfile
from pathlib import Path

from grader.submission import load
from grader.submission.fingerprint import fingerprint
from tests.bounded import MEGABYTE, bounded


def test_the_fingerprint_follows_what_grading_reads(tmp_path: Path) -> None:
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "losses.py").write_text("def mse(y, y_hat): ...\n", encoding="utf-8")
    (folder / "helpers.py").write_text("SCALE = 1\n", encoding="utf-8")
    seen = {fingerprint(load(folder))}
    for name, text in [("helpers.py", "SCALE = 2\n"), ("losses.py", "def mse(y, y_hat): 1\n"),
                       ("extra.py", "")]:
        (folder / name).write_text(text, encoding="utf-8")
        seen.add(fingerprint(load(folder)))
    assert len(seen) == 4
    assert fingerprint(load(folder)) == fingerprint(load(folder))
    (folder / "notes.txt").write_text("never read", encoding="utf-8")
    assert fingerprint(load(folder)) in seen       # not read for grading: not in it


def test_where_a_submission_lives_is_not_part_of_it(tmp_path: Path) -> None:
    for place in ("a", "b"):
        (tmp_path / place / "bob").mkdir(parents=True)
        (tmp_path / place / "bob" / "losses.py").write_text("x = 1\n", encoding="utf-8")
        (tmp_path / place / "bob" / "mlp.py").symlink_to("/etc/passwd")   # refused, by path
        with zipfile.ZipFile(tmp_path / place / "bob.zip", "w") as archive:
            archive.writestr("bob/losses.py", "x = 1\n")
    assert fingerprint(load(tmp_path / "a" / "bob")) == fingerprint(load(tmp_path / "b" / "bob"))
    assert fingerprint(load(tmp_path / "a" / "bob.zip")) \
        == fingerprint(load(tmp_path / "b" / "bob.zip"))


def test_a_megabyte_submission_is_fingerprinted(tmp_path: Path) -> None:
    """The fingerprint is one pass over what was loaded (the rule for every parent-side pass:
    a case of 1 MB of its worst input)."""
    (tmp_path / "losses.py").write_text("\n" * MEGABYTE, encoding="utf-8")
    assert len(bounded(fingerprint, load(tmp_path / "losses.py"))) == 64
