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
functions defined in the notebook their own definitions, and constants (and dicts, lists
and tuples of constants and of the notebook's functions) a last unit of assignments.
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
from grader.submission.notebook import Labels, cell_label

#: Values copied into the sandbox as ``name = repr(value)``.
CONSTANTS = (int, float, complex, str, bytes, bool, type(None))
#: How deep, and how long, dicts, lists and tuples of those may be.
LITERAL_DEPTH, LITERAL_ITEMS = 3, 64


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
        node = _definition(code.co_filename, code.co_firstlineno, code.co_name)
        if node is None:
            return
        start = min([node.lineno] + [d.lineno for d in node.decorator_list])
        self.ranges.setdefault(code.co_filename, []).append(
            (start, node.end_lineno or node.lineno))
        for used in sorted(_global_names(code) | _signature_names(node)):
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
        elif (literal := self.literal(obj, LITERAL_DEPTH)) is not None:
            self.constants.append(f"{used} = {literal}")
        else:
            origin = _importable(obj)
            if origin is not None:
                self.imports.append(f"from {origin[0]} import {origin[1]} as {used}")

    def literal(self, obj: Any, depth: int) -> str | None:
        """Source that rebuilds ``obj``: a constant, or a dict, list or tuple of such values
        and of the notebook's functions (``{"relu": (relu, relu_grad)}``); else None."""
        if type(obj) in CONSTANTS:
            return repr(obj)
        if type(obj) is types.FunctionType and obj.__globals__ is self.namespace \
                and self.namespace.get(obj.__name__) is obj:
            self.function(obj.__name__)
            return obj.__name__
        if depth == 0 or type(obj) not in (dict, list, tuple) or len(obj) > LITERAL_ITEMS:
            return None
        items = obj.items() if type(obj) is dict else enumerate(obj)
        parts = []
        for key, value in items:
            shown = self.literal(value, depth - 1)
            if shown is None or (type(obj) is dict and type(key) not in CONSTANTS):
                return None
            parts.append(f"{key!r}: {shown}" if type(obj) is dict else shown)
        inside = ", ".join(parts)
        if type(obj) is dict:
            return "{" + inside + "}"
        if type(obj) is list:
            return "[" + inside + "]"
        return "(" + inside + ("," if len(parts) == 1 else "") + ")"

    def units(self) -> list[Unit]:
        """The imports, each cell's definitions, then the values (which may name them)."""
        units = []
        if self.imports:
            units.append(Unit(name=_("the notebook's imports"), kind="namespace",
                              source="\n".join(self.imports), path="notebook"))
        taken = Labels()
        for filename, spans in self.ranges.items():
            lines = linecache.getlines(filename)
            kept = [""] * len(lines)
            for first, last in spans:
                kept[first - 1:last] = [line.rstrip("\n") for line in lines[first - 1:last]]
            label = _cell_name("".join(lines), filename, taken)
            taken.add(label)
            units.append(Unit(name=label, kind="namespace", source="\n".join(kept) + "\n",
                              path=filename))
        if self.constants:
            units.append(Unit(name=_("the notebook's values"), kind="namespace",
                              source="\n".join(self.constants), path="notebook"))
        return units


def _definition(filename: str, first: int, name: str) -> ast.FunctionDef | None:
    """The top-level ``def name`` starting at line ``first`` of the cell ``filename``."""
    source = "".join(linecache.getlines(filename))
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if first in (start, node.lineno):
                return node
    return None


def _signature_names(node: ast.FunctionDef) -> set[str]:
    """Names the ``def`` statement itself evaluates: decorators, defaults, annotations."""
    parts: list[ast.AST] = [*node.decorator_list, *node.args.defaults,
                            *(d for d in node.args.kw_defaults if d is not None)]
    arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs,
                 *(a for a in (node.args.vararg, node.args.kwarg) if a is not None)]
    parts += [a.annotation for a in arguments if a.annotation is not None]
    parts += [node.returns] if node.returns is not None else []
    return {n.id for part in parts for n in ast.walk(part) if isinstance(n, ast.Name)}


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


def _cell_name(source: str, filename: str, taken: Labels) -> str:
    """A cell by its first line; a real file (``check()`` from a script) by its name."""
    if os.path.isfile(filename) and "ipykernel_" not in filename:
        return os.path.basename(filename)
    return cell_label(source, taken)

