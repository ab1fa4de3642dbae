"""Speed of the student loop (``grade run --only``, ``grade watch``) in one run on one machine.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/loop.py``):

- baseline: a fresh ``python -c "import numpy, torch"``;
- ``grade run exercises --only activations``, start to finish, as a ratio to the baseline
  (runs interleaved with the baseline's, medians; target <= 1.1x);
- ``grade watch exercises --only activations``: from a scripted save of ``activations.py``
  to the end of the updated result on stdout (median over saves that alternate a wrong and
  a right ``relu``; target <= 0.3 s);
- ``check("activations")`` as a notebook calls it again after a change (the kernel's warm
  grader; median of the repeated calls, the first call, which starts the sandbox, apart).
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.bench import interleaved
from benchmarks.targets import finish, target

ROOT = Path(__file__).resolve().parent.parent
GRADE = str(Path(sys.executable).parent / "grade")
#: Appended to the stub module: a later definition wins.
WRONG_RELU = "\n\ndef relu(x):\n    return np.abs(x)\n"
RIGHT_RELU = "\n\ndef relu(x):\n    return np.maximum(x, 0)\n"


def stubs(folder: Path) -> Path:
    """A copy of the untouched exercises."""
    shutil.copytree(ROOT / "exercises", folder,
                    ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return folder


def run_only(folder: Path, runs: int) -> tuple[float, float]:
    """Medians of the baseline and of ``grade run --only activations``, runs interleaved."""
    return interleaved([GRADE, "run", str(folder), "--only", "activations", "--seed", "1"],
                       runs)


class Lines:
    """The lines a process writes, read by a thread, waited for with a generous timeout."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.queue.put(line)

    def until(self, needle: str, timeout: float = 120) -> float:
        """Wait for a line holding ``needle``; the time it arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=1)
            except queue.Empty:
                continue
            if needle in line:
                return time.perf_counter()
        raise SystemExit(f"grade watch did not print {needle!r} within {timeout} s")


def watch_latency(folder: Path, saves: int) -> list[float]:
    """Seconds from each scripted save to the end of ``grade watch``'s updated result."""
    module = folder / "activations.py"
    stub = module.read_text()
    process = subprocess.Popen([GRADE, "watch", str(folder), "--only", "activations",
                                "--seed", "1"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, "GRADER_LANG": "en"})
    lines = Lines(process)
    try:
        lines.until("Watching")
        latencies = []
        for index in range(saves):
            time.sleep(0.3)   # a student does not save twice within a grading
            saved = time.perf_counter()
            module.write_text(stub + (RIGHT_RELU if index % 2 else WRONG_RELU))
            latencies.append(lines.until("Score:") - saved)
        return latencies
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def check_repeat(calls: int) -> tuple[float, float]:
    """Seconds of the first ``check("activations")`` and median of the calls after it, on a
    namespace like a notebook's (numpy imported, relu written, the other functions stubs)."""
    import numpy as np

    from grader.kernel import check

    with tempfile.TemporaryDirectory() as tmp:
        cell = Path(tmp) / "cell.py"
        cell.write_text((ROOT / "exercises" / "activations.py").read_text() + RIGHT_RELU)
        namespace: dict = {"__name__": "__main__", "np": np}
        exec(compile(cell.read_text(), str(cell), "exec"), namespace)
        times = []
        for _ in range(calls + 1):
            start = time.perf_counter()
            check("activations", seed=1, namespace=namespace)
            times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of grade run and baseline")
    parser.add_argument("--saves", type=int, default=10, help="scripted saves in grade watch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        baseline, only = run_only(stubs(Path(tmp) / "run"), args.runs)
        print(f"baseline  python -c 'import numpy, torch'          {baseline:6.2f} s   (1.00x)")
        print(f"grade run exercises --only activations            {only:6.2f} s   "
              f"({only / baseline:.2f}x, {target('grade run --only', only / baseline, 1.1)})")
        latencies = watch_latency(stubs(Path(tmp) / "watch"), args.saves)
        median = statistics.median(latencies)
        print(f"grade watch --only activations, save -> result    {median:6.2f} s   "
              f"(median of {len(latencies)}, max {max(latencies):.2f} s, "
              f"{target('grade watch', median, 0.3, 's')})")
        first, again = check_repeat(args.saves)
        print(f"check('activations') in a kernel, called again    {again:6.2f} s   "
              f"(median of {args.saves}; the first call, starting the sandbox: {first:.2f} s)")
    finish()


if __name__ == "__main__":
    main()
