"""The bundle's root: exercises/ and notebooks/ graded together, by the documented rule."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from grader.classroom.release import build_release
from grader.grading import grade_path
from grader.submission import load


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    build_release(out)
    return out


def _fill_notebook(path: Path, sources: dict[str, str]) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.get("id") in sources:
            cell.source = sources[cell.get("id")]
    nbformat.write(notebook, str(path))


def _write_exercise(path: Path, function: str, body: str) -> None:
    """Replace the stub's raise of ``function`` (in the bundle's language) by ``body``."""
    text = path.read_text(encoding="utf-8")
    stub = re.compile(rf'raise NotImplementedError\("[^"]*\b{function}\b[^"]*"\)')
    assert len(stub.findall(text)) == 1
    path.write_text(stub.sub(body, text), encoding="utf-8")


def test_the_written_function_wins_and_exercises_win_a_tie(bundle, tmp_path):
    import shutil
    root = tmp_path / "repo"
    shutil.copytree(bundle, root, ignore=shutil.ignore_patterns(".grader"))
    _fill_notebook(root / "notebooks" / "activations.ipynb", {
        "relu": "def _positive(x):\n    return np.maximum(x, 0)\n\n\ndef relu(x):\n"
                "    return _positive(x)\nprint('a test line that grading never runs')",
        "tanh": "def tanh(x):\n    return x  # wrong, but exercises/ wins when both are written",
        "sigmoid": "def sigmoid(x):\n    x = 1\n    raise ValueError('from the notebook')",
    })
    _write_exercise(root / "exercises" / "activations.py", "tanh", "return np.tanh(x)")
    submission = load(root)
    overlays = [u for u in submission.units if u.kind == "overlay"]
    assert {u.module for u in overlays} == {"activations"}
    assert any("relu, sigmoid" in note and "notebooks/activations.ipynb" in note
               for note in submission.notes)
    report = grade_path(root, seed=3, only="activations")
    scores = report.function_scores()
    assert scores["activations.relu"] == 2 and scores["activations.tanh"] == 2
    assert scores["activations.sigmoid"] == 0
    failing = next(t for t in report.tests if t.function == "activations.sigmoid")
    assert 'activations.ipynb: cell "def sigmoid(x):", line 3' in failing.message
    assert "a test line" not in report.output
    assert any("graded from notebooks/activations.ipynb" in n for n in report.notes)


def test_untouched_notebooks_change_nothing(bundle):
    submission = load(bundle)
    assert [u.kind for u in submission.units] == ["module"] * 5 and not submission.notes
