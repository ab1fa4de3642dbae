"""``grade batch`` against a determined student and an unlucky instructor (issue #22): the
cases are described in ``tests/adversarial/<case>/case.json``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.classroom import workers
from grader.classroom.batch import run_batch
from grader.cli import make_options

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "adversarial"
SEED = 5


def case(name: str) -> dict:
    return json.loads((CASES / name / "case.json").read_text(encoding="utf-8"))


def options():
    return make_options(seed=SEED, hide_inputs=False, no_solutions=False, timeout=10.0,
                        memory=None)


def modules(source: Path, target: Path) -> None:
    """Lay the contract modules of ``source`` over ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for module in source.glob("*.py"):
        if not module.name.startswith("_"):
            shutil.copy(module, target / module.name)


def test_a_row_is_the_grade_of_the_bytes_graded(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The student swaps the honest modules in just while the grader loads them, and the
    stubs back right after: the row must stay the grade of what was loaded, and a rerun on
    the stubs must grade the stubs (it used to keep the stored 100)."""
    spec = case("swap_while_graded")
    stubs, honest = ROOT / spec["fingerprinted"], ROOT / spec["graded"]
    klass = tmp_path / "class"
    student = klass / "mallory"
    modules(stubs, student)
    load = workers.load

    def swapping(path: str):
        modules(honest, student)
        try:
            return load(path)
        finally:
            modules(stubs, student)

    monkeypatch.setattr(workers, "load", swapping)     # the workers are forked with it
    first = run_batch(klass, tmp_path / "out", options(), jobs=1, progress=False)
    assert first.records[0].report.score == 100
    monkeypatch.setattr(workers, "load", load)
    again = run_batch(klass, tmp_path / "out", options(), jobs=1, progress=False)
    assert (again.graded, again.reused) == (1, 0)
    assert again.records[0].report.score == 0
    third = run_batch(klass, tmp_path / "out", options(), jobs=1, progress=False)
    assert (third.graded, third.reused, third.records[0].report.score) == (0, 1, 0)
