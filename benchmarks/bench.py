"""Speed and memory of the grader, as ratios to a naive per-submission baseline.

Run ``make bench`` (or ``.venv/bin/python benchmarks/bench.py``). In one run on one machine:

- baseline: a fresh ``python -c "import numpy, torch"`` (median of several), what a naive
  grader pays per submission before running any student code;
- ``grade run`` on one correct submission, start to finish (median of several);
- ``grade batch --jobs 2`` over classes of 40 and 200 submissions (correct, buggy and crashing),
  wall time per submission and the peak memory (PSS, summed over the whole process tree).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.targets import finish, target

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GRADE = str(BIN / "grade")

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


def median_time(command: list[str], runs: int) -> float:
    return statistics.median(timed(command) for _ in range(runs))


def make_class(folder: Path, size: int) -> None:
    """``size`` submissions: 60% correct, 25% buggy, 15% crashing."""
    folder.mkdir(parents=True)
    kinds = ["correct"] * 12 + ["buggy"] * 5 + list(CRASHING) * 1
    for index in range(size):
        kind = kinds[index % len(kinds)]
        target = folder / f"student{index:04d}"
        if kind == "correct":
            shutil.copytree(ROOT / "solutions", target,
                            ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
        elif kind == "buggy":
            shutil.copytree(ROOT / "examples" / "buggy_submission", target,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copytree(ROOT / "solutions", target,
                            ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
            for name, source in CRASHING[kind].items():
                (target / name).write_text(source)


def tree_pss(pid: int) -> int:
    """Proportional set size (bytes) of ``pid`` and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def batch(folder: Path, out: Path) -> tuple[float, int]:
    """Wall time and peak memory of ``grade batch --jobs 2`` over ``folder``."""
    command = [GRADE, "batch", str(folder), "-o", str(out), "--jobs", "2", "--seed", "7"]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, tree_pss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = process.wait()
    elapsed = time.perf_counter() - start
    sampler.join()
    if code != 0:
        raise SystemExit(f"grade batch exited with {code}")
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions for medians")
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 200],
                        help="class sizes for grade batch")
    args = parser.parse_args()

    baseline = median_time([sys.executable, "-c", "import numpy, torch"], args.runs)
    print(f"baseline  python -c 'import numpy, torch'   {baseline:6.2f} s   (1.00x)")

    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one"
        shutil.copytree(ROOT / "solutions", one, ignore=shutil.ignore_patterns("__pycache__"))
        run = median_time([GRADE, "run", str(one), "--seed", "1"], args.runs)
        print(f"grade run  one submission                  {run:6.2f} s   "
              f"({run / baseline:.2f}x, {target('grade run', run / baseline, 1.5)})")
        for size in args.sizes:
            folder = Path(tmp) / f"class{size}"
            make_class(folder, size)
            elapsed, peak = batch(folder, Path(tmp) / f"out{size}")
            per = elapsed / size
            print(f"grade batch --jobs 2, {size:4d} submissions   {elapsed:6.2f} s   "
                  f"{per:.3f} s each ({per / baseline:.3f}x, "
                  f"{target(f'grade batch, {size}', per / baseline, 0.25)})   "
                  f"peak {peak / 2**20:.0f} MiB")
    finish()


if __name__ == "__main__":
    main()
