"""Where a submission's CPU goes, for each kind of the benchmark's class.

Run ``.venv/bin/python -m benchmarks.cost`` (about two minutes). One grading process, as a
batch worker, takes each kind of submission (``bench.KINDS``: correct, buggy, crashing) ten
times, three ways:

- ``open``: a child forked, confined, loaded with the submission and ended, nothing run;
- ``cases``: the same, and every test's cases run in it and their outcomes read, nothing
  compared: the least that grading every case in a confined child costs;
- ``graded``: ``grade batch``'s worker loop in full (judging, diagnoses, shrinking, the
  report and its text).

It prints the CPU per submission of the grading process and of its sandbox (the server and
the children it forks), read from ``/proc`` (per-process clocks may advance in ticks, hence
ten of each), and the wall time. Issue
25's 0.05x target is about 150 ms of CPU a submission in all on two cores.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

from benchmarks.bench import KINDS, children, make_submission, over_tree
from grader.checks import CHECKS
from grader.classroom.workers import _grade_one
from grader.contract import FROM_SCRATCH, module_of
from grader.grading import Grader, Options
from grader.submission import load

TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """Seconds of CPU ``pid`` and all its descendants used, those they waited for included."""
    return over_tree(pid, cpu)


def cpu(pid: int) -> float:
    """Seconds of CPU ``pid`` used, and the children it waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / TICK   # utime stime cutime cstime


def sandbox_cpu() -> float:
    """Seconds of CPU this process's sandbox used: its server and the server's children."""
    return sum(tree_cpu(pid) for pid in children(os.getpid()))


def grading(grader: Grader, way: str) -> Callable[[Path], None]:
    """What grading one submission ``way`` does."""
    def open_only(path: Path) -> None:
        with grader.sandbox.open(load(path)):
            pass

    def cases(path: Path) -> None:
        with grader.sandbox.open(load(path)) as session:
            for check in CHECKS:
                if check.function not in session.available:
                    continue
                watched = module_of(check.function) in FROM_SCRATCH or bool(check.requires)
                for index in range(len(check.tests)):
                    calls = [(c.args, c.kwargs) for c in grader.plan.calls(check, index)]
                    for _outcome in session.calls(check.function, calls, scratch=watched):
                        pass

    def graded(path: Path) -> None:
        _grade_one(grader, str(path), None, None)

    return {"open": open_only, "cases": cases, "graded": graded}[way]


def measure(grader: Grader, path: Path, way: str, copies: int) -> tuple[float, float, float]:
    """Wall time, the grading process's CPU and the sandbox's: milliseconds a submission."""
    grade = grading(grader, way)
    grade(path)   # what a batch computes once: expected values, shrink candidates
    sandbox, wall, parent = sandbox_cpu(), time.perf_counter(), time.process_time()
    for _copy in range(copies):
        grade(path)
    used = (time.perf_counter() - wall, time.process_time() - parent, sandbox_cpu() - sandbox)
    return tuple(1000 * value / copies for value in used)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="submissions of each kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Grader(Options(seed=7)) as grader:
        grader.sandbox.warnings   # its server is up
        print(f"{'kind':15s} {'way':7s} {'wall':>6s} {'grader':>7s} {'sandbox':>8s} "
              f"{'CPU in all':>11s}   (ms a submission)")
        for kind in dict.fromkeys(KINDS):
            path = Path(tmp) / kind
            make_submission(path, kind)
            for way in ("open", "cases", "graded"):
                wall, parent, sandbox = measure(grader, path, way, args.copies)
                print(f"{kind:15s} {way:7s} {wall:6.0f} {parent:7.0f} {sandbox:8.0f} "
                      f"{parent + sandbox:11.0f}")


if __name__ == "__main__":
    main()
