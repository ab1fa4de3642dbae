"""``grade release``: the student bundle is complete, valid, and free of solution code."""

from __future__ import annotations

import importlib
import inspect
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

import solutions
from grader.classroom.bundle import TORCH_CPU_INDEX, TORCH_VERSION
from grader.classroom.notebooks import METADATA_KEY
from grader.classroom.release import build_release
from grader.contract import FUNCTIONS, MODULES
from grader.grading import grade_path

MARKER = re.compile(r"^\s*# (BEGIN|END) SOLUTION\s*$", re.MULTILINE)
#: Lines too generic to betray a solution (comments, control flow).
GENERIC = ("#", "for ", "if ", "elif ", "else", "while ")
SOLUTIONS = Path(solutions.__file__).parent


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release")
    build_release(out)
    return out


def _text_files(root: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in root.rglob("*")
            if p.is_file() and p.suffix != ".pyc"}


def _solution_lines() -> set[str]:
    """Distinctive lines of the solutions' marked regions: long code found nowhere else."""
    distinctive = set()
    for path in SOLUTIONS.glob("*.py"):
        inside, hidden, shared = False, set(), []
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped in ("# BEGIN SOLUTION", "# END SOLUTION"):
                inside = stripped == "# BEGIN SOLUTION"
            elif inside and len(stripped) >= 20 and not stripped.startswith(GENERIC):
                hidden.add(stripped)
            elif not inside:
                shared.append(line)
        distinctive |= {line for line in hidden if line not in "\n".join(shared)}
    return distinctive


def test_bundle_holds_what_students_need(release: Path) -> None:
    for module in MODULES:
        assert (release / "exercises" / f"{module}.py").is_file()
        assert (release / "notebooks" / f"{module}.ipynb").is_file()
    readme = (release / "README.md").read_text(encoding="utf-8")
    for needle in ("grade run exercises/", "grade run notebooks/losses.ipynb", "--lang ko",
                   "pip install ./.grader", "%pip install ../.grader", "Colab",
                   'check("relu")', "grade watch exercises/ --only activations",
                   TORCH_CPU_INDEX, "설치"):
        assert needle in readme
    assert (release / ".grader" / "grader" / "locale" / "default").read_text().strip() == "ko"
    project = tomllib.loads((release / ".grader" / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["grade"] == "grader.command:main"
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["grader*"]
    assert (release / ".grader" / "grader" / "contract.py").is_file()
    assert (release / ".grader" / "grader" / "templates" / "classroom.yml").is_file()
    for rendered in ("README.md", ".gitignore", ".grader/pyproject.toml",
                     ".github/workflows/classroom.yml"):
        assert not re.search(r"@[A-Z_]+@", (release / rendered).read_text()), rendered


def test_every_explanation_of_the_notebooks_is_in_the_catalog() -> None:
    import ast

    import polib

    from grader.classroom.stubs import exercise_sources
    from grader.i18n import LOCALE_DIR

    catalog = {e.msgid: e.msgstr for e in polib.pofile(
        str(LOCALE_DIR / "ko" / "LC_MESSAGES" / "grader.po")).translated_entries()}
    for module, source in exercise_sources().items():
        tree = ast.parse(source)
        assert catalog.get(ast.get_docstring(tree)), module
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                assert catalog.get(ast.get_docstring(node)), f"{module}.{node.name}"


def test_release_in_korean_by_default_and_in_english(release: Path, tmp_path: Path) -> None:
    korean = nbformat.read(release / "notebooks" / "losses.ipynb", as_version=4)
    assert "## 채점" in next(c.source for c in korean.cells if c.get("id") == "check-doc")
    assert korean.cells[0].source.startswith("# `losses`\n\n손실 함수: 강의의 공식과")
    mse = next(c.source for c in korean.cells if c.get("id") == "mse-doc")
    assert "강의의 평균 제곱 오차" in mse and ">>> mse(y, np.zeros((2, 2)))" in mse
    assert "vars.GRADER_LANG || 'ko'" in (release / ".github/workflows/classroom.yml").read_text()
    build_release(tmp_path, lang="en")
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "# Deep Learning Basics exercises" in readme and not re.search("[가-힣]", readme)
    assert "vars.GRADER_LANG || 'en'" in (tmp_path / ".github/workflows/classroom.yml").read_text()
    notebook = nbformat.read(tmp_path / "notebooks" / "losses.ipynb", as_version=4)
    framing = [c.source for c in notebook.cells if c.get("id") in ("check-doc",)]
    assert framing and not re.search("[가-힣]", framing[0])
    assert "check(\"mse\")" in notebook.cells[0].source


def test_no_solution_code_anywhere(release: Path) -> None:
    assert not [p for p in release.rglob("*") if p.name in ("solutions", "__pycache__")]
    distinctive = _solution_lines()
    assert len(distinctive) > 10
    for path, text in _text_files(release).items():
        assert not MARKER.search(text), path
        leaked = [line for line in distinctive if line in text]
        assert not leaked, f"{path}: {leaked}"


def test_notebooks_are_valid_and_complete(release: Path) -> None:
    graded = set()
    for module in MODULES:
        notebook = nbformat.read(release / "notebooks" / f"{module}.ipynb", as_version=4)
        nbformat.validate(notebook)
        graded |= {c.metadata[METADATA_KEY]["function"] for c in notebook.cells
                   if METADATA_KEY in c.metadata}
        assert notebook.cells[0].cell_type == "markdown"
        assert notebook.cells[-1].source == f'from grader import check\n\ncheck("{module}")'
    assert graded == set(FUNCTIONS)


def test_workflow_installs_cpu_torch_and_reports(release: Path) -> None:
    text = (release / ".github" / "workflows" / "classroom.yml").read_text()
    assert "\t" not in text
    for needle in ("push", "repository_dispatch", "checks: write", "actions: read",
                   "contents: read", f'"torch=={TORCH_VERSION}" --index-url {TORCH_CPU_INDEX}',
                   "pip install ./.grader", "grade run . --format github",
                   "classroom-resources/autograding-grading-reporter@v1",
                   "DLGRADE025_RESULTS: \"${{ steps.dlgrade.outputs.dlgrade025 || "
                   "(env.GRADER_LANG == 'en' && '",
                   "runners: dlgrade025,", "vars.GRADER_LANG || 'ko'"):
        assert needle in text, needle
    import yaml
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}


def _filled(notebook: nbformat.NotebookNode, module: str) -> nbformat.NotebookNode:
    """``notebook`` with every stub cell replaced by the reference solution's source."""
    solution = importlib.import_module(f"solutions.{module}")
    for cell in notebook.cells:
        if METADATA_KEY in cell.metadata:
            name = cell.metadata[METADATA_KEY]["function"].split(".")[1]
            cell.source = inspect.getsource(getattr(solution, name))
    return notebook


def test_stubs_score_zero_and_a_filled_notebook_full_marks(release: Path, tmp_path: Path) -> None:
    assert grade_path(release / "exercises", seed=1).score == 0
    module = "linear_regression"
    notebook = nbformat.read(release / "notebooks" / f"{module}.ipynb", as_version=4)
    nbformat.write(_filled(notebook, module), tmp_path / f"{module}.ipynb")
    report = grade_path(tmp_path / f"{module}.ipynb", seed=1)
    points = {t.function: 0.0 for t in report.tests if t.function.startswith(f"{module}.")}
    maxima = dict(points)
    for test in report.tests:
        if test.function in points:
            points[test.function] += test.points
            maxima[test.function] += test.max_points
    assert points == maxima, [t.message for t in report.tests if t.points < t.max_points]


def test_bundled_grader_builds_with_its_data(release: Path, tmp_path: Path) -> None:
    source = shutil.copytree(release / ".grader", tmp_path / "src")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(source)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"grader/contract.py", "grader/templates/classroom.yml"} <= set(names)
    assert any(n.endswith(".po") for n in names)
    assert not [n for n in names if n.startswith("solutions/")]


def test_the_mlp_notebook_run_by_hand_loads_the_activations_notebook(
        release: Path, tmp_path: Path, monkeypatch) -> None:
    activations = nbformat.read(release / "notebooks" / "activations.ipynb", as_version=4)
    nbformat.write(_filled(activations, "activations"), tmp_path / "activations.ipynb")
    shutil.copy(release / "notebooks" / "mlp.ipynb", tmp_path / "mlp.ipynb")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    mlp = nbformat.read(tmp_path / "mlp.ipynb", as_version=4)
    forward = next(c for c in mlp.cells if c.metadata.get(METADATA_KEY, {}).get("function")
                   == "mlp.mlp_forward")
    forward.source = ("def mlp_forward(x, params, activation='relu'):\n"
                      "    act = {'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh}[activation]\n"
                      "    return act(x @ params['W1'] + params['b1']) @ params['W2'] + params['b2']")
    for cell in mlp.cells:
        if cell.cell_type == "code" and not cell.source.startswith("!"):
            exec(cell.source, namespace)
    x, params = np.ones((2, 3)), {"W1": np.ones((3, 4)), "b1": np.zeros(4),
                                  "W2": np.ones((4, 1)), "b2": np.zeros(1)}
    assert namespace["mlp_forward"](x, params, "sigmoid").shape == (2, 1)
