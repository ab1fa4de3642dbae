"""Batch workers: their sandbox servers are forks of one template server; a grader-side fault
(the sandbox server killed, the template too) is never a student's score, the worker grades
the next submissions with a fresh sandbox, and a rerun grades the row again."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

from grader.classroom import gradebook
from grader.classroom.batch import run_batch
from grader.cli import make_options
from grader.grading import Grader
from grader.sandbox import template

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"


def copy_solutions(folder: Path) -> Path:
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__*"))
    return folder


def kill_the_server_once(monkeypatch, victim: str, flag: Path, during_a_call: bool,
                         and_template: bool = False) -> None:
    """Kill the sandbox server (and the template server) from outside, once, when grading
    ``victim`` starts (or at its first call). Workers are forked from this process, so they
    inherit the patch."""
    grade = Grader.grade

    def kill(link) -> None:
        if not flag.exists():
            flag.write_text("killed", encoding="utf-8")
            if and_template:
                os.kill(template._shared.process.pid, signal.SIGKILL)
            os.kill(link.pid, signal.SIGKILL)

    def patched(self, submission):
        if submission.name.endswith(victim):
            if during_a_call:
                call = type(self.sandbox).open

                def open_and_kill(box, sub):
                    session = call(box, sub)
                    kill(session._link)
                    return session
                monkeypatch.setattr(type(self.sandbox), "open", open_and_kill)
            else:
                kill(self.sandbox._link)
        return grade(self, submission)

    monkeypatch.setattr(Grader, "grade", patched)


def options():
    return make_options(seed=4, hide_inputs=False, no_solutions=False, timeout=5.0,
                        memory=None)


def check_fault_is_not_a_score(tmp_path: Path, monkeypatch, during_a_call: bool,
                               and_template: bool = False) -> None:
    klass = tmp_path / "class"
    for name in ("a_first", "b_victim", "c_after", "d_later"):
        copy_solutions(klass / name)
    out = tmp_path / "out"
    kill_the_server_once(monkeypatch, "b_victim", tmp_path / "killed", during_a_call,
                         and_template)
    outcome = run_batch(klass, out, options(), jobs=1, progress=False)
    assert (tmp_path / "killed").exists()
    book = {row["submission"]: row for row in gradebook.read(out / "gradebook.csv")}
    victim = book.pop("b_victim")
    assert victim["status"].startswith("error: the grader failed"), victim["status"]
    assert {name: row["score"] for name, row in book.items()} == {
        "a_first": "100", "c_after": "100", "d_later": "100"}
    assert outcome.errors == 1
    again = run_batch(klass, out, options(), jobs=1, progress=False)
    assert (again.graded, again.reused) == (1, 3)
    book = {row["submission"]: row for row in gradebook.read(out / "gradebook.csv")}
    assert book["b_victim"]["status"] == "graded" and book["b_victim"]["score"] == "100"


def test_a_server_killed_before_grading_is_no_score(tmp_path, monkeypatch):
    check_fault_is_not_a_score(tmp_path, monkeypatch, during_a_call=False)


def test_a_server_killed_while_grading_is_no_score(tmp_path, monkeypatch):
    check_fault_is_not_a_score(tmp_path, monkeypatch, during_a_call=True)


def test_the_template_killed_with_the_server_is_no_score(tmp_path, monkeypatch):
    """The fresh sandbox after the fault is launched on its own: there is no template left."""
    check_fault_is_not_a_score(tmp_path, monkeypatch, during_a_call=False, and_template=True)


def test_every_workers_server_is_forked_from_one_template(tmp_path, monkeypatch):
    """Each worker's grading process records its pid and who forked its sandbox's launcher."""
    record = tmp_path / "servers"
    record.mkdir()
    enter = Grader.__enter__

    def recording(self):
        started = enter(self)
        launcher = self.sandbox._link.pid
        parent = Path(f"/proc/{launcher}/stat").read_bytes().rsplit(b")", 1)[1].split()[1]
        command = Path(f"/proc/{int(parent)}/cmdline").read_bytes()
        (record / str(os.getpid())).write_bytes(parent + b" " + command)
        return started

    monkeypatch.setattr(Grader, "__enter__", recording)
    klass = tmp_path / "class"
    for name in ("a", "b", "c"):
        copy_solutions(klass / name)
    outcome = run_batch(klass, tmp_path / "out", options(), jobs=2, progress=False)
    assert outcome.errors == 0
    parents = {path.read_bytes() for path in record.iterdir()}
    assert len(list(record.iterdir())) == 2 and len(parents) == 1, parents
    assert b"grader.sandbox.template" in parents.pop()


def test_a_stop_for_a_grading_process_already_reaped_is_no_error():
    """A worker told to stop (SIGTERM) just as ``waitpid`` reaps its grading process passes
    the signal to a pid that no longer exists: nothing to do, and no traceback."""
    from grader.classroom.workers import _terminate
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    _terminate(pid)


def test_the_workers_render_each_students_text_report(tmp_path, monkeypatch):
    """The batch's own process saves every record but renders no graded student's text
    report: each comes from the worker that graded it, named as the gradebook names it, and
    is what rendering the saved report gives."""
    from grader.classroom.store import Store
    from grader.report import text

    klass = tmp_path / "class"
    copy_solutions(klass / "correct")
    broken = copy_solutions(klass / "broken")
    (broken / "losses.py").write_text("def mse(y, y_hat):\n    return 0.0\n", encoding="utf-8")
    render, here = text.render, []

    def counted(report, **kwargs):
        here.append(os.getpid())   # the workers' appends stay in the workers
        return render(report, **kwargs)

    monkeypatch.setattr(text, "render", counted)
    out = tmp_path / "out"
    outcome = run_batch(klass, out, options(), jobs=2, progress=False)
    assert outcome.graded == 2 and here == []
    for name in ("correct", "broken"):
        record = Store(out).load(name)
        assert record.text.splitlines()[0].split()[-1] == name
        assert record.text == render(record.report)
