"""``grade batch`` over a hostile class (tests/adversarial/hostile_class/class.json): entries
that share a stem, names that are not UTF-8, 240 characters long, formulas, controls,
slash-like characters, a student folder holding ``.state/.batch.json``, messages with lone
surrogates. Every entry is its own row, every file survives, merge and resume still work,
and no honest function loses a point."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.classroom import gradebook
from grader.classroom.batch import run_batch
from grader.classroom.store import Store, file_name
from grader.cli import main, make_options
from grader.contract import MODULES
from grader.report import neutral

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "adversarial" / "hostile_class"
HONEST = ROOT / "tests" / "adversarial" / "_honest"
SEED = 3


def entry_names() -> list[tuple[str, str]]:
    """``(name, make)`` of every entry of the class."""
    listed = json.loads((CASE / "class.json").read_text(encoding="utf-8"))["entries"]
    return [(e["name"] * e.get("repeat", 1), e["make"]) for e in listed]


def make(folder: Path, name: str, kind: str) -> None:
    path = folder / name
    if kind in ("honest", "state", "surrogate_messages"):
        shutil.copytree(HONEST, path)
    if kind == "state":
        (path / ".state").mkdir()
        (path / ".state" / ".batch.json").write_text('{"seed": 1, "key": {}}', encoding="utf-8")
    if kind == "surrogate_messages":
        with open(path / "losses.py", "a", encoding="utf-8") as handle:
            handle.write((CASE / "losses.py").read_text(encoding="utf-8"))
    if kind == "activations":
        shutil.copy(HONEST / "activations.py", path)
    if kind == "notebook":
        source = (HONEST / "activations.py").read_text(encoding="utf-8")
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]),
                       str(path))
    if kind == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            for module in MODULES:
                archive.write(HONEST / f"{module}.py", f"{module}.py")
    if kind == "broken_zip":
        path.write_bytes(b"not a zip")


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "class"
    folder.mkdir()
    for name, kind in entry_names():
        make(folder, name, kind)
    return folder


def options():
    return make_options(seed=SEED, hide_inputs=False, no_solutions=False, timeout=5.0,
                        memory=None)


@pytest.fixture(scope="module")
def out(klass: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile-out") / "out"
    run_batch(klass, out, options(), jobs=2, progress=False)
    return out


def rows(out: Path) -> dict[str, dict[str, str]]:
    return {row["submission"]: row for row in gradebook.read(out / "gradebook.csv")}


def test_every_entry_is_its_own_row_and_no_honest_function_loses_points(out: Path) -> None:
    book = rows(out)
    names = entry_names()
    assert sorted(book) == sorted(neutral.csv_cell(name) for name, _kind in names)
    activations = sum(float(book["dave.py"][f"activations.{f}"]) for f in MODULES["activations"])
    for name, kind in names:
        row = book[neutral.csv_cell(name)]
        if kind in ("honest", "state", "zip"):
            assert (row["status"], row["score"]) == ("graded", "100"), (name, row["status"])
        elif kind in ("activations", "notebook"):
            assert float(row["score"]) == activations > 0, name
        elif kind == "surrogate_messages":
            assert row["losses.mse"] == "0" and row["status"] == "graded"
            assert float(row["score"]) == 100 - float(rows(out)["dave"]["losses.mse"])
        else:
            assert row["status"].startswith("error: ") and row["score"] == "0", name


def test_every_file_is_unique_short_plain_and_readable(out: Path) -> None:
    names = [name for name, _kind in entry_names()]
    store = Store(out)
    for folder in (out / "results", out / ".state"):
        files = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        assert files == sorted(file_name(n) for n in names)
        assert all(len(f.encode()) <= 200 and f.isprintable() for f in files)
    for name in names:
        assert store.load(name).name == name
        document = json.loads((out / "results" / file_name(name)).read_text(encoding="utf-8"))
        assert "score" in document
    assert (out / "report.html").read_text(encoding="utf-8")


def test_cells_are_never_formulas_nor_controls(out: Path) -> None:
    for row in rows(out).values():
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
            assert not any(c in cell for c in "\x1b\x07\u202e"), cell


def test_resume_reuses_every_row_and_merge_gives_the_same_gradebook(klass: Path, out: Path,
                                                                    tmp_path: Path) -> None:
    again = run_batch(klass, out, options(), jobs=1, progress=False)
    errors = sum(kind == "broken_zip" for _name, kind in entry_names())
    assert (again.graded, again.reused) == (0, len(entry_names()) - errors)
    shards = [tmp_path / f"shard{k}" for k in (1, 2)]
    for k, shard in enumerate(shards, start=1):
        with pytest.raises(SystemExit) as done:
            main(["batch", str(klass), "-o", str(shard), "--shard", f"{k}/2", "--seed",
                  str(SEED), "--jobs", "1", "--timeout", "5"])
        assert done.value.code == 0
    with pytest.raises(SystemExit) as done:
        main(["merge", *map(str, shards), "-o", str(tmp_path / "merged")])
    assert done.value.code == 0
    assert (tmp_path / "merged" / "gradebook.csv").read_bytes() == \
        (out / "gradebook.csv").read_bytes()


def test_undecodable_names_are_kept_as_they_are(klass: Path) -> None:
    assert b"caf\xe9" in os.listdir(os.fsencode(klass))
