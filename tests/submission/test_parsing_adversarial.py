"""The grader's own parsing of student code (tests/adversarial/deep_nesting): ``ast.parse``
in this process (the bundle's stub detection, the similarity check) can raise MemoryError or
RecursionError; that is the submission's result, never the grader's failure."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.submission import load
from grader.submission.combine import _overlay, _stubs_in
from tests.bounded import MEGABYTE, bounded

ROOT = Path(__file__).resolve().parents[2]
MEMORY = "x = " + "-" * 200_000 + "1\n"          # ast.parse: MemoryError
RECURSION = "y = a" + ".b" * 300_000 + "\n"       # ast.parse: RecursionError


def bundle(folder: Path) -> Path:
    """The deep_nesting case: a bundle whose exercises/ and notebooks/ nest too deeply."""
    shutil.copytree(ROOT / "exercises", folder / "exercises",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "exercises" / "activations.py").write_text(MEMORY, encoding="utf-8")
    (folder / "notebooks").mkdir()
    honest = (ROOT / "tests" / "adversarial" / "_honest" / "losses.py").read_text()
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(RECURSION), nbformat.v4.new_code_cell(honest)]),
        folder / "notebooks" / "losses.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(MEMORY)]),
                   folder / "notebooks" / "activations.ipynb")
    return folder


def test_parsing_that_runs_out_of_memory_or_stack_is_the_submissions(tmp_path: Path) -> None:
    submission = load(bundle(tmp_path / "student"))
    assert "activations.py" in [u.name for u in submission.units if u.kind == "module"]
    overlaid = [u.name for u in submission.units if u.kind == "overlay"]
    assert overlaid and all(name.startswith("losses.ipynb") for name in overlaid)


def test_the_parent_parses_a_megabyte_of_its_worst_input(tmp_path: Path) -> None:
    for source in ("-" * MEGABYTE + "1", "a" + ".b" * (MEGABYTE // 2), "(" * MEGABYTE,
                   "\n" * MEGABYTE):
        assert bounded(_stubs_in, source, ("relu",)) in (set(), {"relu"})
        assert bounded(_overlay, source, {"relu"}) is None


@pytest.mark.parametrize("fmt", ["json", "gradescope", "github"])
def test_every_machine_format_gets_a_result(fmt: str, tmp_path: Path) -> None:
    folder = bundle(tmp_path / "student")
    grade = Path(sys.executable).with_name("grade")
    done = subprocess.run([str(grade), "run", str(folder), "--format", fmt, "--seed", "1",
                           "--timeout", "20", "--only", "losses"], capture_output=True,
                          text=True, timeout=900, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip()
    if fmt != "github":
        document = json.loads(done.stdout)
        assert document["score"] > 0


def test_the_similarity_check_still_reports(tmp_path: Path) -> None:
    from grader.classroom.similarity import similar_pairs

    honest = ROOT / "tests" / "adversarial" / "_honest"
    for name in ("alice", "bob"):
        shutil.copytree(honest, tmp_path / name)
    bundle(tmp_path / "mallory")
    (tmp_path / "eve").mkdir()
    (tmp_path / "eve" / "losses.py").write_text("z = 1 " * (MEGABYTE // 8), encoding="utf-8")
    pairs = bounded(similar_pairs, {n: tmp_path / n for n in ("alice", "bob", "mallory", "eve")},
                    0.5, seconds=600)
    assert [(p.first, p.second) for p in pairs][:1] == [("alice", "bob")]
