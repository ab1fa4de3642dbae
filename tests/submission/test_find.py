"""A submission is found wherever a student could reasonably have put it (grader/submission/
load.py's ``_elsewhere``): one top-level folder, exercises/ or notebooks/ below it, a .zip
among the files; with the same bounds and refusals as anywhere else."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.submission import LoadError, Refused, load
from grader.submission.load import MAX_DEPTH

RELU = "def relu(x):\n    return x\n"
MSE = "def mse(y, y_hat):\n    return 0.0\n"


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def notebook(path: Path, source: str) -> Path:
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(source)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(book, str(path))
    return path


def modules(submission) -> list[str]:
    return [unit.module for unit in submission.units if unit.kind == "module"]


def test_one_top_level_folder_as_gradescope_unpacks_a_zipped_folder(tmp_path):
    write(tmp_path / "sub" / "heidi" / "activations.py", RELU)
    write(tmp_path / "sub" / "heidi" / "losses.py", MSE)
    (tmp_path / "sub" / "__MACOSX").mkdir()
    write(tmp_path / "sub" / ".DS_Store", "x")
    submission = load(tmp_path / "sub")
    assert modules(submission) == ["activations", "losses"]
    assert submission.name == "sub"


def test_a_repository_with_exercises_one_level_down(tmp_path):
    write(tmp_path / "sub" / "hw1-victor" / "exercises" / "losses.py", MSE)
    write(tmp_path / "sub" / "hw1-victor" / "README.md", "# hw1")
    write(tmp_path / "sub" / "hw1-victor" / ".git" / "HEAD", "ref")
    assert modules(load(tmp_path / "sub")) == ["losses"]


def test_a_zip_among_the_files_and_a_zip_of_a_folder(tmp_path):
    write(tmp_path / "sub" / "hw1.zip", zipped({"hw1/activations.py": RELU}))
    write(tmp_path / "sub" / "notes.txt", "my answers")
    submission = load(tmp_path / "sub")
    assert modules(submission) == ["activations"] and submission.name == "sub"


def test_notebooks_below_the_top(tmp_path):
    notebook(tmp_path / "sub" / "repo" / "notebooks" / "activations.ipynb", RELU)
    submission = load(tmp_path / "sub")
    assert submission.kind == "notebook" and "def relu" in submission.units[0].source


def test_a_zip_inside_a_zip_is_refused_in_one_line(tmp_path):
    inner = zipped({"activations.py": RELU})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner.zip", inner)
    write(tmp_path / "outer.zip", buffer.getvalue())
    with pytest.raises(LoadError, match="inside a .zip") as error:
        load(tmp_path / "outer.zip")
    assert "\n" not in str(error.value)


def test_folders_are_descended_a_bounded_number_of_levels(tmp_path):
    deep = tmp_path / "sub"
    for level in range(MAX_DEPTH + 1):
        deep = deep / f"level{level}"
    write(deep / "activations.py", RELU)
    with pytest.raises(LoadError, match="no exercise modules"):
        load(tmp_path / "sub")
    shallow = tmp_path / "ok" / "a" / "b" / "c"
    write(shallow / "activations.py", RELU)
    assert modules(load(tmp_path / "ok")) == ["activations"]


def test_two_candidates_are_not_guessed_between(tmp_path):
    write(tmp_path / "sub" / "alice" / "activations.py", RELU)
    write(tmp_path / "sub" / "bob" / "activations.py", RELU)
    with pytest.raises(LoadError, match="no exercise modules"):
        load(tmp_path / "sub")


def test_a_link_as_the_only_folder_is_refused_as_before(tmp_path):
    write(tmp_path / "elsewhere" / "activations.py", RELU)
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "sub" / "heidi")
    with pytest.raises(LoadError):
        load(tmp_path / "sub")


def test_a_link_inside_the_found_folder_is_refused_as_anywhere(tmp_path):
    write(tmp_path / "secret.py", MSE)
    write(tmp_path / "sub" / "heidi" / "activations.py", RELU)
    os.symlink(tmp_path / "secret.py", tmp_path / "sub" / "heidi" / "losses.py")
    submission = load(tmp_path / "sub")
    assert modules(submission) == ["activations"]
    assert any("symbolic link" in why for _entry, why in submission.refused)


def test_a_large_file_in_the_found_folder_is_refused_as_anywhere(tmp_path):
    write(tmp_path / "sub" / "heidi" / "activations.py", "#" * (2 << 20))
    with pytest.raises(Refused, match="larger than"):
        load(tmp_path / "sub")


def test_a_package_marker_alone_is_not_a_submission(tmp_path):
    """A repository whose exercises/ holds only __init__.py (the student deleted the stubs)."""
    write(tmp_path / "repo" / "exercises" / "__init__.py", "")
    write(tmp_path / "repo" / "README.md", "# hw1")
    with pytest.raises(LoadError, match="no exercise modules"):
        load(tmp_path / "repo")
