"""``grade batch --deadline`` over real git repositories (GitHub Classroom clones): each is
graded at its last commit dated before its deadline, read from git without touching the
clone; extensions, a commits file that overrides forged dates, and the late penalty."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from grader.classroom import deadline
from grader.classroom.assignment import points_of
from grader.cli import main
from grader.contract import MODULES

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
ACTIVATIONS = tuple(f"activations.{f}" for f in MODULES["activations"])
TOTAL = points_of(ACTIVATIONS)
CORRECT = (SOLUTIONS / "activations.py").read_text(encoding="utf-8")
WRONG = CORRECT + "\n\ndef relu(x):\n    return abs(x)\n"
DEADLINE = "2026-11-30T23:59:00+09:00"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", "-c", "user.name=Student", "-c", "user.email=s@example.edu",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main",
                           *args], cwd=repo, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def commit(repo: Path, source: str, date: str) -> str:
    """Commit ``source`` as activations.py, dated ``date`` (the student's claim)."""
    if not repo.exists():
        repo.mkdir(parents=True)
        git(repo, "init", "-q")
    (repo / "activations.py").write_text(source, encoding="utf-8")
    git(repo, "add", "activations.py")
    git(repo, "commit", "-q", "-m", f"work of {date}", date=date)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def clones(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """``hw1-submissions``: four Classroom clones with commits around the deadline."""
    folder = tmp_path_factory.mktemp("clones") / "hw1-submissions"
    shas = {
        # right before the deadline, then a broken commit after it
        "alice": [commit(folder / "hw1-alice", CORRECT, "2026-11-30T20:00:00+09:00"),
                  commit(folder / "hw1-alice", WRONG, "2026-12-01T10:00:00+09:00")],
        # wrong on time, right two days later: inside an extension to 2026-12-03
        "bob": [commit(folder / "hw1-bob", WRONG, "2026-11-29T12:00:00+09:00"),
                commit(folder / "hw1-bob", CORRECT, "2026-12-02T12:00:00+09:00")],
        # wrong on time, then a right commit that claims the year 2099
        "carol": [commit(folder / "hw1-carol", WRONG, "2026-11-28T12:00:00+09:00"),
                  commit(folder / "hw1-carol", CORRECT, "2099-01-01T00:00:00+09:00")],
        # only after the deadline: 2 days and 1 hour late, so 3 started days
        "dave": [commit(folder / "hw1-dave", CORRECT, "2026-12-03T00:59:00+09:00")],
    }
    (folder / "hw1-alice" / "activations.py").write_text("uncommitted edits\n")
    return folder, shas


def batch(capsys, folder: Path, out: Path, *extra: object) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(folder), "-o", str(out), "--only", "activations", "--seed", "8",
              "--jobs", "2", "--deadline", DEADLINE, *map(str, extra)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 0, err
    return err


def book(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["login"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def extensions(clones) -> Path:
    path = clones[0].parent / "extensions.csv"
    path.write_text("student,deadline\nbob,2026-12-03T23:59:00+09:00\n", encoding="utf-8")
    return path


def test_each_clone_is_graded_at_its_last_commit_before_its_deadline(
        clones, extensions, tmp_path, capsys):
    folder, shas = clones
    batch(capsys, folder, tmp_path / "out", "--extensions", extensions)
    rows = book(tmp_path / "out")
    assert rows["alice"]["commit"] == shas["alice"][0]
    assert float(rows["alice"]["score"]) == TOTAL           # the broken commit came later
    assert rows["alice"]["committed_at"].startswith("2026-11-30T11:00:00")   # in UTC
    assert rows["bob"]["commit"] == shas["bob"][1]           # his own deadline is later
    assert float(rows["bob"]["final"]) == TOTAL
    assert rows["carol"]["commit"] == shas["carol"][0]       # 2099 is after the deadline
    assert float(rows["carol"]["score"]) == TOTAL - 2
    assert rows["dave"]["status"].startswith("error")
    assert "no commit is dated before the deadline" in rows["dave"]["status"]
    assert rows["alice"]["late_days"] == "0" and rows["alice"]["penalty"] == ""


def test_the_clones_are_not_touched(clones, extensions, tmp_path, capsys):
    folder, shas = clones
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")
              if p.is_file()}
    batch(capsys, folder, tmp_path / "out", "--extensions", extensions)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")
             if p.is_file()}
    assert after == before
    assert (folder / "hw1-alice" / "activations.py").read_text() == "uncommitted edits\n"


def test_a_commits_file_overrides_the_dates_students_claim(clones, tmp_path, capsys):
    folder, shas = clones
    commits = tmp_path / "commits.csv"
    commits.write_text("student_repository_name,commit,pushed_at\n"
                       f"hw1-carol,{shas['carol'][1]},2026-11-30T14:00:00Z\n"
                       f"hw1-alice,{shas['alice'][1][:10]},\n", encoding="utf-8")
    batch(capsys, folder, tmp_path / "out", "--commits", commits)
    rows = book(tmp_path / "out")
    assert rows["carol"]["commit"] == shas["carol"][1]
    assert float(rows["carol"]["score"]) == TOTAL
    assert rows["carol"]["committed_at"].startswith("2026-11-30T14:00:00")
    assert rows["carol"]["late_days"] == "0"
    assert rows["alice"]["commit"] == shas["alice"][1]       # as recorded, though late
    assert float(rows["alice"]["score"]) == TOTAL - 2


def test_the_late_penalty_is_per_started_day_with_a_cap(clones, tmp_path, capsys):
    folder, shas = clones
    batch(capsys, folder, tmp_path / "out", "--late-penalty", "10,50")
    rows = book(tmp_path / "out")
    dave = rows["dave"]
    assert dave["commit"] == shas["dave"][0] and dave["late_days"] == "3"
    assert float(dave["penalty"]) == pytest.approx(0.3 * TOTAL)
    assert float(dave["final"]) == pytest.approx(0.7 * TOTAL)
    carol = rows["carol"]                                     # the forged 2099 date: capped
    assert carol["commit"] == shas["carol"][1]
    assert float(carol["penalty"]) == pytest.approx(0.5 * TOTAL)
    alice = rows["alice"]                                     # her newest commit, 1 day late
    assert alice["commit"] == shas["alice"][1] and alice["late_days"] == "1"
    assert float(alice["final"]) == pytest.approx(TOTAL - 2 - 0.1 * TOTAL)
    feedback = (tmp_path / "out" / "feedback" / "hw1-dave.md").read_text(encoding="utf-8")
    assert "3 days late" in feedback and shas["dave"][0][:12] in feedback


@pytest.mark.parametrize("args, says", [
    (["--deadline", "2026-11-30 23:59"], "ISO-8601 time with its offset"),
    (["--deadline", "tomorrow"], "ISO-8601"),
    (["--late-penalty", "10"], "need --deadline"),
    (["--deadline", DEADLINE, "--late-penalty", "200"], "PER_DAY[,CAP]"),
])
def test_bad_deadline_options_are_one_line(clones, tmp_path, capsys, args, says):
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(clones[0]), "-o", str(tmp_path / "out"), *args])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and says in err and len(err.strip().splitlines()) == 1


def test_export_refuses_a_commit_larger_than_the_bound(clones, tmp_path, monkeypatch):
    folder, shas = clones
    monkeypatch.setattr(deadline, "MAX_TREE_BYTES", 1024)
    with pytest.raises(deadline.DeadlineError, match="more than"):
        deadline.export(folder / "hw1-alice", shas["alice"][0], tmp_path / "tree")
