"""What ``grade batch`` decides before grading: entries, content digests, options, bad entries."""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import zipfile
from pathlib import Path

from grader.classroom import batch
from grader.classroom.batch import (Entry, Outcome, _prepare, content_digest, entries,
                                    sources_digest)
from grader.classroom.store import Store


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
    assert [e.name for e in found] == ["alice", "bob"]
    assert sorted(outcome.skipped) == ["fifo.py", "notes.txt"]
    assert [e.name for e in entries(folder, out=tmp_path / "elsewhere")] == [
        "alice", "bob", "out"]


def test_content_digest_follows_every_file(tmp_path):
    folder = tmp_path / "alice"
    (folder / "data").mkdir(parents=True)
    (folder / "losses.py").write_text("def mse(y, y_hat): ...\n", encoding="utf-8")
    (folder / "helpers.py").write_text("SCALE = 1\n", encoding="utf-8")
    (folder / "data" / "w.txt").write_text("1 2 3\n", encoding="utf-8")
    digests = {content_digest(folder)}
    for name, text in [("helpers.py", "SCALE = 2\n"), ("data/w.txt", "1 2 4\n"),
                       ("data/new.txt", "")]:
        (folder / name).write_text(text, encoding="utf-8")
        digests.add(content_digest(folder))
    (folder / "data" / "new.txt").rename(folder / "data" / "renamed.txt")
    digests.add(content_digest(folder))
    assert len(digests) == 5
    assert content_digest(folder) == content_digest(folder)


def test_a_zip_is_digested_by_its_bytes_without_unpacking(tmp_path):
    archive = tmp_path / "bob.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("../../escaped.py", "x = 1\n")   # unpacking would refuse it
    assert content_digest(archive) == hashlib.sha256(archive.read_bytes()).hexdigest()


def test_too_many_files_means_no_digest(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "DIGEST_MAX_FILES", 2)
    for n in range(3):
        (tmp_path / f"{n}.py").write_text("", encoding="utf-8")
    assert content_digest(tmp_path) is None


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


def test_an_entry_that_cannot_be_read_is_an_error_row(tmp_path, monkeypatch):
    def broken(path: Path) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(batch, "content_digest", broken)
    store, outcome, todo = Store(tmp_path / "out"), Outcome(), []
    _prepare(Entry("alice", tmp_path / "alice"), store, {}, 1, todo, outcome)
    assert not todo and outcome.errors == 1
    assert "disk on fire" in outcome.records[0].report.notes[0]
    assert store.load("alice").report.status == "error"
