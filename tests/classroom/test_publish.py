"""``grade publish``: each student's feedback committed as FEEDBACK.md into their real git
clone, nothing else committed, nothing pushed, a student's link never followed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.cli import main
from tests.classroom.test_deadline import CORRECT, WRONG, commit, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def course(tmp_path) -> tuple[Path, Path, Path]:
    """Two clones of a bare remote (one with a FEEDBACK.md link), graded by grade batch."""
    clones = tmp_path / "hw1-submissions"
    remote = tmp_path / "remote.git"
    remote.mkdir()
    git(remote, "init", "-q", "--bare")
    commit(clones / "hw1-alice", CORRECT, "2026-11-30T20:00:00+09:00")
    commit(clones / "hw1-bob", WRONG, "2026-11-30T20:00:00+09:00")
    victim = tmp_path / "victim.txt"
    victim.write_text("instructor's file\n")
    (clones / "hw1-bob" / "FEEDBACK.md").symlink_to(victim)
    git(clones / "hw1-bob", "add", "FEEDBACK.md")
    git(clones / "hw1-bob", "commit", "-q", "-m", "a link", date="2026-11-30T21:00:00+09:00")
    for name in ("hw1-alice", "hw1-bob"):
        git(clones / name, "remote", "add", "origin", str(remote))
        git(clones / name, "push", "-q", "origin", f"HEAD:refs/heads/{name}")
    (clones / "hw1-alice" / "notes.txt").write_text("not for the grader\n")
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(clones), "-o", str(out), "--only", "activations", "--seed", "3",
              "--jobs", "1", "--lang", "ko"])
    assert exit_info.value.code == 0
    return clones, out, remote


def publish(capsys, out: Path, clones: Path) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["publish", str(out), "--clones", str(clones)])
    return exit_info.value.code, capsys.readouterr().err


def test_feedback_is_committed_into_each_clone(course, capsys):
    clones, out, remote = course
    before = {name: git(clones / name, "rev-parse", "HEAD") for name in ("hw1-alice", "hw1-bob")}
    code, err = publish(capsys, out, clones)
    assert code == 0 and "2 " in err, err
    for name in ("hw1-alice", "hw1-bob"):
        repo = clones / name
        assert git(repo, "rev-parse", "HEAD~1") == before[name]
        assert git(repo, "show", "--name-only", "--format=", "HEAD") == "FEEDBACK.md"
        committed = git(repo, "show", "HEAD:FEEDBACK.md")
        assert committed == (out / "feedback" / f"{name}.md").read_text(encoding="utf-8").strip()
        assert "최종 점수" in committed          # in the batch's language (--lang ko)
        # nothing pushed: the remote still has the student's commit
        assert git(remote, "rev-parse", f"refs/heads/{name}") == before[name]
    assert git(clones / "hw1-alice", "status", "--porcelain") == "?? notes.txt"


def test_a_students_link_is_replaced_never_followed(course, capsys):
    clones, out, _remote = course
    publish(capsys, out, clones)
    assert (clones.parent / "victim.txt").read_text() == "instructor's file\n"
    assert not (clones / "hw1-bob" / "FEEDBACK.md").is_symlink()


def test_publishing_again_changes_nothing(course, capsys):
    clones, out, _remote = course
    publish(capsys, out, clones)
    head = git(clones / "hw1-alice", "rev-parse", "HEAD")
    code, err = publish(capsys, out, clones)
    assert code == 0 and git(clones / "hw1-alice", "rev-parse", "HEAD") == head
    assert "2 already" in err or "0 clones" in err


def test_a_folder_without_clones_is_said(course, tmp_path, capsys):
    _clones, out, _remote = course
    empty = tmp_path / "empty"
    empty.mkdir()
    code, err = publish(capsys, out, empty)
    assert code == 2 and err.count("not published") == 2 and "Traceback" not in err
