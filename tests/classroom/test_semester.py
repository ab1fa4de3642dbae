"""One assignment of a semester through ``grade batch``: ``--only`` grades just its
functions (scores out of their points), ``--adjustments`` survive reruns and merges, the
gradebook opens in Excel (UTF-8 with a byte-order mark) and feedback goes back per student."""

from __future__ import annotations

import codecs
import csv
import json
import shutil
from pathlib import Path

import pytest

from grader.classroom.assignment import points_of
from grader.cli import main
from grader.contract import MODULES

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
SEED = 4
ACTIVATIONS = tuple(f"activations.{f}" for f in MODULES["activations"])
WRONG_RELU = "import numpy as np\n\ndef relu(x):\n    return np.abs(x)\n"


def grade(*args: object) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main([*map(str, args)])
    return exit_info.value.code, ""


def run(capsys, *args: object) -> tuple[int, str]:
    code, _ = grade(*args)
    return code, capsys.readouterr().err


def book(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def week1(tmp_path_factory) -> Path:
    """Three students: all correct, a wrong relu, a file that does not load."""
    folder = tmp_path_factory.mktemp("week1") / "submissions"
    (folder / "김민준").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "activations.py", folder / "김민준" / "activations.py")
    (folder / "bob.py").write_text(
        (SOLUTIONS / "activations.py").read_text(encoding="utf-8") + "\n\n" + WRONG_RELU,
        encoding="utf-8")
    (folder / "carol.py").write_text("def relu(x)\n    return x\n", encoding="utf-8")
    return folder


ADJUSTMENTS = ("student,target,points,reason\n"
               "carol.py,total,+10,graded by hand: a missing colon\n"
               "김민준,activations.relu,-5,integrity\n"
               "bob.py,total,-1.5,late slip\n")


@pytest.fixture(scope="module")
def graded(week1, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "out"
    adjustments = out.parent / "adjustments.csv"
    adjustments.write_text(ADJUSTMENTS, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(week1), "-o", str(out), "--only", "activations", "--seed",
              str(SEED), "--jobs", "1", "--adjustments", str(adjustments)])
    assert exit_info.value.code == 0
    return out


def test_only_grades_the_selection_out_of_its_points(graded):
    rows = book(graded)
    total = points_of(ACTIVATIONS)
    header = list(next(iter(rows.values())))
    assert [c for c in header if "." in c] == list(ACTIVATIONS)   # no other function column
    assert all(float(r["max_score"]) == total for r in rows.values())
    assert float(rows["김민준"]["score"]) == total
    assert float(rows["bob.py"]["score"]) == total - 2    # relu's 2 points lost
    results = json.loads((graded / "results" / "bob.py.json").read_text(encoding="utf-8"))
    assert {t["name"].split(":")[0] for t in results["tests"]} == set(ACTIVATIONS)
    assert results["extra_data"]["selected"] == ["activations"]
    report = (graded / "report.html").read_text(encoding="utf-8")
    assert "activations (23 points)" in report or f"activations ({total:g} " in report


def test_each_failing_test_carries_its_diagnosis_in_the_result(graded):
    results = json.loads((graded / "results" / "bob.py.json").read_text(encoding="utf-8"))
    failing = [t for t in results["tests"] if t["status"] == "failed"]
    assert failing and all(t["name"].startswith("activations.relu") for t in failing)
    assert all(t["extra_data"]["diagnosis"] for t in failing)
    assert all("extra_data" not in t for t in results["tests"] if t["status"] == "passed")


def test_an_ungradable_entry_is_out_of_the_selection_too(graded):
    carol = book(graded)["carol.py"]
    assert carol["status"] == "graded" or carol["status"].startswith("error")
    assert float(carol["max_score"]) == points_of(ACTIVATIONS)


def test_adjustments_in_the_gradebook_results_and_feedback(graded):
    rows = book(graded)
    total = points_of(ACTIVATIONS)
    # a function's adjustment keeps it within 0 and its points: relu has 2, so -5 is -2
    minjun = rows["김민준"]
    assert (minjun["adjustments"], minjun["final"]) == ("-2", f"{total - 2:g}")
    assert rows["bob.py"]["adjustments"] == "-1.5"
    assert float(rows["bob.py"]["final"]) == total - 2 - 1.5
    assert float(rows["carol.py"]["final"]) == float(rows["carol.py"]["score"]) + 10
    korean = next((graded / "results").glob("*.json"))
    assert korean.exists()
    data = json.loads((graded / "results" / "bob.py.json").read_text(encoding="utf-8"))
    assert data["score"] == total - 3.5
    assert data["extra_data"]["adjustments"] == [
        {"target": "total", "points": -1.5, "reason": "late slip"}]
    feedback = (graded / "feedback" / "bob.py.md").read_text(encoding="utf-8")
    assert "late slip" in feedback and f"{total - 3.5:g} / {total:g}" in feedback
    assert "activations.relu" in feedback
    html = (graded / "feedback" / "bob.py.html").read_text(encoding="utf-8")
    assert "late slip" in html and "<script" not in html


def test_the_gradebook_opens_in_excel_with_hangul(graded):
    raw = (graded / "gradebook.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert "김민준".encode("utf-8") in raw


def test_hangul_entries_get_readable_file_names(graded):
    assert (graded / "results" / "김민준.json").is_file()
    assert (graded / "feedback" / "김민준.md").is_file()


def test_adjustments_survive_a_rerun_without_the_option(graded, week1, capsys):
    code, err = run(capsys, "batch", week1, "-o", graded, "--only", "activations", "--seed",
                    SEED, "--jobs", "1")
    assert code == 0, err
    assert "3 unchanged" in err or "unchanged" in err
    assert book(graded)["bob.py"]["adjustments"] == "-1.5"


def test_a_merge_keeps_the_adjustments(graded, tmp_path, capsys):
    code, err = run(capsys, "merge", graded, "-o", tmp_path / "merged")
    assert code == 0, err
    merged = book(tmp_path / "merged")
    assert merged["bob.py"]["adjustments"] == "-1.5"
    assert merged["carol.py"]["final"] == book(graded)["carol.py"]["final"]


@pytest.mark.parametrize("row, says", [
    ("nobody,total,1,typo", "no submission is nobody"),
    ("bob.py,activations.nope,1,x", "unknown target activations.nope"),
    ("bob.py,losses.mse,1,not graded this week", "unknown target losses.mse"),
    ("bob.py,total,lots,x", "is not a number"),
])
def test_a_wrong_adjustment_is_one_line_and_grades_nothing(week1, tmp_path, capsys, row, says):
    adjustments = tmp_path / "adjustments.csv"
    adjustments.write_text("student,target,points,reason\n" + row + "\n", encoding="utf-8")
    code, err = run(capsys, "batch", week1, "-o", tmp_path / "out", "--only", "activations",
                    "--seed", SEED, "--adjustments", adjustments)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and "line 2" in lines[0], err
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "gradebook.csv").exists()


def test_a_new_adjustments_file_reaches_results_and_feedback_of_reused_rows(
        week1, tmp_path_factory, capsys):
    out = tmp_path_factory.mktemp("again") / "out"
    first = out.parent / "first.csv"
    first.write_text("student,target,points,reason\nbob.py,total,-1,first\n", encoding="utf-8")
    second = out.parent / "second.csv"
    second.write_text("student,target,points,reason\nbob.py,total,+1,second\n", encoding="utf-8")
    for adjustments in (first, second):
        code, err = run(capsys, "batch", week1, "-o", out, "--only", "activations", "--seed",
                        SEED, "--jobs", "1", "--adjustments", adjustments)
        assert code == 0, err
    assert "3 unchanged" in err
    data = json.loads((out / "results" / "bob.py.json").read_text(encoding="utf-8"))
    assert data["extra_data"]["adjustments"][0]["reason"] == "second"
    assert data["score"] == points_of(ACTIVATIONS) - 2 + 1
    assert "second" in (out / "feedback" / "bob.py.md").read_text(encoding="utf-8")
    assert "second" in (out / "adjustments.csv").read_text(encoding="utf-8")
