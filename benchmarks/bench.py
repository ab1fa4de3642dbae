"""Speed and memory of the grader, as ratios to a naive per-submission baseline.

Run ``make bench`` (or ``.venv/bin/python benchmarks/bench.py``). In one run on one machine:

- baseline: a fresh ``python -c "import numpy, torch"`` (median of several), what a naive
  grader pays per submission before running any student code;
- ``grade run`` on one correct submission, start to finish (median of several, its runs
  taken in turns with the baseline's);
- ``grade batch --jobs 2`` over classes of 40, 200 and 1,000 submissions (correct, buggy and
  crashing): wall time per submission, and from a second run that is not timed (watching
  memory slows a run) the peak memory (PSS, summed over the whole process tree),
  the peak of one worker's tree and of the template server's (which holds every worker's
  grading process and sandbox server: a local worker only relays); the class of 200 again
  with more workers (``--jobs 2 3``: the memory each extra worker adds);
- ``grade batch --scheduler`` over the same classes on a local Dask cluster of 2 worker
  processes (``dask scheduler`` and ``dask worker --nworkers 2 --nthreads 1`` on 127.0.0.1,
  started before the clock runs, each worker's grader started by the first class): wall
  time, and from a second run the peak memory of the client's and the cluster's trees, and
  of one worker's.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from benchmarks.targets import (BATCH_RATIO, BATCH_SIZE, MEMORY_PER_JOB, MEMORY_SIZE,
                                MEMORY_TWO_JOBS, RUN_RATIO, finish, target)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GRADE = str(BIN / "grade")
#: What a naive grader pays per submission before running any student code.
BASELINE = [sys.executable, "-c", "import numpy, torch"]

#: Submissions that break in different ways: the whole class is a mix of these and good ones.
CRASHING = {
    "syntax_error": {"losses.py": "def mse(y, y_hat)\n    return 0\n"},
    "segfault": {"activations.py": "import ctypes\n\ndef relu(x):\n"
                                   "    return ctypes.string_at(0)\n"},
    "exit_at_import": {"mlp.py": "import sys\nsys.exit(3)\n"},
}


def timed(command: list[str]) -> float:
    """Wall time of one command, which must succeed."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def interleaved(command: list[str], runs: int) -> tuple[float, float]:
    """Medians of the baseline's and of ``command``'s wall times, their runs taken in turns
    (after one run of ``command`` that warms the file cache), so that a machine that drifts
    (load, clock, caches) weighs on both alike."""
    timed(command)
    baseline, measured = [], []
    for _ in range(runs):
        baseline.append(timed(BASELINE))
        measured.append(timed(command))
    return statistics.median(baseline), statistics.median(measured)


#: The class's kinds of submission, in the order they repeat: 60% correct, 25% buggy, 15%
#: crashing.
KINDS = ["correct"] * 12 + ["buggy"] * 5 + list(CRASHING)


def make_class(folder: Path, size: int) -> None:
    """``size`` submissions of ``KINDS``, in turn."""
    folder.mkdir(parents=True)
    for index in range(size):
        make_submission(folder / f"student{index:04d}", KINDS[index % len(KINDS)])


def make_submission(target: Path, kind: str) -> None:
    """One submission of ``kind`` (one of ``KINDS``) at ``target``."""
    if kind == "buggy":
        shutil.copytree(ROOT / "examples" / "buggy_submission", target,
                        ignore=shutil.ignore_patterns("__pycache__"))
        return
    shutil.copytree(ROOT / "solutions", target,
                    ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    for name, source in CRASHING.get(kind, {}).items():
        (target / name).write_text(source)


def tree_pss(pid: int) -> int:
    """Proportional set size (bytes) of ``pid`` and all its descendants."""
    return over_tree(pid, pss)


def pss(pid: int) -> int:
    """Proportional set size (bytes) of ``pid`` alone."""
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


def over_tree(pid: int, measure: Callable[[int], float]) -> float:
    """The sum of ``measure`` over ``pid`` and all its descendants (a process that ended
    meanwhile, or cannot be read, counts nothing, nor do the processes below it)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            total += measure(current)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        stack.extend(children(current))
    return total


def children(pid: int) -> list[int]:
    """The direct children of ``pid``."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found.extend(int(c) for c in listing.read().split())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return found


def is_template(pid: int) -> bool:
    """Whether ``pid`` is a template server (which forks every local worker's grading process
    and server)."""
    try:
        return b"grader.sandbox.template" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def batch(folder: Path, out: Path, *options: str,
          workers: Callable[[], list[int]] | None = None,
          others: tuple[int, ...] = ()) -> tuple[float, int, int, int]:
    """Wall time of ``grade batch OPTIONS`` over ``folder``, then, from a second run into
    another folder, the peak memory of the whole tree (``grade batch``'s and the ``others``),
    of one worker's tree (the batch's children but the template, or the pids ``workers``
    gives) and of the template's tree (every local worker's grading process and server).

    Two runs, because sampling the tree's memory (every process's page tables walked 20
    times a second) slows the run it watches by a fifth on a 2-core machine (the class of
    200: 29 s unwatched, 36 s watched): the run that is timed is not watched.
    """
    command = [GRADE, "batch", str(folder), "--seed", "7", *options]
    elapsed = timed([*command, "-o", str(out.with_name(out.name + "-timed"))])
    return (elapsed, *peak_memory([*command, "-o", str(out)], workers, others))


def peak_memory(command: list[str], workers: Callable[[], list[int]] | None = None,
                others: tuple[int, ...] = ()) -> tuple[int, int, int]:
    """The peak memory of ``command``'s tree and the ``others``', of one worker's tree and of
    the template's tree, sampled every 50 ms while it runs (it must succeed)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = peak_worker = peak_template = 0

    def sample() -> None:
        nonlocal peak, peak_worker, peak_template
        while process.poll() is None:
            peak = max(peak, sum(tree_pss(pid) for pid in (process.pid, *others)))
            below = children(process.pid)
            templates = [pid for pid in below if is_template(pid)]
            each = [tree_pss(pid) for pid in (workers() if workers else
                                              [p for p in below if p not in templates])]
            peak_worker = max([peak_worker, *each])
            peak_template = max(peak_template, sum(map(tree_pss, templates)))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = process.wait()
    sampler.join()
    if code != 0:
        raise SystemExit(f"grade batch exited with {code}")
    return peak, peak_worker, peak_template


class DaskCluster:
    """``dask scheduler`` and ``dask worker --nworkers N --nthreads 1`` on 127.0.0.1 (a free
    port), each in a process group of its own, stopped on leaving."""

    def __init__(self, folder: Path, workers: int = 2):
        self.folder, self.workers = folder, workers
        self.processes: list[subprocess.Popen] = []
        self.address = ""
        self.workers_pids: list[int] = []

    def __enter__(self) -> "DaskCluster":
        self.folder.mkdir(parents=True, exist_ok=True)
        file = self.folder / "scheduler.json"
        try:
            self._start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                        "--scheduler-file", str(file))
            deadline = time.monotonic() + 120
            while not (file.exists() and file.read_text()):
                if time.monotonic() > deadline or self.processes[0].poll() is not None:
                    raise SystemExit("the Dask scheduler did not start")
                time.sleep(0.2)
            self.address = json.loads(file.read_text())["address"]
            self._start("worker", self.address, "--nworkers", str(self.workers),
                        "--nthreads", "1", "--no-dashboard", "--local-directory",
                        str(self.folder))
            from distributed import Client

            with Client(self.address, timeout=120) as client:
                client.wait_for_workers(self.workers, timeout=180)
                self.workers_pids = list(client.run(os.getpid).values())
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass

    def pids(self) -> tuple[int, ...]:
        return tuple(process.pid for process in self.processes)

    def worker_pids(self) -> list[int]:
        """The worker processes (as they were once all had joined)."""
        return self.workers_pids

    def _start(self, *args: str) -> None:
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", "dask", *args], cwd=self.folder, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions for medians")
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, MEMORY_SIZE, BATCH_SIZE],
                        help="class sizes for grade batch")
    parser.add_argument("--jobs", type=int, nargs="+", default=[2, 3],
                        help="worker counts for grade batch: the first on every class size, "
                             f"the others on the class of {MEMORY_SIZE} (memory per extra "
                             "worker), else on the largest")
    parser.add_argument("--no-dask", action="store_true",
                        help="skip grade batch --scheduler on a local Dask cluster")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one"
        shutil.copytree(ROOT / "solutions", one, ignore=shutil.ignore_patterns("__pycache__"))
        baseline, run = interleaved([GRADE, "run", str(one), "--seed", "1"], args.runs)
        print(f"baseline  python -c 'import numpy, torch'   {baseline:6.2f} s   (1.00x)")
        print(f"grade run  one submission                  {run:6.2f} s   "
              f"({run / baseline:.2f}x, {target('grade run', run / baseline, RUN_RATIO)})")
        first, *more = args.jobs
        extra_at = MEMORY_SIZE if MEMORY_SIZE in args.sizes else max(args.sizes)
        peaks = {}
        for size in args.sizes:
            folder = Path(tmp) / f"class{size}"
            make_class(folder, size)
            for jobs in [first, *(more if size == extra_at else [])]:
                elapsed, peak, worker, servers = batch(
                    folder, Path(tmp) / f"out{size}-{jobs}", "--jobs", str(jobs))
                what = f"grade batch --jobs {jobs}, {size:4d} submissions"
                report(what, elapsed, size, baseline, peak, worker, servers,
                       goal=jobs == 2 and size == BATCH_SIZE)
                if size == MEMORY_SIZE:
                    memory(what, jobs, peak, peaks.setdefault(size, (jobs, peak)))
        if not args.no_dask and importlib.util.find_spec("distributed") is not None:
            with DaskCluster(Path(tmp) / "cluster", workers=2) as cluster:
                for size in args.sizes:
                    elapsed, peak, worker, _servers = batch(
                        Path(tmp) / f"class{size}", Path(tmp) / f"dask{size}", "--scheduler",
                        cluster.address, workers=cluster.worker_pids, others=cluster.pids())
                    report(f"grade batch --scheduler (2 Dask workers), {size:4d} submissions",
                           elapsed, size, baseline, peak, worker)
    finish()


def report(what: str, elapsed: float, size: int, baseline: float, peak: int,
           worker: int, servers: int = 0, goal: bool = False) -> None:
    """One class's line: time, ratio (with its target when ``goal``), the peak memory of
    all, of one worker's tree, and of the template's tree (``servers``: every local worker's
    grading process and server, forked from it)."""
    per = elapsed / size
    aim = f", {target(what.strip(), per / baseline, BATCH_RATIO)}" if goal else ""
    print(f"{what}   {elapsed:6.2f} s   {per:.3f} s each ({per / baseline:.3f}x{aim})   "
          f"peak {peak / 2**20:.0f} MiB, one worker {worker / 2**20:.0f} MiB"
          + (f" (grading processes and servers, in the template's tree: "
             f"{servers / 2**20:.0f} MiB)"
             if servers else ""))


def memory(what: str, jobs: int, peak: int, first: tuple[int, int]) -> None:
    """The peak memory's targets: ``MEMORY_TWO_JOBS`` at ``--jobs 2``, and at most
    ``MEMORY_PER_JOB`` more for each worker beyond the ``first`` run's (jobs, peak)."""
    mib = peak / 2**20
    if jobs == 2:
        print(f"    peak memory {mib:.0f} MiB "
              f"({target(what + ' peak memory', mib, MEMORY_TWO_JOBS, 'MiB')})")
    if jobs > first[0]:
        extra = (peak - first[1]) / 2**20 / (jobs - first[0])
        print(f"    {extra:+.0f} MiB per worker beyond {first[0]} "
              f"({target(what + ' memory per extra worker', extra, MEMORY_PER_JOB, 'MiB')})")


if __name__ == "__main__":
    main()
