"""``grade batch`` / ``grade merge`` over a mixed class: correct, buggy, crashing, notebook, zip."""

from __future__ import annotations

import base64
import csv
import json
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.classroom.batch import run_batch
from grader.classroom.gradebook import COLUMNS
from grader.classroom.merge import MergeError, merge
from grader.cli import main, make_options
from grader.contract import MODULES
from tests.signals import interruptible

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
SEED = 11
LIMITS = ["--timeout", "2"]
BUG = '''

def mse(y, y_hat):
    """Divides by N*D instead of N: a typical bug."""
    import numpy as np
    return float(np.mean((np.asarray(y) - np.asarray(y_hat)) ** 2))
'''


def copy_solutions(folder: Path) -> Path:
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__*"))
    return folder


def make_class(folder: Path) -> Path:
    """One student of each kind, plus a file that is no submission."""
    folder.mkdir()
    copy_solutions(folder / "correct")
    with (copy_solutions(folder / "buggy") / "losses.py").open("a") as handle:
        handle.write(BUG)
    (folder / "crashing.py").write_text("def relu(x):\n    return x +\n", encoding="utf-8")
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 활성화 함수"),
        nbformat.v4.new_code_cell("%matplotlib inline\n!pip list"),
        nbformat.v4.new_code_cell((SOLUTIONS / "activations.py").read_text(encoding="utf-8"))])
    nbformat.write(notebook, folder / "notebook.ipynb")
    with zipfile.ZipFile(folder / "zipped.zip", "w") as archive:
        for module in MODULES:
            archive.write(SOLUTIONS / f"{module}.py", f"zipped/{module}.py")
    with zipfile.ZipFile(folder / "evil.zip", "w") as archive:
        archive.writestr("../../escaped.py", "x = 1\n")
    (folder / "roster.txt").write_text("not a submission\n", encoding="utf-8")
    return folder


def batch(*args: object) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", *map(str, args), "--seed", str(SEED), *LIMITS])
    return exit_info.value.code


def rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    return make_class(tmp_path_factory.mktemp("class") / "submissions")


@pytest.fixture(scope="module")
def out(klass, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "out"
    assert batch(klass, "-o", out, "--jobs", 2) == 0
    return out


def test_every_submission_has_a_row(out):
    book = rows(out)
    assert list(book) == ["buggy", "correct", "crashing.py", "evil.zip", "notebook.ipynb",
                          "zipped.zip"]
    header = (out / "gradebook.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(",") == list(COLUMNS)
    assert float(book["correct"]["score"]) == float(book["zipped.zip"]["score"]) == 100
    assert 0 < float(book["buggy"]["score"]) < 100
    assert float(book["buggy"]["losses.mse"]) < float(book["correct"]["losses.mse"])
    assert float(book["crashing.py"]["score"]) == 0
    for name in ("buggy", "correct", "notebook.ipynb", "zipped.zip"):
        assert book[name]["status"] == "graded"
        assert book[name]["max_score"] == "100"


def test_notebook_scores_its_functions(out):
    row = rows(out)["notebook.ipynb"]
    activations = [f"activations.{f}" for f in MODULES["activations"]]
    assert all(float(row[f]) > 0 for f in activations)
    assert float(row["score"]) == pytest.approx(sum(float(row[f]) for f in activations))


def test_hostile_archive_is_an_error_row_and_escapes_nowhere(out, klass):
    status = rows(out)["evil.zip"]["status"]
    assert status.startswith("error: ") and "unsafe archive member" in status
    assert "\n" not in status
    assert not (klass.parent / "escaped.py").exists() and not Path("escaped.py").exists()


def test_results_are_gradescope_documents(out):
    book = rows(out)
    for name, row in book.items():
        data = json.loads((out / "results" / f"{name}.json").read_text(encoding="utf-8"))
        assert data["score"] == pytest.approx(float(row["score"]))
        assert all(t["status"] in ("passed", "failed") for t in data["tests"])


def test_report_html_stands_alone(out):
    page = (out / "report.html").read_text(encoding="utf-8")
    images = re.findall(r"src='data:image/svg\+xml;base64,([^']+)'", page)
    assert len(images) == 3
    assert all(base64.b64decode(image).startswith(b"<?xml") for image in images)
    assert not re.search(r"(src|href)=['\"](?!data:|#|results/)", page)
    assert "losses.mse" in page and "evil" in page
    for name in rows(out):
        assert f"href='results/{name}.json'" in page
        assert (out / "results" / f"{name}.json").is_file()


def test_report_groups_the_buggy_students_mistake(out):
    page = (out / "report.html").read_text(encoding="utf-8")
    mse = page.split("<h3 id='mistakes-losses.mse'>")[1].split("</table>")[0]
    assert "N·D" in mse and ">buggy</a>" in mse and "correct" not in mse


@pytest.mark.parametrize("name", ["buggy"])
def test_score_agrees_with_grade_run(out, klass, capsys, name):
    entry = next(p for p in klass.iterdir() if p.stem == name)
    with pytest.raises(SystemExit):
        main(["run", str(entry), "--seed", str(SEED), "--format", "json", *LIMITS])
    report = json.loads(capsys.readouterr().out)
    assert report["score"] == pytest.approx(float(rows(out)[name]["score"]), abs=1e-4)


def options():
    return make_options(seed=SEED, hide_inputs=False, no_solutions=False, timeout=2.0,
                        memory=None)


def test_rerun_skips_what_is_unchanged(out, klass, tmp_path):
    again = run_batch(klass, out, options(), jobs=2, progress=False)
    assert (again.graded, again.reused) == (0, 5)
    copy, klass2 = tmp_path / "out", tmp_path / "class"
    shutil.copytree(out, copy)
    shutil.copytree(klass, klass2)
    (klass2 / "buggy" / "losses.py").write_text(
        (SOLUTIONS / "losses.py").read_text(encoding="utf-8"), encoding="utf-8")
    fixed = run_batch(klass2, copy, options(), jobs=2, progress=False)
    assert (fixed.graded, fixed.reused) == (1, 4)
    assert float(rows(copy)["buggy"]["score"]) == 100


def test_shards_merge_into_the_full_batch(out, klass, tmp_path, capsys):
    shards = [tmp_path / f"shard{k}" for k in (1, 2)]
    for k, shard in enumerate(shards, start=1):
        assert batch(klass, "-o", shard, "--shard", f"{k}/2", "--jobs", 1) == 0
    names = [set(rows(s)) for s in shards]
    assert not names[0] & names[1] and names[0] | names[1] == set(rows(out))
    merged = tmp_path / "merged"
    with pytest.raises(SystemExit) as exit_info:
        main(["merge", *map(str, shards), "-o", str(merged)])
    assert exit_info.value.code == 0
    assert (merged / "gradebook.csv").read_bytes() == (out / "gradebook.csv").read_bytes()
    assert sorted(p.name for p in (merged / "results").iterdir()) == sorted(
        p.name for p in (out / "results").iterdir())
    assert (merged / "report.html").is_file()
    resumed = run_batch(klass, merged, options(), jobs=1, progress=False)
    assert (resumed.graded, resumed.reused) == (0, 5)
    with pytest.raises(SystemExit) as exit_info:
        main(["merge", str(shards[0]), str(shards[0]), "-o", str(tmp_path / "twice")])
    assert exit_info.value.code == 2 and "appears in both" in capsys.readouterr().err


def test_merge_refuses_shards_graded_differently(out, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(out, other)
    state = other / ".state" / ".batch.json"
    batch_state = json.loads(state.read_text(encoding="utf-8"))
    batch_state["key"]["seed"] = SEED + 1
    state.write_text(json.dumps(batch_state), encoding="utf-8")
    with pytest.raises(MergeError, match="different seed;"):
        merge([out, other], tmp_path / "merged")
    state.unlink()
    with pytest.raises(MergeError, match="does not say how it was graded"):
        merge([out, other], tmp_path / "merged")
    (other / ".state" / ".rows.json").unlink()
    with pytest.raises(MergeError, match="does not list its rows"):
        merge([out, other], tmp_path / "merged")


def test_ctrl_c_saves_what_is_done(tmp_path):
    """Interrupted while grading a slow student, the fast one is in a consistent gradebook."""
    klass = tmp_path / "class"
    copy_solutions(klass / "a_fast")
    slow = "import time\n\ndef relu(x):\n    time.sleep(60)\n"   # two 2 s timeouts
    (klass / "b_slow.py").write_text(slow, encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from grader.cli import main; main()", "batch",
               str(klass), "-o", str(out), "--jobs", "1", "--seed", "5", *LIMITS]
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, preexec_fn=interruptible)
    deadline = time.monotonic() + 120
    while not (out / ".state" / "a_fast.json").exists() and time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        time.sleep(0.2)
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=120)  # a generous wait, not a bound under test
    assert child.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert list(rows(out)) == ["a_fast"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_batch_holds_no_students_report_while_it_grades(tmp_path, monkeypatch):
    """Its memory does not grow with the class: each record is saved, then held shed (no
    tests, no text) until the class's files are written from the records read back."""
    from grader.classroom import batch as batches
    from grader.classroom.store import Store

    klass = tmp_path / "class"
    for name in ("a", "b", "c"):
        copy_solutions(klass / name)
    add, held = batches._add, []

    def checked(store, outcome, record, text=""):
        add(store, outcome, record, text)
        held.append([(r.report.tests, r.text, r.report.status) for r in outcome.records])

    monkeypatch.setattr(batches, "_add", checked)
    outcome = run_batch(klass, tmp_path / "out", options(), jobs=2, progress=False)
    assert held[-1] == [([], "", "graded")] * 3
    assert all(r == Store(tmp_path / "out").load(r.name) and r.report.tests and r.text
               for r in outcome.records)
    again = run_batch(klass, tmp_path / "out", options(), jobs=2, progress=False)
    assert again.reused == 3
    assert sorted(again.records, key=str) == sorted(outcome.records, key=str)


def test_a_record_that_cannot_be_read_back_stops_the_batch_in_one_line(tmp_path):
    from grader.classroom.store import BatchError, Record, Store
    from grader.report.model import Report

    store = Store(tmp_path)
    store.check_writable()
    record = Record("a", Report(submission="a", seed=1), "digest", {"seed": 1})
    store.save(record)
    assert store.reload([record.shed()]) == [record]
    (store.state / "a.json").unlink()
    with pytest.raises(BatchError, match="cannot read back the record of a"):
        store.reload([record.shed()])
