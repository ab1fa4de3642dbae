"""The release notebooks executed in a real Jupyter kernel (nbclient): the last cell grades
that notebook's module with check(), in the kernel's own interpreter.

Filled with the reference code, a notebook gets all of its module's points; untouched, 0,
one line per function. Kernels start slowly on a loaded machine: the timeouts are generous.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import shutil
from pathlib import Path

import nbclient
import nbformat
import pytest

from grader.checks import CHECK
from grader.classroom.notebooks import METADATA_KEY
from grader.classroom.release import build_release
from grader.contract import MODULES

#: Seconds: a kernel's start, and one cell (the first check() starts the sandbox).
STARTUP, CELL = 600, 600


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_LANG", "en")   # the kernel inherits the environment


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release")
    build_release(out)
    return out / "notebooks"


def execute(path: Path) -> nbformat.NotebookNode:
    """Run every cell of the notebook at ``path`` in a fresh kernel, in its folder."""
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, timeout=CELL, startup_timeout=STARTUP,
                            kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def result_text(notebook: nbformat.NotebookNode) -> tuple[str, str]:
    """The last cell's result: its plain text and its HTML."""
    outputs = [o for o in notebook.cells[-1].outputs if o.output_type == "execute_result"]
    assert len(outputs) == 1, notebook.cells[-1].outputs
    return outputs[0].data["text/plain"], outputs[0].data["text/html"]


def fill(notebook_path: Path, module: str) -> None:
    """Replace each stub cell by the reference function, and the imports cell by the
    solution's module-level code (imports, helpers), as a student who finished would."""
    solution = importlib.import_module(f"solutions.{module}")
    source = inspect.getsource(solution)
    tree = ast.parse(source)
    helpers = [ast.get_source_segment(source, node) for node in tree.body[1:]
               if not (isinstance(node, ast.FunctionDef) and node.name in _contract(module))
               and not (isinstance(node, ast.ImportFrom) and node.level)]
    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        if cell.get("id") == "imports":
            cell.source = "\n\n".join(helpers)
        if METADATA_KEY in cell.metadata:
            name = cell.metadata[METADATA_KEY]["function"].split(".")[1]
            cell.source = inspect.getsource(getattr(solution, name))
    if module == "mlp":   # the activations it uses come from the activations notebook
        for cell in notebook.cells:
            if cell.get("id") == "imports":
                cell.source = "\n".join(h for h in helpers if not h.startswith("_ACTIVATIONS"))
            if cell.get("id") == "activations-load":
                cell.source += "\n\n" + next(h for h in helpers if h.startswith("_ACTIVATIONS"))
    nbformat.write(notebook, str(notebook_path))


def _contract(module: str) -> list[str]:
    from grader.contract import MODULES as contract
    return list(contract[module])


def _points(module: str) -> float:
    return sum(CHECK[f"{module}.{name}"].points for name in MODULES[module])


def _score(text: str) -> tuple[float, float]:
    found = re.search(r"Score: ([\d.]+) / ([\d.]+)", text)
    assert found, text
    return float(found.group(1)), float(found.group(2))


@pytest.mark.parametrize("module", list(MODULES))
def test_a_filled_notebook_gets_all_of_its_modules_points(notebooks: Path, tmp_path: Path,
                                                          module: str) -> None:
    for name in MODULES:
        shutil.copy(notebooks / f"{name}.ipynb", tmp_path)
    fill(tmp_path / f"{module}.ipynb", module)
    if module == "mlp":
        fill(tmp_path / "activations.ipynb", "activations")
    text, html = result_text(execute(tmp_path / f"{module}.ipynb"))
    assert _score(text) == (_points(module), _points(module)), text
    assert f"Graded only: {module}" in text
    assert "<table" in html and "failed" not in text


@pytest.mark.parametrize("module", list(MODULES))
def test_an_untouched_notebook_scores_0_with_one_line_per_function(
        notebooks: Path, tmp_path: Path, module: str) -> None:
    shutil.copy(notebooks / f"{module}.ipynb", tmp_path)
    text, _html = result_text(execute(tmp_path / f"{module}.ipynb"))
    assert _score(text) == (0, _points(module)), text
    assert text.count("not implemented yet") == len(MODULES[module]), text
    for name in MODULES[module]:
        assert len([line for line in text.splitlines() if f"{module}.{name} " in line]) == 1
