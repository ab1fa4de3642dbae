"""Student stubs generated from the reference solutions (one source of truth, nbgrader style).

In ``solutions/<module>.py`` the part of each function that students write lies between
``# BEGIN SOLUTION`` and ``# END SOLUTION`` comment lines; everything else (imports,
signatures, docstrings, given helpers) is shared. A region inside a function becomes
``raise NotImplementedError(...)``; a region at module level (solution-only imports and
helpers) is dropped. Regenerate the committed stubs after editing a solution:

    python -m grader.classroom.stubs [DEST]      # DEST defaults to the exercises/ package

In another language (``grade release --lang ko``) the stubs' docstrings (module and
functions) and their ``NotImplementedError`` messages come from the catalog, the same
entries the notebooks show: the English docstrings of ``solutions/`` are the msgids, so the
solutions stay the one source and a docstring without a translation stays English (the
tests fail on it, and on a translated doctest that no longer passes on the solution).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from grader import i18n
from grader.contract import MODULES
from grader.i18n import N_

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
#: The message of a stub's ``NotImplementedError``.
POINTER = N_("implement {function}: see the docstring")
#: The docstring of the stubs' package.
PACKAGE_DOCSTRING = N_("The exercises: replace every NotImplementedError with code.")


def stub_source(solution_source: str, lang: str = "en") -> str:
    """``solution_source`` with every marked region replaced by a stub or dropped, its
    docstrings and messages in ``lang``."""
    function_at = _innermost_functions(solution_source)
    out: list[str] = []
    begin: int | None = None
    for number, line in enumerate(solution_source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if begin is not None:
                raise ValueError(f"line {number}: {BEGIN} inside the region of line {begin}")
            begin = number
            indent = line[: len(line) - len(line.lstrip())]
            if indent:
                if number not in function_at:
                    raise ValueError(f"line {number}: an indented region outside a function")
                pointer = _translate(POINTER, lang).format(function=function_at[number])
                if '"' in pointer or "\\" in pointer:
                    raise ValueError(f"{POINTER!r} translated with a quote or a backslash")
                out.append(f'{indent}raise NotImplementedError("{pointer}")\n')
        elif marker == END:
            if begin is None:
                raise ValueError(f"line {number}: {END} without {BEGIN}")
            begin = None
        elif begin is None:
            out.append(line)
    if begin is not None:
        raise ValueError(f"line {begin}: {BEGIN} without {END}")
    return translate_docstrings(_tidy("".join(out)), lang)


def translate_docstrings(source: str, lang: str) -> str:
    """``source`` with the docstrings of its module and functions in ``lang`` (the catalog's
    translation of each; English where there is none)."""
    if lang == "en":
        return source
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    nodes = [tree] + [node for node in ast.walk(tree)
                      if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    replaced = []
    for node in nodes:
        docstring = ast.get_docstring(node)
        if docstring is None:
            continue
        expression = node.body[0]
        indent = " " * expression.col_offset
        replaced.append((expression.lineno, expression.end_lineno,
                         _docstring_lines(_translate(docstring, lang), indent)))
    for first, last, new in sorted(replaced, reverse=True):
        lines[first - 1:last] = new
    return "".join(lines)


def _docstring_lines(text: str, indent: str) -> list[str]:
    """A triple-quoted docstring literal whose value, cleaned, is ``text``."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    first, *rest = text.splitlines()
    if not rest:
        return [f'{indent}"""{first}"""\n']
    return ([f'{indent}"""{first}\n'] + [f"{indent}{line}\n" if line else "\n" for line in rest]
            + [f'{indent}"""\n'])


def _translate(message: str, lang: str) -> str:
    return i18n.catalog(lang).gettext(message)


def exercise_sources(lang: str = "en") -> dict[str, str]:
    """Module name -> stub source in ``lang``, for every module of the contract."""
    solutions = resources.files("solutions")
    return {
        module: stub_source(solutions.joinpath(f"{module}.py").read_text(encoding="utf-8"),
                            lang)
        for module in MODULES
    }


def write_exercises(dest: Path, lang: str = "en", modules: Sequence[str] | None = None) -> None:
    """Write the stubs in ``lang`` (of ``modules``; None: all) into the folder ``dest`` as a
    package (``__init__.py`` kept if present)."""
    dest.mkdir(parents=True, exist_ok=True)
    init = dest / "__init__.py"
    if not init.exists():
        init.write_text("".join(_docstring_lines(_translate(PACKAGE_DOCSTRING, lang), "")),
                        encoding="utf-8")
    for module, source in exercise_sources(lang).items():
        if modules is None or module in modules:
            (dest / f"{module}.py").write_text(source, encoding="utf-8")


def default_dest() -> Path:
    """The ``exercises`` package next to ``grader`` (the repository's, in an editable install)."""
    spec = importlib.util.find_spec("exercises")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("no exercises package found: pass DEST")
    return Path(next(iter(spec.submodule_search_locations)))


def _innermost_functions(source: str) -> dict[int, str]:
    """Line number -> name of the innermost function whose definition spans it."""
    spans = [
        (node.lineno, node.end_lineno or node.lineno, node.name)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    lines: dict[int, str] = {}
    for first, last, name in sorted(spans, key=lambda span: span[1] - span[0], reverse=True):
        lines.update({number: name for number in range(first, last + 1)})
    return lines


def _tidy(source: str) -> str:
    """At most two blank lines in a row (where a region was dropped), one final newline."""
    return re.sub(r"\n{4,}", "\n\n\n", source).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m grader.classroom.stubs",
        description="Regenerate the student stubs from the reference solutions.",
    )
    parser.add_argument("dest", nargs="?", type=Path, help="target folder (default: exercises/)")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default="en",
                        help="language of the docstrings and messages (default: en)")
    arguments = parser.parse_args(argv)
    dest = arguments.dest or default_dest()
    write_exercises(dest, arguments.lang)
    print(f"wrote {len(MODULES)} stub modules to {dest}")


if __name__ == "__main__":
    main()
