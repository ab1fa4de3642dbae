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
from grader.classroom.assignment import modules_of
from grader.classroom.notebooks import USES, build_notebook
from grader import i18n
from grader.classroom.student_readme import student_readme
from grader.classroom.stubs import exercise_sources, write_exercises
from grader.contract import MODULES
from grader.selection import EVERYTHING, Selection


def build_release(out: Path, lang: str = "ko", selection: Selection = EVERYTHING) -> None:
    """Write the student bundle into the folder ``out`` (created if missing): its notebooks'
    explanations, README and CI feedback in ``lang`` (``ko`` or ``en``), which is also the
    bundle's grader's default language. With a ``selection`` (``grade release --only``) the
    bundle is that assignment: the stubs and notebooks of its modules (and of the modules
    they import), a README and workflow that grade only it, out of its points."""
    previous = i18n._language
    i18n.set_language(lang)
    try:
        _build_release(Path(out), lang, selection)
    finally:
        i18n.set_language(previous)


def bundled_modules(selection: Selection) -> list[str]:
    """The modules a bundle of ``selection`` holds: those it grades and those they import."""
    graded = modules_of(selection)
    needed = {m for module in graded for m in (module, *USES.get(module, ()))}
    return [m for m in MODULES if m in needed]


def _build_release(out: Path, lang: str, selection: Selection) -> None:
    out.mkdir(parents=True, exist_ok=True)
    modules = bundled_modules(selection)
    write_exercises(out / "exercises", lang, modules)
    notebooks = out / "notebooks"
    notebooks.mkdir(exist_ok=True)
    for module, source in exercise_sources(lang).items():
        if module in modules:
            nbformat.write(build_notebook(module, source), str(notebooks / f"{module}.ipynb"))
    (out / "README.md").write_text(student_readme(selection, modules), encoding="utf-8")
    write_template(out / ".gitignore", "student_gitignore")
    only = f" --only {','.join(selection.names)}" if not selection.everything else ""
    write_template(out / ".github" / "workflows" / "classroom.yml", "classroom.yml",
                   lang=lang, only=only, **workflow_runners(lang, selection))
    _write_grader(out / ".grader", lang, selection)


def workflow_runners(lang: str = "ko", selection: Selection = EVERYTHING) -> dict[str, str]:
    """The workflow's reporter runners (one per test weight, ``grader.report.github``): the
    ``runners`` input, and each runner's ``<NAME>_RESULTS`` variable, which falls back to a
    0-point error result when the grading step produced none (its points: those of the
    ``selection``'s tests of that weight), in the feedback language of the run
    (``GRADER_LANG``, the bundle's ``lang`` by default)."""
    from grader.checks import CHECK
    from grader.report import github

    counts: dict[float, int] = {weight: 0 for weight in github.runners().values()}
    for test in (t for f in selection.functions for t in CHECK[f].tests):
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


def _write_grader(dest: Path, lang: str, selection: Selection) -> None:
    """The grader package alone (no solutions), with a ``pyproject.toml`` to install it;
    ``lang`` is its default language, ``selection`` what it grades when not told."""
    shutil.rmtree(dest, ignore_errors=True)
    copy_package("grader", dest / "grader")
    (dest / "grader" / "locale" / "default").write_text(lang + "\n", encoding="utf-8")
    if not selection.everything:
        (dest / "grader" / "locale" / "assignment").write_text(
            ",".join(selection.names) + "\n", encoding="utf-8")
    write_template(dest / "pyproject.toml", "pyproject.toml.in",
                   version=importlib.metadata.version(DISTRIBUTION),
                   dependencies=", ".join(f'"{r}"' for r in dependencies()))
