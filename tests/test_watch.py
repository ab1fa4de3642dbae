"""``grade watch``, driven through saves in a subprocess (lines awaited with generous
timeouts; no assertion on elapsed time)."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.i18n import set_language
from grader.report.model import ERROR, PASSED, UNLOADABLE, Report
from grader.report.model import TestResult as Result
from grader.watch import regrade_lines
from tests.signals import interruptible

ROOT = Path(__file__).resolve().parent.parent
#: Generous: CI machines are loaded.
WAIT = 120


class Watch:
    """``grade watch`` on a submission; the lines it prints, awaited one by one."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader", "watch", *args], cwd=cwd, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=interruptible,
            env={**os.environ, "GRADER_LANG": "en", "PYTHONUNBUFFERED": "1"})
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip())

    def until(self, needle: str) -> list[str]:
        """The lines printed up to and with the first one that holds ``needle``."""
        seen, deadline = [], time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                seen.append(self.lines.get(timeout=1))
            except queue.Empty:
                continue
            if needle in seen[-1]:
                return seen
        raise AssertionError(f"no line with {needle!r} within {WAIT} s; got {seen}")

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()     # fail the test, leave nothing running
            raise
        return code, self.process.stderr.read()


@pytest.fixture
def stubs(tmp_path) -> Path:
    folder = tmp_path / "exercises"
    shutil.copytree(ROOT / "exercises", folder, ignore=shutil.ignore_patterns("__*"))
    return folder


def test_two_saves_a_syntax_error_and_ctrl_c(stubs, tmp_path):
    module = stubs / "activations.py"
    stub = module.read_text()
    watch = Watch(str(stubs), "--only", "activations", "--seed", "4", cwd=tmp_path)
    try:
        first = watch.until("Watching")
        assert any("Score: 0 / 23" in line for line in first)
        assert sum("not implemented yet" in line for line in first) == 8

        module.write_text(stub + "\n\ndef relu(x):\n    return np.maximum(x, 0)\n\n"
                          "def sigmoid(x):\n    return x\n")
        saved = watch.until("Score:")
        assert any("relu: now passes all 2 tests" in line for line in saved)
        assert any("sigmoid: now fails" in line for line in saved)
        assert not any("tanh" in line for line in saved)      # untouched stubs stay quiet
        assert any("activations.sigmoid:" in line for line in saved)   # the new failure's details
        assert saved[-1].strip() == "Score: 2 / 23 (was 0)"

        module.write_text(stub + "\n\ndef relu(x)\n    return x\n")
        broken = watch.until("fix it and save again")
        assert "SyntaxError" in broken[-1]
        assert "Traceback" not in "\n".join(broken)

        module.write_text(stub + "\n\ndef relu(x):\n    return np.maximum(x, 0)\n\n"
                          "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n")
        fixed = watch.until("Score:")
        # measured against the last grading that loaded: relu did not change since
        assert any("sigmoid: now passes" in line for line in fixed)
        assert not any("relu:" in line for line in fixed)
    finally:
        code, err = watch.stop()
    assert code in (0, 130)
    assert err.strip() == "grade: stopped watching"


def test_a_single_notebook_or_file_is_watched_too(tmp_path):
    file = tmp_path / "mine.py"
    file.write_text("import numpy as np\n\ndef relu(x):\n    return x\n")
    watch = Watch(str(file), "--only", "relu", "--seed", "4", cwd=tmp_path)
    try:
        watch.until("Watching")
        (tmp_path / "other.py").write_text("x = 1\n")        # not the submission: ignored
        file.write_text("import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)\n")
        saved = watch.until("Score:")
        assert saved[0].split("] ")[1].startswith("mine.py saved")
        assert any("relu: now passes all 2 tests" in line for line in saved)
    finally:
        code, err = watch.stop()
    assert code in (0, 130) and "Traceback" not in err


def test_a_bundles_root_is_watched_in_its_notebooks(tmp_path):
    import nbformat

    from grader.classroom.release import build_release

    build_release(tmp_path / "repo", lang="en")
    notebook_path = tmp_path / "repo" / "notebooks" / "activations.ipynb"
    watch = Watch(".", "--only", "relu", "--seed", "4", "--lang", "en", cwd=tmp_path / "repo")
    try:
        watch.until("Watching")
        notebook = nbformat.read(notebook_path, as_version=4)
        next(c for c in notebook.cells if c.get("id") == "relu").source = \
            "def relu(x):\n    return np.maximum(x, 0)"
        nbformat.write(notebook, str(notebook_path))   # Jupyter saving the notebook
        saved = watch.until("Score:")
        assert saved[0].split("] ")[1].startswith("activations.ipynb saved")
        assert any("relu: now passes all 2 tests" in line for line in saved)
    finally:
        code, err = watch.stop()
    assert code in (0, 130) and "Traceback" not in err


def test_a_save_that_breaks_loading_shows_only_the_error_and_no_escapes():
    set_language("en")
    try:
        good = Report("s", 1, tests=[Result("activations.relu", "random", 1.0, 1.0, PASSED)])
        broken = Report("s", 1, unloaded={"activations.py": "SyntaxError \x1b[31m (line 3)"},
                        tests=[Result("activations.relu", "random", 1.0, 0.0, ERROR,
                                      diagnosis=UNLOADABLE)])
        lines = regrade_lines(good, broken, "activations.py", 0.1).splitlines()
    finally:
        set_language(None)
    assert len(lines) == 2 and "activations.py saved" in lines[0]
    assert lines[1].strip() == ("activations.py could not be loaded: SyntaxError \\x1b[31m "
                                "(line 3); fix it and save again")
