"""``grade batch`` refuses, in one line and exit 2 and before grading anything, an output
folder it cannot use and a folder without submissions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.cli import main

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"


def batch(capsys, *args: object) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", *map(str, args), "--seed", "1"])
    err = capsys.readouterr().err
    return exit_info.value.code, err


@pytest.fixture
def klass(tmp_path) -> Path:
    folder = tmp_path / "class"
    (folder / "alice").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "activations.py", folder / "alice" / "activations.py")
    return folder


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grade: error: "), err
    return lines[0]


@pytest.mark.parametrize("where, says", [
    (lambda tmp, klass: tmp / "a-file" / "out", "cannot write the results to"),
    (lambda tmp, klass: Path("/proc/dlgrade-out"), "cannot write the results to"),
    (lambda tmp, klass: klass, "the submissions folder itself"),
    (lambda tmp, klass: klass / "alice" / "out", "inside the submission alice"),
])
def test_an_unusable_output_folder_is_one_line_and_exit_2(capsys, tmp_path, klass, where,
                                                           says):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    out = where(tmp_path, klass)
    code, err = batch(capsys, klass, "-o", out)
    assert code == 2 and says in one_line(err)
    assert not (klass / "alice" / "out").exists()


def test_an_unwritable_output_folder_is_one_line_and_exit_2(capsys, tmp_path, klass,
                                                            monkeypatch):
    """As a user without write permission sees it (root ignores the mode bits)."""
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    code, err = batch(capsys, klass, "-o", tmp_path / "out")
    assert code == 2 and "Permission denied" in one_line(err)


def test_a_folder_without_submissions_says_so(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("", encoding="utf-8")
    code, err = batch(capsys, empty, "-o", tmp_path / "out")
    assert code == 2 and "holds no submissions" in one_line(err.replace(
        "grade: warning: skipped notes.txt: not a folder, .py, .ipynb or .zip\n", ""))
    assert not (tmp_path / "out").exists()


def test_merge_into_an_unusable_folder_is_one_line_and_exit_2(capsys, tmp_path, klass):
    code, err = batch(capsys, klass, "-o", tmp_path / "shard")
    assert code == 0, err
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["merge", str(tmp_path / "shard"), "-o", str(tmp_path / "a-file" / "out")])
    assert exit_info.value.code == 2
    assert "cannot write the results to" in one_line(capsys.readouterr().err)
