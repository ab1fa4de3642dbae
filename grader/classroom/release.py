"""``grade release OUT``: the student bundle, free of solution code.

``OUT`` gets ``exercises/`` (the stubs), ``notebooks/`` (one per module), a bilingual
``README.md``, the grader without solutions in ``.grader/`` (installable with pip; it then
grades against PyTorch alone) and ``.github/workflows/classroom.yml`` for GitHub Classroom.
"""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import nbformat

from grader.classroom.bundle import DISTRIBUTION, copy_package, dependencies, write_template
from grader.classroom.notebooks import build_notebook
from grader.classroom.stubs import exercise_sources, write_exercises
from grader.contract import MODULES


def build_release(out: Path) -> None:
    """Write the student bundle into the folder ``out`` (created if missing)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_exercises(out / "exercises")
    notebooks = out / "notebooks"
    notebooks.mkdir(exist_ok=True)
    for module, source in exercise_sources().items():
        nbformat.write(build_notebook(module, source), str(notebooks / f"{module}.ipynb"))
    modules = ", ".join(f"`{m}`" for m in MODULES)
    write_template(out / "README.md", "student_README.md", modules=modules)
    write_template(out / ".gitignore", "student_gitignore")
    write_template(out / ".github" / "workflows" / "classroom.yml", "classroom.yml")
    _write_grader(out / ".grader")


def _write_grader(dest: Path) -> None:
    """The grader package alone (no solutions), with a ``pyproject.toml`` to install it."""
    shutil.rmtree(dest, ignore_errors=True)
    copy_package("grader", dest / "grader")
    write_template(dest / "pyproject.toml", "pyproject.toml.in",
                   version=importlib.metadata.version(DISTRIBUTION),
                   dependencies=", ".join(f'"{r}"' for r in dependencies()))
