"""``grade release OUT``: the student bundle, free of solution code.

``OUT`` gets ``exercises/`` (the stubs), ``notebooks/`` (one per module), a ``README.md``
in the bundle's language, the grader without solutions in ``.grader/`` (installable with pip; it then
grades against PyTorch alone) and ``.github/workflows/classroom.yml`` for GitHub Classroom.
"""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import nbformat

from grader.classroom.bundle import DISTRIBUTION, copy_package, dependencies, write_template
from grader.classroom.notebooks import build_notebook
from grader import i18n
from grader.classroom.student_readme import student_readme
from grader.classroom.stubs import exercise_sources, write_exercises


def build_release(out: Path, lang: str = "ko") -> None:
    """Write the student bundle into the folder ``out`` (created if missing): its notebooks'
    explanations, README and CI feedback in ``lang`` (``ko`` or ``en``), which is also the
    bundle's grader's default language."""
    previous = i18n._language
    i18n.set_language(lang)
    try:
        _build_release(Path(out), lang)
    finally:
        i18n.set_language(previous)


def _build_release(out: Path, lang: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_exercises(out / "exercises", lang)
    notebooks = out / "notebooks"
    notebooks.mkdir(exist_ok=True)
    for module, source in exercise_sources(lang).items():
        nbformat.write(build_notebook(module, source), str(notebooks / f"{module}.ipynb"))
    (out / "README.md").write_text(student_readme(), encoding="utf-8")
    write_template(out / ".gitignore", "student_gitignore")
    write_template(out / ".github" / "workflows" / "classroom.yml", "classroom.yml",
                   lang=lang, **workflow_runners(lang))
    _write_grader(out / ".grader", lang)


def workflow_runners(lang: str = "ko") -> dict[str, str]:
    """The workflow's reporter runners (one per test weight, ``grader.report.github``): the
    ``runners`` input, and each runner's ``<NAME>_RESULTS`` variable, which falls back to a
    0-point error result when the grading step produced none, in the feedback language of
    the run (``GRADER_LANG``, the bundle's ``lang`` by default)."""
    from grader.checks import CHECKS
    from grader.report import github

    counts: dict[float, int] = {}
    for test in (test for check in CHECKS for test in check.tests):
        counts[test.points] = counts.get(test.points, 0) + 1
    other = next(language for language in i18n.LANGUAGES if language != lang)

    def fallback(weight: float, language: str) -> str:
        previous = i18n._language
        i18n.set_language(language)
        try:
            return github.fallback(weight, counts[weight])
        finally:
            i18n.set_language(previous)

    lines = [f"          {name.upper()}_RESULTS: \"${{{{ steps.dlgrade.outputs.{name} || "
             f"(env.GRADER_LANG == '{other}' && '{fallback(weight, other)}' || "
             f"'{fallback(weight, lang)}') }}}}\""
             for name, weight in github.runners().items()]
    return {"runners": ",".join(github.runners()), "runner_env": "\n".join(lines)}


def _write_grader(dest: Path, lang: str) -> None:
    """The grader package alone (no solutions), with a ``pyproject.toml`` to install it;
    ``lang`` is its default language."""
    shutil.rmtree(dest, ignore_errors=True)
    copy_package("grader", dest / "grader")
    (dest / "grader" / "locale" / "default").write_text(lang + "\n", encoding="utf-8")
    write_template(dest / "pyproject.toml", "pyproject.toml.in",
                   version=importlib.metadata.version(DISTRIBUTION),
                   dependencies=", ".join(f'"{r}"' for r in dependencies()))
