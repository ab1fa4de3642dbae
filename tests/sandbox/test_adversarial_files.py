"""Hostile submission *files*: each case folder under tests/adversarial/ with a ``files.json``
lays links, FIFOs or huge sparse files over the honest submission (``build`` of
test_adversarial.py does the rest: its other files are appended to the honest modules).

``files.json``: ``only`` (start from an empty folder instead of the honest one), ``links``
(entry -> target), ``fifos`` (entries made FIFOs), ``sparse`` (entry -> size: the entry's
content, then zeros up to the size, without using disk). ``@REPO@`` is the repository,
``@SECRET@`` a file outside the submission holding a marker.

The grader reads submissions in its own, unconfined process, so every case is about the
parent: a link is never followed (not to the solutions, not to a secret, not to /dev/zero),
a FIFO never blocks, a huge file is never read whole, and every honest function keeps its
marks. End to end: ``grade run``, ``grade batch`` and the Gradescope bundle.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.contract import FUNCTIONS, MODULES, module_of
from grader.submission import LoadError, load
from tests.sandbox.test_adversarial import (CASES_DIR, GENEROUS, ROOT, assert_nothing_left,
                                            build, function_points, graders)  # noqa: F401
from tests.submission.test_files import within

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

MARKER = "ZQ-SECRET-TOKEN-41"
#: case -> the modules whose functions must score 0 (every other function keeps its marks),
#: or None: the submission as a whole is refused with one line naming ``REFUSED[case]``.
FILE_CASES: dict[str, set[str] | None] = {
    "link_exercises_to_solutions": None,
    "link_module_to_solutions": {f"losses.{f}" for f in MODULES["losses"]},
    "link_helper_to_secret": {"losses.mse"},
    "fifo_module": {f"activations.{f}" for f in MODULES["activations"]},
    "dev_zero_module": {f"mlp.{f}" for f in MODULES["mlp"]},
    "huge_module": {f"losses.{f}" for f in MODULES["losses"]},
}
REFUSED = {"link_exercises_to_solutions": "exercises is a symbolic link"}
#: What the report must say about the refused entry.
SAYS = {"link_module_to_solutions": "losses.py is a symbolic link",
        "link_helper_to_secret": "leak.py is a symbolic link",
        "fifo_module": "activations.py is a named pipe",
        "dev_zero_module": "mlp.py is a symbolic link",
        "huge_module": "losses.py is larger than"}


def build_files(case: str, tmp_path: Path) -> Path:
    """The submission of ``case``, with its ``files.json`` laid over it."""
    secret = tmp_path / "secret.py"
    secret.write_text(f"TOKEN = {MARKER!r}\n", encoding="utf-8")
    submission = build(case, tmp_path)
    layout = json.loads((CASES_DIR / case / "files.json").read_text(encoding="utf-8"))
    (submission / "files.json").unlink()
    if layout.get("only"):
        shutil.rmtree(submission)
        submission.mkdir()
    marks = {"@REPO@": str(ROOT), "@SECRET@": str(secret)}
    for entry, target in layout.get("links", {}).items():
        for mark, value in marks.items():
            target = target.replace(mark, value)
        (submission / entry).unlink(missing_ok=True)
        (submission / entry).symlink_to(target)
    for entry in layout.get("fifos", []):
        (submission / entry).unlink(missing_ok=True)
        os.mkfifo(submission / entry)
    for entry, size in layout.get("sparse", {}).items():
        with open(submission / entry, "ab") as handle:
            handle.truncate(size)
    return submission


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_the_parent_reads_only_regular_files_of_the_submission(case: str, graders: Any,
                                                               tmp_path: Path) -> None:
    submission = build_files(case, tmp_path)
    zero = FILE_CASES[case]
    if zero is None:
        with pytest.raises(LoadError) as refusal:
            within(load, submission)
        assert REFUSED[case] in str(refusal.value) and "\n" not in str(refusal.value)
        return
    report = graders(GENEROUS).grade(within(load, submission))
    points = function_points(report)
    assert {f: points[f] for f in zero if points[f][0] != 0} == {}
    assert {f: points[f] for f in FUNCTIONS if f not in zero and points[f][0] != points[f][1]} \
        == {}
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    assert MARKER not in text and "root:" not in text
    assert SAYS[case] in text
    assert_nothing_left(submission)


def grade_command(*args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    grade = Path(sys.executable).with_name("grade")
    return subprocess.run([str(grade), *args], capture_output=True, text=True, timeout=300,
                          **kwargs)


def test_grade_run_refuses_an_exercises_link_to_the_solutions(tmp_path: Path) -> None:
    submission = build_files("link_exercises_to_solutions", tmp_path)
    done = grade_command("run", str(submission), "--seed", "1")
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("grade: error: ") and "exercises is a symbolic link" in line
    # The formats that must always hold a result hold a score of 0 and the reason.
    done = grade_command("run", str(submission), "--format", "gradescope", "--seed", "1")
    results = json.loads(done.stdout)
    assert results["score"] == 0 and all(t["score"] == 0 for t in results["tests"])
    assert "exercises is a symbolic link" in results["output"]


def test_grade_run_never_shows_the_graders_environment(tmp_path: Path) -> None:
    submission = build_files("link_helper_to_secret", tmp_path)
    done = grade_command("run", str(submission), "--format", "json", "--seed", "1",
                         "--timeout", "5", env={**os.environ, "ZQ_TOKEN": MARKER})
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert MARKER not in done.stdout and "ZQ_TOKEN" not in done.stdout
    assert 0 < report["score"] < 100


def test_grade_batch_gives_no_one_the_solutions_or_a_classmates_score(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    shutil.copytree(CASES_DIR / "_honest", klass / "alice")
    shutil.move(build_files("link_exercises_to_solutions", tmp_path), klass / "eve")
    (klass / "mallory").mkdir()
    for module in MODULES:                          # every module a link to a classmate's
        (klass / "mallory" / f"{module}.py").symlink_to(f"../alice/{module}.py")
    (klass / "trudy").symlink_to("alice")           # the entry itself a link
    (klass / "oscar.py").symlink_to(ROOT / "solutions" / "losses.py")
    out = tmp_path / "out"
    done = grade_command("batch", str(klass), "-o", str(out), "--seed", "1", "--jobs", "1",
                         "--timeout", "5")
    assert done.returncode == 0, done.stderr[-2000:]
    from grader.classroom import gradebook
    book = {row["submission"]: row for row in gradebook.read(out / "gradebook.csv")}
    assert book["alice"]["score"] == "100" and book["alice"]["status"] == "graded"
    for name in ("eve", "mallory", "trudy", "oscar.py"):
        assert book[name]["score"] == "0", name
        assert book[name]["status"].startswith("error: ") and "symbolic link" in \
            book[name]["status"], (name, book[name]["status"])
