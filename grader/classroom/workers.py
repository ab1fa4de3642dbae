"""Grade many submissions in parallel worker processes, each with its own ``Grader``.

Processes rather than threads: the parent's share of grading (oracles, comparisons,
diagnoses) is Python, so threads would queue on one interpreter lock. Workers are forked
from this process, which already has numpy and torch imported, before any of them starts its
sandbox; each computes the cases of the seed once and grades submissions one after another.
Only trusted grader processes exchange pickles here: reports travel as plain dicts.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import sys
from typing import Any, Iterator

from grader.grading import Grader, Options
from grader.i18n import language, set_language
from grader.report.model import Report
from grader.submission import Submission

#: How often (seconds) the parent checks that its workers are alive while it waits.
POLL_SECONDS = 0.5


class Workers:
    """``jobs`` worker processes; ``grade`` yields ``(index, report, error)`` as they finish."""

    def __init__(self, options: Options, jobs: int):
        self.context = multiprocessing.get_context("fork")
        self.tasks = self.context.Queue()
        self.results = self.context.Queue()
        self.processes = [self.context.Process(target=_work, daemon=True, name=f"grade-{n}",
                                               args=(options, language(), self.tasks,
                                                     self.results))
                          for n in range(jobs)]
        self.warnings: list[str] = []

    def __enter__(self) -> "Workers":
        for process in self.processes:
            process.start()
        for _process in self.processes:
            kind, payload = self._next()
            if kind == "failed":
                self.close()
                raise RuntimeError(payload)
            self.warnings = payload
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def grade(self, submissions: list[Submission]) -> Iterator[tuple[int, Report | None, str]]:
        """Grade every submission; a worker that dies costs only the submission it held."""
        for index, submission in enumerate(submissions):
            self.tasks.put((index, submission))
        for _process in self.processes:
            self.tasks.put(None)
        pending = set(range(len(submissions)))
        held: dict[int, int] = {}            # worker pid -> index of the submission it holds
        while pending:
            kind, payload = self._next(held)
            if kind == "start":
                pid, index = payload
                held[pid] = index
            elif kind == "done":
                pid, index, report, error = payload
                held.pop(pid, None)
                pending.discard(index)
                yield index, Report.from_dict(report) if report else None, error
            elif kind == "died":
                pid, index = payload
                pending.discard(index)
                yield index, None, f"the grading process ended unexpectedly ({pid})"
            elif kind == "failed":
                for index in sorted(pending):
                    yield index, None, payload
                return

    def close(self) -> None:
        """Stop every worker; each closes its sandbox, so nothing it started outlives this."""
        self.tasks.cancel_join_thread()     # tasks nobody will take must not block our exit
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()

    def _next(self, held: dict[int, int] | None = None) -> tuple[str, Any]:
        """The next message from a worker; "died" for a worker that vanished mid-task,
        "failed" when no worker is left to answer."""
        while True:
            try:
                return self.results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                dead = [p for p in self.processes if not p.is_alive()]
                for process in dead:
                    if held and process.pid in held:
                        return "died", (process.pid, held.pop(process.pid))
                if held is None and dead or len(dead) == len(self.processes):
                    return "failed", "a grading process exited ({code})".format(
                        code=dead[0].exitcode)


def _work(options: Options, lang: str, tasks: Any, results: Any) -> None:
    """A worker: start a grader, then grade what the queue holds until it is empty."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)         # the parent decides about Ctrl-C
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # closes the sandbox on the way out
    set_language(lang)
    try:
        grader = Grader(options).__enter__()
    except Exception as error:  # reported to the parent, which gives up cleanly
        results.put(("failed", f"{type(error).__name__}: {error}"))
        return
    with grader:
        results.put(("ready", grader.warnings))
        pid = multiprocessing.current_process().pid
        while (task := tasks.get()) is not None:
            index, submission = task
            results.put(("start", (pid, index)))
            try:
                report, error = grader.grade(submission).to_dict(), ""
            except Exception as exception:  # a grader failure costs this submission only
                report, error = None, f"{type(exception).__name__}: {exception}"
            results.put(("done", (pid, index, report, error)))
