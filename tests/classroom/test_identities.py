"""Identities from the platforms' exports (Gradescope's Export Submissions, GitHub Classroom
repositories) fill the gradebook's identity columns; ``submission`` stays the entry's name."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from grader.classroom.batch import entries
from grader.classroom.identities import Identity, identities
from grader.cli import main
from tests.classroom.class_fixtures import METADATA

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"


def student(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(SOLUTIONS / "activations.py", folder / "activations.py")
    return folder


@pytest.fixture
def gradescope_export(tmp_path) -> Path:
    export = tmp_path / "assignment_5551234_export"
    student(export / "submission_284190011")
    student(export / "submission_284190012")
    student(export / "submission_284190013")   # not in the metadata: no identity
    (export / "submission_metadata.yml").write_text(METADATA, encoding="utf-8")
    return export


@pytest.fixture
def classroom_repos(tmp_path) -> Path:
    folder = tmp_path / "hw1-backprop-submissions"
    for login in ("octocat", "mona-lisa"):
        (student(folder / f"hw1-backprop-{login}") / ".git").mkdir()
    (folder / "classroom_roster.csv").write_text(
        '"identifier","github_username","github_id","name"\n'
        '"2026123456","octocat","583231","김민준"\n', encoding="utf-8")
    return folder


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def batch(folder: Path, out: Path, capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(folder), "-o", str(out), "--seed", "2", "--jobs", "2"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 0, err
    return err


def test_gradescope_export_fills_the_identity_columns(gradescope_export, tmp_path, capsys):
    err = batch(gradescope_export, tmp_path / "out", capsys)
    assert "submission_metadata.yml" not in err       # no "skipped" warning for it
    book = gradebook(tmp_path / "out")
    assert list(book) == ["submission_284190011", "submission_284190012",
                          "submission_284190013"]
    first, group, unknown = book.values()
    assert (first["student"], first["email"], first["sid"], first["login"]) == (
        "김민준", "minjun.kim@example.ac.kr", "2026123456", "")
    assert group["student"] == "'=HYPERLINK(\"http://evil.example\"); Ada Lovelace"
    assert group["email"] == "grace@example.edu; ada@example.edu"
    assert group["sid"] == "2026000002; 2026000001"
    assert (unknown["student"], unknown["email"]) == ("", "")
    assert float(first["activations.relu"]) > 0
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "김민준 (submission_284190011)" in page


def test_github_classroom_repositories_fill_the_login(classroom_repos, tmp_path, capsys):
    batch(classroom_repos, tmp_path / "out", capsys)
    book = gradebook(tmp_path / "out")
    assert {name: (row["login"], row["student"]) for name, row in book.items()} == {
        "hw1-backprop-octocat": ("octocat", "김민준"),
        "hw1-backprop-mona-lisa": ("mona-lisa", "")}


def test_classroom_repositories_are_recognised_by_git_without_the_folder_name(tmp_path):
    folder = tmp_path / "downloads"
    for login in ("alice", "bob-2"):
        (student(folder / f"lab-3-{login}") / ".git").mkdir()
    assert {e.name: e.identity.login for e in entries(folder)} == {
        "lab-3-alice": "alice", "lab-3-bob-2": "bob-2"}


def test_other_folders_have_no_identity(tmp_path):
    folder = tmp_path / "class"
    student(folder / "alice")
    student(folder / "bob")
    assert identities(folder, ["alice", "bob"]) == {}
    assert all(e.identity == Identity() for e in entries(folder))


def test_a_broken_or_hostile_metadata_file_gives_no_identities(tmp_path):
    folder = tmp_path / "export"
    student(folder / "submission_1")
    metadata = folder / "submission_metadata.yml"
    for text in (":\n  - [", "!!python/object/apply:os.system ['touch pwned']\n",
                 "submission_1: 3\n"):
        metadata.write_text(text, encoding="utf-8")
        assert identities(folder, ["submission_1"]) == {}
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
    metadata.write_text("submission_1:\n  :submitters:\n  - :name: !ruby/string Kim\n"
                        "  :score: !ruby/object:BigDecimal 18:0.5e1\n", encoding="utf-8")
    assert identities(folder, ["submission_1"])["submission_1"].student == "Kim"


def test_an_identity_change_is_saved_on_a_rerun(gradescope_export, tmp_path, capsys):
    out = tmp_path / "out"
    batch(gradescope_export, out, capsys)
    metadata = gradescope_export / "submission_metadata.yml"
    metadata.write_text(METADATA.replace("김민준", "김서연"), encoding="utf-8")
    err = batch(gradescope_export, out, capsys)
    assert "0 graded now, 3 unchanged" in err
    assert gradebook(out)["submission_284190011"]["student"] == "김서연"
