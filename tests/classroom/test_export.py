"""``grade export``: final scores in the grade-import layouts of Canvas and Moodle, read back
as their import documentation describes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from grader.classroom import gradebook
from grader.classroom.batch import error_report
from grader.classroom.identities import Identity
from grader.classroom.store import Record, Store
from grader.cli import main
from tests.classroom.class_fixtures import SEED, record

CANVAS_HEAD = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


@pytest.fixture
def out(tmp_path) -> Path:
    """A batch output: a full score, a wrong one adjusted, one that could not be graded."""
    out = tmp_path / "out"
    ada = record("submission_1", wrong={"losses.mse": "sign:@"})
    ada.identity = Identity(student="Ada Lovelace", email="ada@example.edu", sid="2026000001")
    minjun = record("submission_2")
    minjun.identity = Identity(student="김민준", email="minjun@example.ac.kr", sid="2026123456")
    broken = Record("submission_3", error_report("submission_3", SEED, "syntax error"),
                    identity=Identity(student="=cmd|' /C calc'!A0", email="x@example.edu"))
    store = Store(out)
    store.check_writable()
    records = [ada, minjun, broken]
    for rec in records:
        store.save(rec)
    store.save_rows(records)
    (out / "adjustments.csv").write_text("student,target,points,reason\n"
                                         "ada@example.edu,total,+1,regrade\n", encoding="utf-8")
    gradebook.write(store.gradebook, records)
    return out


def export(capsys, out: Path, system: str, target: Path) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(out), "--to", system, "-o", str(target), "--assignment", "HW1"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 0, err
    return err


def test_canvas_reads_the_students_and_the_points_possible(out, tmp_path, capsys):
    err = export(capsys, out, "canvas", tmp_path / "canvas.csv")
    # Canvas's importer: UTF-8 (its own export starts with a byte-order mark), the fixed
    # student columns, then one column per assignment, "Points Possible" as the 2nd row
    rows = list(csv.reader(io.StringIO((tmp_path / "canvas.csv").read_text("utf-8-sig"))))
    assert rows[0] == CANVAS_HEAD + ["HW1"]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == 100
    by_sis = {row[2]: row for row in rows[2:]}
    ada, minjun = by_sis["2026000001"], by_sis["2026123456"]
    mse_first_test = 100 - float(ada[5]) + 1       # the failed test's points, then +1
    assert ada[0] == "Ada Lovelace" and ada[3] == "ada@example.edu"
    assert 0 < mse_first_test < 100
    assert minjun[0] == "김민준" and float(minjun[5]) == 100
    broken = rows[4]
    assert broken[5] == "" and broken[0].startswith("'=")   # never a 0, never a formula
    assert "could not be graded" in err and "submission_3" in err


def test_moodle_maps_a_user_column_and_the_grade_column(out, tmp_path, capsys):
    export(capsys, out, "moodle", tmp_path / "moodle.csv")
    raw = (tmp_path / "moodle.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))   # encoding UTF-8, comma
    # "Map from" Email address "to" useremail, or ID number to useridnumber
    by_email = {row["Email address"]: row for row in rows}
    by_id = {row["ID number"]: row for row in rows}
    assert by_email["minjun@example.ac.kr"]["HW1"] == "100"
    assert by_id["2026000001"]["HW1"] == by_email["ada@example.edu"]["HW1"]
    assert float(by_email["ada@example.edu"]["HW1"]) < 100
    assert by_email["x@example.edu"]["HW1"] == ""


def test_an_output_that_is_no_batch_is_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(tmp_path), "--to", "canvas", "-o", str(tmp_path / "c.csv")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "holds no gradebook" in err
    assert len(err.strip().splitlines()) == 1
