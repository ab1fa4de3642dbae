"""A running notebook's functions as a ``Submission``, for ``check()`` in a Jupyter kernel.

The source of each contract function the kernel's namespace holds is read from the
interpreter's line cache, where IPython keeps every executed cell (Jupyter, JupyterLab,
VS Code and Colab alike), located by the function's code object and ``ast``: nothing here
calls the student's objects. The notebook file itself is never needed (Colab has none on
disk, and an unsaved notebook differs from its file): what is graded is what the kernel
runs now, the last version of each cell that was run.

Each cell that defines a graded function becomes one ``namespace`` unit named as the student
sees the cell (its first line), holding only the definitions (every other line of the cell
is blank, so line numbers are the cell's own). What those functions use from the namespace
comes along: modules and names imported from modules become one unit of imports, helper
functions defined in the notebook their own definitions, plain constants an assignment.
"""

from __future__ import annotations

import ast
import linecache
import os
import sys
import types
from pathlib import Path
from typing import Any, Iterable

from grader.i18n import _
from grader.submission.load import Submission, Unit
from grader.submission.notebook import cell_label

#: Values copied into the sandbox as ``name = repr(value)``.
CONSTANTS = (int, float, complex, str, bytes, bool, type(None))


def kernel_submission(namespace: dict[str, Any], functions: Iterable[str],
                      name: str = "notebook") -> Submission:
    """The definitions of ``functions`` (``module.function``) found in ``namespace``, with
    what they use from it, as a notebook submission."""
    collector = _Collector(namespace)
    for function in functions:
        collector.function(function.split(".", 1)[1])
    units = collector.units()
    return Submission(path=Path(name), name=name, kind="notebook", root=Path.cwd(),
                      units=tuple(units))


class _Collector:
    """The cells' kept line ranges and the import lines, in the order they were found."""

    def __init__(self, namespace: dict[str, Any]):
        self.namespace = namespace
        self.imports: list[str] = []
        self.constants: list[str] = []
        self.ranges: dict[str, list[tuple[int, int]]] = {}   # cell filename -> line ranges
        self.seen: set[str] = set()

    def function(self, name: str) -> None:
        """Take the definition of the notebook's function ``name`` and what it uses."""
        if name in self.seen:
            return
        self.seen.add(name)
        obj = self.namespace.get(name)
        if type(obj) is not types.FunctionType or obj.__globals__ is not self.namespace:
            return
        code = obj.__code__
        span = _definition(code.co_filename, code.co_firstlineno, code.co_name)
        if span is None:
            return
        self.ranges.setdefault(code.co_filename, []).append(span)
        for used in sorted(_global_names(code)):
            self.name(used)

    def name(self, used: str) -> None:
        """Bring what the global ``used`` stands for in the namespace."""
        if used in self.seen or used not in self.namespace:
            return
        obj = self.namespace[used]
        if type(obj) is types.FunctionType and obj.__globals__ is self.namespace:
            self.function(used)
            return
        self.seen.add(used)
        if isinstance(obj, types.ModuleType):
            module = obj.__name__
            self.imports.append(f"import {module}" if module == used
                                else f"import {module} as {used}")
        elif type(obj) in CONSTANTS:
            self.constants.append(f"{used} = {obj!r}")
        else:
            origin = _importable(obj)
            if origin is not None:
                self.imports.append(f"from {origin[0]} import {origin[1]} as {used}")

    def units(self) -> list[Unit]:
        units = []
        preamble = "\n".join(self.imports + self.constants)
        if preamble:
            units.append(Unit(name=_("the notebook's imports"), kind="namespace",
                              source=preamble, path="notebook"))
        taken: set[str] = set()
        for filename, spans in self.ranges.items():
            lines = linecache.getlines(filename)
            kept = [""] * len(lines)
            for first, last in spans:
                kept[first - 1:last] = [line.rstrip("\n") for line in lines[first - 1:last]]
            label = _cell_name("".join(lines), filename, taken)
            taken.add(label)
            units.append(Unit(name=label, kind="namespace", source="\n".join(kept) + "\n",
                              path=filename))
        return units


def _definition(filename: str, first: int, name: str) -> tuple[int, int] | None:
    """The lines (first, last) of the top-level ``def name`` starting at line ``first``."""
    source = "".join(linecache.getlines(filename))
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if first in (start, node.lineno):
                return start, node.end_lineno or node.lineno
    return None


def _global_names(code: types.CodeType) -> set[str]:
    """The global names ``code`` and the functions nested in it may read."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _importable(obj: Any) -> tuple[str, str] | None:
    """``(module, name)`` such that ``from module import name`` gives ``obj``, if any."""
    module, name = getattr(obj, "__module__", None), getattr(obj, "__name__", None)
    if type(module) is not str or type(name) is not str or module == "__main__":
        return None
    for candidate in (module, module.split(".")[0]):
        found = sys.modules.get(candidate)
        if found is not None and getattr(found, name, None) is obj:
            return candidate, name
    return None


def _cell_name(source: str, filename: str, taken: set[str]) -> str:
    """A cell by its first line; a real file (``check()`` from a script) by its name."""
    if os.path.isfile(filename) and "ipykernel_" not in filename:
        return os.path.basename(filename)
    return cell_label(source, taken)

