"""Student stubs generated from the reference solutions (one source of truth, nbgrader style).

In ``solutions/<module>.py`` the part of each function that students write lies between
``# BEGIN SOLUTION`` and ``# END SOLUTION`` comment lines; everything else (imports,
signatures, docstrings, given helpers) is shared. A region inside a function becomes
``raise NotImplementedError(...)``; a region at module level (solution-only imports and
helpers) is dropped. Regenerate the committed stubs after editing a solution:

    python -m grader.classroom.stubs [DEST]      # DEST defaults to the exercises/ package
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from grader.contract import MODULES

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"


def stub_source(solution_source: str) -> str:
    """``solution_source`` with every marked region replaced by a stub or dropped."""
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
                pointer = f"implement {function_at[number]}: see the docstring"
                out.append(f'{indent}raise NotImplementedError("{pointer}")\n')
        elif marker == END:
            if begin is None:
                raise ValueError(f"line {number}: {END} without {BEGIN}")
            begin = None
        elif begin is None:
            out.append(line)
    if begin is not None:
        raise ValueError(f"line {begin}: {BEGIN} without {END}")
    return _tidy("".join(out))


def exercise_sources() -> dict[str, str]:
    """Module name -> stub source, for every module of the contract."""
    solutions = resources.files("solutions")
    return {
        module: stub_source(solutions.joinpath(f"{module}.py").read_text(encoding="utf-8"))
        for module in MODULES
    }


def write_exercises(dest: Path, modules: Sequence[str] | None = None) -> None:
    """Write the stubs (of ``modules``; None: all) into the folder ``dest`` as a package
    (``__init__.py`` kept if present)."""
    dest.mkdir(parents=True, exist_ok=True)
    init = dest / "__init__.py"
    if not init.exists():
        init.write_text('"""The exercises: replace every NotImplementedError with code."""\n')
    for module, source in exercise_sources().items():
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
    dest = parser.parse_args(argv).dest or default_dest()
    write_exercises(dest)
    print(f"wrote {len(MODULES)} stub modules to {dest}")


if __name__ == "__main__":
    main()
