"""Batch workers: each grades in a process forked from one template server (with a sandbox
server forked from it too), so the batch's own processes never import torch; a grader-side
fault (the sandbox server killed, the template too) is never a student's score, the worker
grades the next submissions with a fresh sandbox, and a rerun grades the row again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from grader.classroom import gradebook
from grader.classroom.batch import run_batch
from grader.classroom.workers import Workers
from grader.cli import make_options
from grader.grading import Grader
from grader.sandbox import template
from tests.sandbox.test_template import pidfds

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"


def copy_solutions(folder: Path) -> Path:
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__*"))
    return folder


def kill_the_server_once(monkeypatch, victim: str, flag: Path, during_a_call: bool) -> None:
    """Kill the sandbox server from outside, once, when grading ``victim`` starts (or at its
    first call). With no template, the grading processes are forked from this process's
    workers, so they inherit the patch."""
    monkeypatch.setattr(template, "share", lambda: None)
    grade = Grader.grade

    def kill(link) -> None:
        if not flag.exists():
            flag.write_text("killed", encoding="utf-8")
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


def check_fault_is_not_a_score(tmp_path: Path, monkeypatch, during_a_call: bool) -> None:
    klass = tmp_path / "class"
    for name in ("a_first", "b_victim", "c_after", "d_later"):
        copy_solutions(klass / name)
    out = tmp_path / "out"
    kill_the_server_once(monkeypatch, "b_victim", tmp_path / "killed", during_a_call)
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


def slow_solutions(folder: Path) -> Path:
    """The solutions, loading 2 s slower (a sleep when ``activations`` is imported)."""
    copy_solutions(folder)
    module = folder / "activations.py"
    module.write_text("import time\ntime.sleep(2)\n" + module.read_text(encoding="utf-8"),
                      encoding="utf-8")
    return folder


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def maps_torch(pid: int) -> bool:
    return "libtorch_cpu" in Path(f"/proc/{pid}/maps").read_text()


def launchers_of(template_pid: int) -> list[int]:
    """The template's children that are a server's launcher (a grading process holds a pidfd
    of its launcher; a launcher holds none)."""
    return [pid for pid in children(template_pid) if pidfds(pid) == 0]


def test_the_batchs_own_processes_never_import_torch(tmp_path):
    """``grade batch --jobs 2``: the batch's process and its workers never load torch; the
    template's children are the two grading processes and their servers' launchers."""
    klass = tmp_path / "class"
    for name in ("a", "b", "c", "d"):
        slow_solutions(klass / name)
    grade = Path(sys.executable).with_name("grade")
    batch = subprocess.Popen([str(grade), "batch", str(klass), "-o", str(tmp_path / "out"),
                              "--seed", "2", "--jobs", "2"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = None
    deadline = time.monotonic() + 120   # a generous wait
    while batch.poll() is None and time.monotonic() < deadline and seen is None:
        try:
            below = children(batch.pid)
            tmpl = [pid for pid in below
                    if b"grader.sandbox.template" in Path(f"/proc/{pid}/cmdline").read_bytes()]
            if tmpl and len(children(tmpl[0])) == 4 and len(launchers_of(tmpl[0])) == 2:
                seen = {pid: maps_torch(pid) for pid in [batch.pid, *below]}, tmpl[0]
        except OSError:   # a process ended meanwhile: look again
            pass
        time.sleep(0.05)
    _out, err = batch.communicate(timeout=300)
    assert batch.returncode == 0, err
    assert seen is not None, "never saw two grading processes and two launchers"
    torch_loaded, tmpl = seen
    assert torch_loaded == {pid: pid == tmpl for pid in torch_loaded}
    book = gradebook.read(tmp_path / "out" / "gradebook.csv")
    assert [row["score"] for row in book] == ["100"] * 4


def grade_after_first(tmp_path: Path, then) -> list[tuple[int, str]]:
    """Grade four slow submissions with one worker and call ``then(template)`` as soon as
    the first is graded (while the second loads): each index with its score or reason."""
    klass = tmp_path / "class"
    paths = [slow_solutions(klass / name) for name in ("a", "b", "c", "d")]
    rows = []
    with Workers(options(), 1) as workers:
        assert workers.template is not None
        for index, report, reason in workers.grade(paths):
            if not rows:
                then(workers.template)
            rows.append((index, f"{report.score:g}" if report else reason))
    return sorted(rows)


def test_a_killed_server_costs_one_row_and_a_fresh_grading_process_goes_on(tmp_path):
    def kill_the_server(shared: template.Template) -> None:
        for launcher in launchers_of(shared.process.pid):
            os.kill(launcher, signal.SIGKILL)   # its server dies with it

    rows = grade_after_first(tmp_path, kill_the_server)
    assert [score for _index, score in rows[:1] + rows[2:]] == ["100"] * 3
    assert "the grader failed" in rows[1][1], rows


def test_a_killed_template_costs_no_row(tmp_path):
    """Its grading processes and their servers outlive it; were one to fail, its worker
    would grade in a process of its own."""
    def kill_the_template(shared: template.Template) -> None:
        os.kill(shared.process.pid, signal.SIGKILL)

    rows = grade_after_first(tmp_path, kill_the_template)
    assert [score for _index, score in rows] == ["100"] * 4


def test_a_killed_grading_process_costs_one_row_and_is_replaced(tmp_path):
    def kill_the_grading_process(shared: template.Template) -> None:
        launchers = launchers_of(shared.process.pid)
        for pid in children(shared.process.pid):
            if pid not in launchers:
                os.kill(pid, signal.SIGKILL)

    rows = grade_after_first(tmp_path, kill_the_grading_process)
    assert [score for _index, score in rows[:1] + rows[2:]] == ["100"] * 3
    assert "the grading process ended unexpectedly" in rows[1][1], rows
