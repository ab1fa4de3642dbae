"""A child grading one student finds nothing of a classmate in its memory."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from grader.classroom.batch import run_batch
from grader.cli import make_options

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
#: Built at run time from two halves, so the spy's own source never holds a whole marker.
VICTIM, OWN = ("ZQVICTIM", "MARK"), ("ZQOWN", "MARK")
#: Run when the child imports it: the spy walks the whole heap reachable from the frames,
#: the modules and the collector, and answers wrongly in ``relu`` if it finds the classmate's
#: marker, in ``sigmoid`` if it misses its own (so the search is known to work).
SPY = '''

import gc as _gc
import sys as _sys


def _found(left, right):
    marker = left + right
    stack = list(_gc.get_objects()) + list(_sys.modules.values())
    frame = _sys._getframe(1)
    while frame is not None:
        stack += [frame.f_locals, frame.f_globals]
        frame = frame.f_back
    seen = set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            if marker in obj and obj is not marker:
                return True
        elif isinstance(obj, (bytes, bytearray)):
            if marker.encode() in obj:
                return True
        else:
            stack.extend(_gc.get_referents(obj))
    return False


if _found(*%r):
    def relu(x):
        return x * 0 + 1.0

if not _found(*%r):
    def sigmoid(x):
        return x * 0 + 1.0
''' % (VICTIM, OWN)


def copy_solutions(folder: Path) -> Path:
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__*"))
    return folder


def test_a_child_cannot_find_a_classmates_source(tmp_path):
    klass = tmp_path / "class"
    with (copy_solutions(klass / "a_victim") / "losses.py").open("a") as handle:
        handle.write("\n# %s%s\n" % VICTIM)
    spy = copy_solutions(klass / "b_spy")
    (spy / "activations.py").write_text(
        (SOLUTIONS / "activations.py").read_text(encoding="utf-8") + SPY, encoding="utf-8")
    with (spy / "losses.py").open("a") as handle:
        handle.write("\n# %s%s\n" % OWN)
    options = make_options(seed=3, hide_inputs=False, no_solutions=False, timeout=5.0,
                           memory=None)
    out = tmp_path / "out"
    run_batch(klass, out, options, jobs=1, progress=False)   # one worker grades both, in turn
    with (out / "gradebook.csv").open(encoding="utf-8-sig", newline="") as handle:
        book = {row["submission"]: row for row in csv.DictReader(handle)}
    victim, spy_row = book["a_victim"], book["b_spy"]
    assert spy_row["status"] == "graded", spy_row["status"]
    assert spy_row["activations.sigmoid"] == victim["activations.sigmoid"], "search is blind"
    assert spy_row["activations.relu"] == victim["activations.relu"], "classmate's code found"
