"""Grade many submissions in parallel worker processes, each with its own ``Grader``.

Processes rather than threads: the grader's share of grading (oracles, comparisons,
diagnoses) is Python, so threads would queue on one interpreter lock. The batch starts the
template server (``grader.sandbox.template``: a fresh interpreter that imports numpy and
torch and nothing of the grader's), then forks its workers, before it reads a single
submission. Each worker asks the template for a grading process: the template forks a
server's launcher, then the grading process, which imports the grader in itself, starts its
``Grader`` on that server and, one path after another, loads a submission, grades it,
renders its text report and discards it; the worker relays the paths to it and what it says
back to the batch. So every grading process and every server shares the template's torch,
and neither the batch's process nor its workers import torch at all (the checks import it
where an oracle runs). Only trusted grader processes exchange pickles here: paths go out,
reports come back as plain dicts with their text.

When a grading process's sandbox fails (``SandboxFailure``: the fork server died), the
submission it held gets an error row saying the grader failed, never a score, and its worker
asks for a fresh grading process, with a fresh sandbox, for the next submissions; so does a
grading process the template forked that dies (killed, out of memory) once it has started
its grader, the row saying it ended. Where there
is no template (it could not start, or is gone), a worker forks the grading process from
itself while it is still clean (it never reads anything), and that process launches a
server of its own.

Nothing outlives the batch: a worker gets SIGTERM when the batch's process ends, however it
ends (``kill -9`` included: ``PR_SET_PDEATHSIG``), and a grading process when its worker
ends (a pidfd watched for it: the template, not the worker, is its parent); on SIGTERM a
worker stops its grading process, which closes its sandbox (whose server ends with it) and
exits without waiting for anyone to read its last result. The template dies with the
batch's process, and is stopped once no worker is left; the grading processes it forked
outlive it (they end with their workers), so a template that dies costs no row.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from contextlib import closing
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

from grader.grading import Grader, Options
from grader.i18n import _, language, set_language
from grader.report import text as text_report
from grader.report.model import Report
from grader.sandbox import template
from grader.sandbox.confine import die_with_parent
from grader.sandbox.server import wait_pidfd
from grader.sandbox.session import SandboxFailure
from grader.sandbox.template import Forked
from grader.submission import LoadError, load
from grader.submission.archive import discard
from grader.submission.fingerprint import fingerprint

#: How often (seconds) the parent checks that its workers are alive while it waits.
POLL_SECONDS = 0.5
#: The exit code of a grading process whose sandbox failed: its worker forks a fresh one.
RESTART = 75
#: Seconds a worker waits for its grading process to close its sandbox and end.
END_SECONDS = 120.0

#: A worker's task: the index of a path, the path, the fingerprint already known for it and
#: the name its report gets.
Task = tuple[int, str, str | None, str | None]


class Graded(NamedTuple):
    """What a worker made of one path: its report, else the reason there is none, and the
    fingerprint of what it loaded (None if it could not load it). ``unchanged``: what it
    loaded has the fingerprint the caller already knew, so it was not graded again."""

    index: int
    report: Report | None
    reason: str
    digest: str | None = None
    text: str = ""              # the report as ``grade run`` prints it, rendered by the worker

    @property
    def unchanged(self) -> bool:
        return self.report is None and not self.reason and self.digest is not None


class Workers:
    """``jobs`` worker processes, started on entering (before the caller reads any
    submission); ``grade`` yields ``(index, report, reason)`` as they finish."""

    def __init__(self, options: Options, jobs: int):
        self.context = multiprocessing.get_context("fork")
        self.tasks = self.context.Queue()
        self.results = self.context.Queue()
        self.processes = [self.context.Process(target=_work, daemon=True, name=f"grade-{n}",
                                               args=(options, language(), self.tasks,
                                                     self.results, os.getpid()))
                          for n in range(jobs)]
        self.ready = False                 # whether a worker has started its grader
        self.warnings: list[str] = []      # the grader's, as a worker that started says
        self.failure = ""                  # why a worker could not start its grader
        self.template: template.Template | None = None   # forks the grading processes

    def __enter__(self) -> "Workers":
        self.template = template.share()   # before the workers: they inherit its socket
        gc.freeze()   # what the workers inherit stays shared: no collection here copies it
        for process in self.processes:
            process.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def grade(self, paths: list[Path]) -> Iterator[tuple[int, Report | None, str]]:
        """Grade the submission at every path; a report, else the reason there is none."""
        for done in self.grade_known(paths, [None] * len(paths)):
            yield done.index, done.report, done.reason

    def grade_known(self, paths: list[Path], known: list[str | None],
                    names: list[str] | None = None) -> Iterator[Graded]:
        """Load the submission at every path and grade it unless what was loaded has the
        fingerprint ``known`` gives for it (then ``unchanged``); its report is named as
        ``names`` says. A worker that dies costs only the submission it held; RuntimeError
        if no worker could start its grader."""
        for index, path in enumerate(paths):
            self.tasks.put((index, str(path), known[index], names[index] if names else None))
        for _process in self.processes:
            self.tasks.put(None)
        pending = set(range(len(paths)))
        held: dict[int, int] = {}            # worker pid -> index of the submission it holds
        while pending:
            kind, payload = self._next(held)
            if kind == "ready":
                self.ready, self.warnings = True, payload
            elif kind == "failed":
                self.failure = payload
            elif kind == "start":
                pid, index = payload
                held[pid] = index
            elif kind == "done":
                pid, index, report, text, reason, digest = payload
                held.pop(pid, None)
                pending.discard(index)
                yield Graded(index, Report.from_dict(report) if report else None, reason,
                             digest, text)
            elif kind == "died":
                pid, index = payload
                pending.discard(index)
                yield Graded(index, None, _could_not(
                    _("the grading process ended unexpectedly ({pid})").format(pid=pid)))
            elif kind == "gone":
                if not self.ready:
                    raise RuntimeError(payload)
                for index in sorted(pending):
                    yield Graded(index, None, _could_not(payload))
                return

    def close(self) -> None:
        """Stop every worker (each closes its sandbox, so nothing it started outlives this),
        then the queues and the template."""
        self.tasks.cancel_join_thread()     # tasks nobody will take must not block our exit
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        for channel in (self.tasks, self.results):
            channel.close()
            channel.join_thread()
        if self.template is not None:
            self.template.close()
            self.template = None
        gc.unfreeze()   # no worker is left to share with: collect as usual again

    def _next(self, held: dict[int, int]) -> tuple[str, Any]:
        """The next message from a worker; "died" for a worker that vanished mid-task,
        "gone" when no worker is left to answer."""
        while True:
            try:
                return self.results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                dead = [p for p in self.processes if not p.is_alive()]
                for process in dead:
                    if process.pid in held:
                        return "died", (process.pid, held.pop(process.pid))
                if len(dead) == len(self.processes):
                    return "gone", self.failure or _(
                        "a grading process exited ({code})").format(code=dead[0].exitcode)


def _work(options: Options, lang: str, tasks: Any, results: Any, batch: int) -> None:
    """A worker: start a grading process, and a fresh one each time one's sandbox fails (or
    it dies, once started). It ends with the batch's process ``batch``, however that ends
    (SIGKILL included)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)         # the parent decides about Ctrl-C
    grading: list[Forked | int | None] = [None]   # the grading process, while there is one
    stopped = [False]

    def stop(*_args: object) -> None:   # the grading process closes its sandbox, then ends
        stopped[0] = True
        results.cancel_join_thread()    # nobody may read what is left: never wait for it
        if isinstance(grading[0], Forked):
            grading[0].terminate()
        elif grading[0]:
            _terminate(grading[0])
        else:   # none yet: one being started sees the end of its socket, or dies with us
            sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    if not _dies_with(batch):
        return
    while True:
        forked = template.fork_grading()
        if forked is None:   # no template: a grading process forked from this one
            code = _grade_in_fork(grading, options, lang, tasks, results)
        else:
            code = _relay(grading, *forked, options, lang, tasks, results)
        if code != RESTART or stopped[0]:
            return


def _relay(grading: list[Forked | int | None], process: Forked, sock: socket.socket,
           options: Options, lang: str, tasks: Any, results: Any) -> int | None:
    """Run a grading process the template forked: give it the options, then relay tasks to
    it and what it says to the batch until it ends; its exit code. One that dies after it
    started its grader costs only the submission it held (an error row, graded again next
    run) and is replaced (``RESTART``); one that dies before, None (this worker ends)."""
    worker, batch, code, task = os.getpid(), os.getppid(), None, None
    started, held = False, None
    grading[0] = process
    try:
        with Connection(sock.detach()) as channel:
            channel.send((options, lang, worker, list(sys.path), os.getcwd()))
            while True:
                kind, payload = channel.recv()
                if kind == "next":
                    task = _next_task(tasks, batch)
                    channel.send(task)
                    held, task = task[0] if task else None, None
                elif kind == "exit":
                    code = payload
                else:
                    started |= kind == "ready"
                    held = None if kind == "done" else held
                    results.put((kind, payload))
    except (EOFError, OSError):   # it has ended
        if task is not None:      # before it took this task: another worker grades it
            tasks.put(task)
    if code is None and started:   # it died: the submission it held is no score
        if held is not None:
            results.put(("done", (worker, held, None, "", _could_not(_(
                "the grading process ended unexpectedly ({pid})").format(pid=process.pid)),
                None)))
        code = RESTART
    try:
        process.wait(END_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
    finally:
        process.close()
        grading[0] = None
    return code


def serve(sock: socket.socket) -> int:
    """In a grading process the template forked: take its worker's options, then grade what
    the worker relays until it says stop (0) or the sandbox fails (``RESTART``)."""
    try:
        with Connection(sock.detach()) as channel:
            options, lang, worker, path, cwd = channel.recv()
            sys.path[:] = path
            os.chdir(cwd)
            _end_with(worker)

            def next_task() -> Task | None:
                channel.send(("next", None))
                return channel.recv()

            code = _grade_until_done(worker, options, lang, next_task, channel.send)
            channel.send(("exit", code))
            return code
    except (EOFError, OSError, SystemExit):   # the worker is gone, or told us to stop
        return 0


def _end_with(worker: int) -> None:
    """SIGTERM to this process when ``worker`` ends (its parent is the template, so
    ``PR_SET_PDEATHSIG`` cannot say it)."""
    pidfd = os.pidfd_open(worker)   # OSError if it has ended already

    def watch() -> None:
        wait_pidfd(pidfd, None, f"worker {worker}")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="worker-watch", daemon=True).start()


def _grade_in_fork(grading: list[Forked | int | None], options: Options, lang: str,
                   tasks: Any, results: Any) -> int:
    """Grade in a process forked from this worker, which is still clean (it never reads
    anything); its exit code."""
    worker = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            code = 0 if not _dies_with(worker) else _grade_until_done(
                worker, options, lang, lambda: _next_task(tasks, worker), results.put)
        except SystemExit:
            code = 0
        finally:
            if os.getppid() != worker or _stopping:
                results.cancel_join_thread()   # nobody may read: never wait for it
            results.close()
            results.join_thread()   # what was put reaches the parent
            os._exit(code)
    grading[0] = pid
    _pid, status = os.waitpid(pid, 0)
    grading[0] = None
    return os.waitstatus_to_exitcode(status)


def _terminate(pid: int) -> None:
    """SIGTERM to ``pid``; nothing if it has ended and been reaped meanwhile (a SIGTERM that
    arrives while ``waitpid`` reaps it runs this handler after the reaping)."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def _grade_until_done(worker: int, options: Options, lang: str,
                      next_task: Callable[[], Task | None], put: Callable[[Any], None]) -> int:
    """Start a grader, then grade the tasks ``next_task`` gives until it says stop (0), or
    until the sandbox fails (``RESTART``); what happens goes to the batch through ``put``."""
    signal.signal(signal.SIGTERM, _stop)   # closes the sandbox on the way out
    set_language(lang)
    try:
        grader = Grader(options).__enter__()   # launches the sandbox server before any loading
    except Exception as error:  # reported to the parent, which grades with the other workers
        put(("failed", f"{type(error).__name__}: {error}"))
        return 0
    with closing(grader):   # not ``with grader``: entering again would start a second sandbox
        put(("ready", grader.warnings))
        while (task := next_task()) is not None:
            index, path, known, name = task
            put(("start", (worker, index)))
            report, text, reason, digest, failed = _grade_one(grader, path, known, name)
            put(("done", (worker, index, report, text, reason, digest)))
            if failed:
                return RESTART
    return 0


#: Whether this grading process was told to stop (SIGTERM): it ends without waiting for
#: its last result to be read.
_stopping = False


def _stop(*_args: object) -> None:
    global _stopping
    _stopping = True
    sys.exit(0)


def _dies_with(parent: int) -> bool:
    """Have this process get SIGTERM when ``parent``, the process that forked it, ends (its
    handler then stops what it started); False if ``parent`` is already gone."""
    die_with_parent(signal.SIGTERM)
    return os.getppid() == parent


def _next_task(tasks: Any, parent: int) -> Task | None:
    """The next task, or None when the queue says stop or ``parent`` (the process that
    forked this one) is gone."""
    while os.getppid() == parent:
        try:
            return tasks.get(timeout=POLL_SECONDS)
        except queue.Empty:
            continue
    return None


def _grade_one(grader: Grader, path: str, known: str | None, name: str | None
               ) -> tuple[dict[str, Any] | None, str, str, str | None, bool]:
    """Load, fingerprint, grade and discard one submission: its report named ``name`` (when
    given) and that report's text (None and "" when what was loaded has the fingerprint
    ``known``: not graded again), else the reason there is none; the fingerprint of exactly
    what was loaded and graded; whether the sandbox failed (the grader must start afresh)."""
    try:
        submission = load(path)
    except LoadError as error:
        return None, "", str(error), None, False
    except Exception as error:  # an unexpected failure costs this submission only
        return None, "", _grader_failed(error), None, False
    try:
        digest = fingerprint(submission)
        if digest == known:
            return None, "", "", digest, False
        return *rendered(grader.grade(submission), name), "", digest, False
    except SandboxFailure as error:
        return None, "", _grader_failed(error), None, True
    except Exception as error:
        return None, "", _grader_failed(error), None, False
    finally:
        discard(submission)


def rendered(report: Report, name: str | None) -> tuple[dict[str, Any], str]:
    """``report``, named ``name`` when given, as plain data and as ``grade run`` prints it:
    rendered here, in the worker, so that the batch's own process, which saves every
    record, does not render every student's report too."""
    if name is not None:
        report.submission = name
    return report.to_dict(), text_report.render(report)


def _grader_failed(error: Exception) -> str:
    """The row of a submission the grader failed on: no score, graded again next time."""
    return _("the grader failed ({error}), not the submission: it is graded again on the "
             "next run").format(error=f"{type(error).__name__}: {error}")


def _could_not(error: str) -> str:
    return _("could not be graded: {error}").format(error=error)
