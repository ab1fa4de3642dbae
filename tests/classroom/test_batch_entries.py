"""What ``grade batch`` decides before grading: entries, options, bad entries."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import re

from grader.classroom import gradebook
from grader.classroom.batch import Outcome, entries, sources_digest
from grader.classroom.store import Record, Store, file_name
from grader.report.model import Report
from grader.report.model import TestResult as Result


def test_entries_leave_out_outputs_and_what_is_no_submission(tmp_path):
    folder = tmp_path / "submissions"
    (folder / "alice").mkdir(parents=True)
    (folder / "bob.py").write_text("x = 1\n", encoding="utf-8")
    (folder / "notes.txt").write_text("", encoding="utf-8")
    os.mkfifo(folder / "fifo.py")
    (folder / "old-out" / ".state").mkdir(parents=True)
    (folder / "old-out" / ".state" / ".batch.json").write_text("{}", encoding="utf-8")
    (folder / "out").mkdir()
    outcome = Outcome()
    found = entries(folder, outcome, folder / "out")
    assert [e.name for e in found] == ["alice", "bob.py"]
    assert sorted(outcome.skipped) == ["fifo.py", "notes.txt"]
    assert outcome.outputs == ["old-out"]
    assert [e.name for e in entries(folder, out=tmp_path / "elsewhere")] == [
        "alice", "bob.py", "out"]


def test_sources_digest_covers_the_solutions(tmp_path, monkeypatch):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    (solutions / "losses.py").write_text("def mse(y, y_hat): ...\n", encoding="utf-8")
    find_spec = importlib.util.find_spec

    def fake(name, *args):
        if name != "solutions":
            return find_spec(name, *args)
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(solutions)]
        return spec

    monkeypatch.setattr(importlib.util, "find_spec", fake)
    before = sources_digest()
    assert sources_digest() == before
    (solutions / "losses.py").write_text("def mse(y, y_hat): return 0\n", encoding="utf-8")
    assert sources_digest() != before


def test_entries_are_keyed_by_their_full_name(tmp_path):
    (tmp_path / "dave").mkdir()
    for name in ("dave.py", "dave.zip", "dave.py.ipynb", "Dave.PY"):
        (tmp_path / name).write_text("", encoding="utf-8")
    names = [e.name for e in entries(tmp_path)]
    assert names == ["Dave.PY", "dave", "dave.py", "dave.py.ipynb", "dave.zip"]
    assert len({file_name(n) for n in names}) == len(names)


def test_a_students_folder_holding_batch_state_is_still_a_student(tmp_path):
    student = tmp_path / "mallory"
    (student / ".state").mkdir(parents=True)
    (student / ".state" / ".batch.json").write_text('{"seed": 1}', encoding="utf-8")
    (student / "losses.py").write_text("def mse(y, y_hat): return 0.0\n", encoding="utf-8")
    hidden = tmp_path / "hides_in_exercises"
    (hidden / ".state").mkdir(parents=True)
    (hidden / ".state" / ".batch.json").write_text("{}", encoding="utf-8")
    (hidden / "exercises").mkdir()
    (hidden / "exercises" / "mlp.py").write_text("", encoding="utf-8")
    outcome = Outcome()
    assert [e.name for e in entries(tmp_path, outcome)] == ["hides_in_exercises", "mallory"]
    assert outcome.outputs == []


def test_a_link_entry_is_kept_so_that_its_row_says_why(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "bob").symlink_to(tmp_path / "alice")
    (tmp_path / "carol.py").symlink_to("/etc/passwd")
    (tmp_path / "notes").symlink_to("/etc/passwd")
    outcome = Outcome()
    assert [e.name for e in entries(tmp_path, outcome)] == ["alice", "bob", "carol.py"]
    assert outcome.skipped == ["notes"]


#: Names a student (or an LMS download) can give an entry.
HOSTILE_NAMES = ["alice", "a" * 240, "caf\udce9", "=HYPERLINK(\"http://x\")", "a\u2215b",
                 "..", "x~y", "line\nbreak\x1b[2J", "\u202eevil", "\ud800", "-", "a.json",
                 "a" * 64, "a" * 65, "ünï", "+1", "@sum", "\tTAB"]


def test_file_names_are_unique_short_and_plain_whatever_the_entry_is_called():
    names = [file_name(n) for n in HOSTILE_NAMES]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[^\W_][\w.~-]{0,99}\.json", name), name
        assert len(name.encode("utf-8")) <= 200
    assert file_name("alice") == "alice.json"
    assert file_name("ünï") == "ünï.json"                  # readable in any script
    assert file_name("김민준") == "김민준.json"


def test_records_results_and_gradebook_survive_any_name_and_message(tmp_path):
    store = Store(tmp_path / "out")
    records = []
    for name in HOSTILE_NAMES:
        report = Report(submission=name, seed=1, notes=[f"{name}: \ud800 \udfff \x00 \U0010ffff"],
                        status="error")
        report.tests.append(Result("losses.mse", "\ud800", 4.0, 0.0, "error", "\udce9"))
        records.append(Record(name, report))
        store.save(records[-1])
    for record in records:
        loaded = store.load(record.name)
        assert loaded is not None and loaded.name == record.name
        assert loaded.report.notes == record.report.notes        # lossless
        document = json.loads((store.results / file_name(record.name)).read_text("utf-8"))
        assert document["tests"][0]["max_score"] == 4.0
    gradebook.write(store.gradebook, records)
    book = gradebook.read(store.gradebook)
    assert len(book) == len(HOSTILE_NAMES)
    cells = {row["submission"] for row in book}
    assert "'=HYPERLINK(\"http://x\")" in cells and "'+1" in cells and "'@sum" in cells
    assert not [cell for row in book for cell in row.values()
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not [cell for cell in cells if "\x1b" in cell or "\u202e" in cell]


def test_a_record_is_never_read_back_for_another_name(tmp_path):
    store = Store(tmp_path)
    store.save(Record("alice", Report(submission="alice", seed=1)))
    (store.state / file_name("bob")).write_bytes((store.state / "alice.json").read_bytes())
    assert store.load("bob") is None and store.load("alice").name == "alice"
