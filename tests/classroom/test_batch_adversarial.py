"""``grade batch`` against a determined student and an unlucky instructor (issue #22): the
cases are described in ``tests/adversarial/<case>/case.json``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.classroom import workers
from grader.classroom.batch import run_batch
from grader.cli import make_options
from grader.sandbox import template

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "adversarial"
SEED = 5


def case(name: str) -> dict:
    return json.loads((CASES / name / "case.json").read_text(encoding="utf-8"))


def options():
    return make_options(seed=SEED, hide_inputs=False, no_solutions=False, timeout=10.0,
                        memory=None)


def modules(source: Path, target: Path) -> None:
    """Lay the contract modules of ``source`` over ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for module in source.glob("*.py"):
        if not module.name.startswith("_"):
            shutil.copy(module, target / module.name)


def test_a_row_is_the_grade_of_the_bytes_graded(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The student swaps the honest modules in just while the grader loads them, and the
    stubs back right after: the row must stay the grade of what was loaded, and a rerun on
    the stubs must grade the stubs (it used to keep the stored 100)."""
    spec = case("swap_while_graded")
    stubs, honest = ROOT / spec["fingerprinted"], ROOT / spec["graded"]
    klass = tmp_path / "class"
    student = klass / "mallory"
    modules(stubs, student)
    load = workers.load

    def swapping(path: str):
        modules(honest, student)
        try:
            return load(path)
        finally:
            modules(stubs, student)

    monkeypatch.setattr(template, "share", lambda: None)   # so the grading processes are
    monkeypatch.setattr(workers, "load", swapping)         # forked with the patch
    first = run_batch(klass, tmp_path / "out", options(), jobs=1, progress=False)
    assert first.records[0].report.score == 100
    monkeypatch.setattr(workers, "load", load)
    again = run_batch(klass, tmp_path / "out", options(), jobs=1, progress=False)
    assert (again.graded, again.reused) == (1, 0)
    assert again.records[0].report.score == 0
    third = run_batch(klass, tmp_path / "out", options(), jobs=1, progress=False)
    assert (third.graded, third.reused, third.records[0].report.score) == (0, 1, 0)


def _bytes_read() -> int:
    """Bytes this process has read (``rchar`` of /proc/self/io), its children not counted."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar")


def test_every_entry_gets_a_row_or_a_reason_and_nothing_is_read_whole(tmp_path: Path) -> None:
    spec = case("batch_bounds")
    klass = tmp_path / "class"
    klass.mkdir()
    with open(klass / "huge.zip", "wb") as handle:
        handle.truncate(8 << 30)                      # sparse: no disk used
    (klass / "_bob").mkdir()
    (klass / "_bob" / "losses.py").write_text("def mse(y, y_hat):\n    return 0.0\n")
    (klass / "_carol.py").write_text("def relu(x):\n    return x\n")
    for hidden in (".git", "__MACOSX"):
        (klass / hidden).mkdir()
    (klass / "notes.txt").write_text("not a submission\n")
    before = _bytes_read()
    outcome = run_batch(klass, tmp_path / "out", options(), jobs=1, progress=False)
    assert _bytes_read() - before < 1 << 30, spec["huge.zip"]
    rows = {r.name: r.report for r in outcome.records}
    assert set(rows) == {"huge.zip", "_bob", "_carol.py"}, spec["_bob"]
    assert rows["huge.zip"].status == "error" and "larger than" in rows["huge.zip"].notes[0]
    assert rows["_bob"].status == rows["_carol.py"].status == "graded"
    assert sorted(outcome.hidden) == [".git", "__MACOSX"] and outcome.skipped == ["notes.txt"]


def test_a_students_folder_is_never_the_output(tmp_path: Path) -> None:
    from grader.classroom.batch import check_output
    from grader.classroom.store import BatchError

    klass = tmp_path / "class"
    (klass / "out").mkdir(parents=True)
    (klass / "out" / "losses.py").write_text("def mse(y, y_hat):\n    return 0.0\n")
    with pytest.raises(BatchError, match="the submission out"):
        run_batch(klass, klass / "out", options(), jobs=1, progress=False)
    assert not (klass / "out" / "gradebook.csv").exists()
    (klass / "empty").mkdir()
    check_output(klass, klass / "empty")           # an empty folder, or a new one, is fine
    check_output(klass, klass / "new")


def _descendants(root: int) -> set[int]:
    """Every process below ``root`` (from /proc's children lists)."""
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != b"Z"


@pytest.mark.parametrize("how", case("killed_batch")["signals"])
def test_a_stopped_batch_leaves_no_process(how: str, tmp_path: Path) -> None:
    klass = tmp_path / "class"
    modules(CASES / "_honest", klass / "alice")
    modules(CASES / "_honest", klass / "mallory")
    with open(klass / "mallory" / "losses.py", "a", encoding="utf-8") as handle:
        handle.write("\n\ndef mse(y, y_hat):\n    while True:\n        pass\n")
    grade = Path(sys.executable).with_name("grade")
    batch = subprocess.Popen([str(grade), "batch", str(klass), "-o", str(tmp_path / "out"),
                              "-j", "2", "--seed", "1", "--timeout", "60"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 300     # a generous wait for grading to start
        while time.monotonic() < deadline and batch.poll() is None:
            seen |= _descendants(batch.pid)
            sandbox = [p for p in seen if _alive(p) and b"grader.sandbox." in
                       Path(f"/proc/{p}/cmdline").read_bytes()] if seen else []
            if len(sandbox) >= 5:   # the template, each worker's launcher and server
                break
            time.sleep(0.2)
        assert batch.poll() is None, "the batch ended before it could be stopped"
        seen |= _descendants(batch.pid)
        assert any(b"grader.sandbox.template" in Path(f"/proc/{p}/cmdline").read_bytes()
                   for p in seen if _alive(p)), "no template server to stop"
        os.kill(batch.pid, getattr(signal, how))
        batch.wait(timeout=120)
        deadline = time.monotonic() + 120     # a generous wait for everything to end
        while (left := {p for p in seen if _alive(p)}) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert left == set()
    finally:
        if batch.poll() is None:
            batch.kill()
        for pid in seen:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


@pytest.fixture(scope="module")
def shard(tmp_path_factory) -> Path:
    """A finished shard of two students."""
    tmp = tmp_path_factory.mktemp("shard")
    modules(CASES / "_honest", tmp / "class" / "alice")
    modules(ROOT / "exercises", tmp / "class" / "bob")
    run_batch(tmp / "class", tmp / "out", options(), jobs=1, progress=False)
    return tmp / "out"


def _merge_exit(capsys: pytest.CaptureFixture[str], *folders: Path, out: Path) -> tuple[int, str]:
    from grader.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["merge", *map(str, folders), "-o", str(out)])
    return exit_info.value.code, capsys.readouterr().err


def _edit_record(folder: Path, name: str, edit) -> None:
    from grader.classroom.store import file_name

    path = folder / ".state" / file_name(name)
    record = json.loads(path.read_text(encoding="utf-8"))
    edit(record)
    path.write_text(json.dumps(record), encoding="utf-8")


def test_merge_refuses_what_a_shard_did_not_grade(shard: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = _merge_exit(capsys, shard, out=tmp_path / "fine")
    assert code == 0, err

    def reseed(record: dict) -> None:
        record["report"]["seed"] = SEED + 1
        record["key"]["seed"] = SEED + 1

    def inflate(record: dict) -> None:
        record["report"]["tests"][0]["points"] = 1099.0

    for edit, says in [(reseed, "other settings"), (inflate, "1099.0 of")]:
        forged = tmp_path / edit.__name__
        shutil.copytree(shard, forged)
        _edit_record(forged, "alice", edit)
        code, err = _merge_exit(capsys, forged, out=tmp_path / f"{edit.__name__}-merged")
        assert code == 2 and says in err and len(err.strip().splitlines()) == 1, err
        assert not (tmp_path / f"{edit.__name__}-merged" / "gradebook.csv").exists()

    from grader.classroom import batch

    stopped = tmp_path / "stopped"
    shutil.copytree(shard, stopped)
    add = batch._add

    def interrupted(store, outcome, record, text=""):
        if outcome.records:
            raise KeyboardInterrupt
        add(store, outcome, record, text)

    monkeypatch.setattr(batch, "_add", interrupted)
    for entry in (stopped / ".state").glob("*.json"):
        if not entry.name.startswith("."):
            entry.unlink()                       # both graded again: the second interrupts
    with pytest.raises(KeyboardInterrupt):
        run_batch(shard.parent / "class", stopped, options(), jobs=1, progress=False)
    code, err = _merge_exit(capsys, stopped, out=tmp_path / "stopped-merged")
    assert code == 2 and "did not finish" in err, err


def test_a_rerun_repairs_what_a_crash_left(shard: Path, tmp_path: Path) -> None:
    """A batch that died between writing a record and its results file (or mid-way through
    the results file) left a state the rerun kept as it was."""
    from grader.classroom.feedback import results_document
    from grader.classroom.semester import finals
    from grader.classroom.store import Store, file_name

    out = tmp_path / "out"
    shutil.copytree(shard, out)
    (out / "results" / file_name("alice")).unlink()
    (out / "results" / file_name("bob")).write_text("{", encoding="utf-8")
    again = run_batch(shard.parent / "class", out, options(), jobs=1, progress=False)
    assert (again.graded, again.reused) == (0, 2)
    store = Store(out)
    final = finals(out, [store.load(name) for name in ("alice", "bob")])
    for name in ("alice", "bob"):
        saved = json.loads((out / "results" / file_name(name)).read_text(encoding="utf-8"))
        expected = results_document(store.load(name), final[name])
        assert saved == json.loads(json.dumps(expected))
