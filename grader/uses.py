"""``use()``: another module's functions in a notebook, as the student wrote them.

The ``mlp`` notebook calls the activations. Its set-up cell runs

    from grader.uses import use
    use("activations")

which defines, in the notebook, each function of ``activations`` from where the student
wrote it: its cell in ``activations.ipynb`` (next to the notebook) when that cell is written,
else ``exercises/activations.py`` (the bundle's, beside ``notebooks/``) when the function is
written there, else the notebook's stub. It also makes the imports the module's docstring
promises work in the notebook: ``from activations import relu``,
``from exercises.activations import relu`` and ``from .activations import relu`` give the
same functions. It prints where each function came from. ``check()`` grades the functions as
the kernel holds them, so it grades these too, and names a function from ``exercises/`` by
its file.

The cell imports the grader, so grading a notebook never runs it (``grader.submission.
notebook``): the grader puts the student's (or the reference) activations there itself.
Runs in the student's kernel, on the student's own files: no trust boundary is crossed.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import linecache
import sys
import types
from pathlib import Path
from typing import Any

from grader.classroom.notebooks import METADATA_KEY
from grader.contract import MODULES
from grader.i18n import _
from grader.submission.combine import is_stub

#: The package name under which ``from .activations import relu`` resolves in a notebook.
PACKAGE = "exercises"


def use(module: str, namespace: dict[str, Any] | None = None,
        folder: Path | str | None = None) -> dict[str, str]:
    """Define ``module``'s functions in ``namespace`` (the caller's globals) from the
    student's notebook ``<module>.ipynb`` or ``exercises/<module>.py``, make ``module``
    importable, and print where each came from; returns function -> where."""
    if module not in MODULES:
        raise ValueError(module)
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    folder = Path.cwd() if folder is None else Path(folder)
    where: dict[str, str] = {}
    notebook = folder / f"{module}.ipynb"
    if notebook.is_file():
        where |= _from_notebook(notebook, module, namespace)
    exercises = _exercises_file(folder, module)
    stubbed = [name for name in MODULES[module] if where.get(name) != notebook.name]
    if exercises is not None and stubbed:
        where |= _from_exercises(exercises, stubbed, namespace)
    _register(module, namespace)
    print(summary(module, where))
    return where


def stubs_from_exercises(namespace: dict[str, Any], functions: list[str],
                         folder: Path | str | None = None) -> list[str]:
    """For ``check()``: define in ``namespace`` each of ``functions`` (``module.function``)
    that the notebook holds only as a stub (or not at all) and ``exercises/<module>.py``
    has written, so that what is graded is what the notebook calls from now on; the notes
    saying which of ``functions`` the notebook holds from ``exercises/``, one per file."""
    from grader.submission.kernel import _definition

    folder = Path.cwd() if folder is None else Path(folder)
    wanted: dict[str, list[str]] = {}
    for function in functions:
        module, name = function.split(".", 1)
        obj = namespace.get(name)
        if isinstance(obj, types.FunctionType) and obj.__globals__ is namespace:
            node = _definition(obj.__code__.co_filename, obj.__code__.co_firstlineno, name)
            if node is None or not is_stub(node):
                continue          # written in the notebook (or not readable): left alone
        wanted.setdefault(module, []).append(name)
    for module, names in wanted.items():
        path = _exercises_file(folder, module)
        if path is not None and _from_exercises(path, names, namespace):
            _register(module, namespace)
    files: dict[str, list[str]] = {}
    for function in functions:
        obj = namespace.get(function.split(".", 1)[1])
        filename = Path(getattr(getattr(obj, "__code__", None), "co_filename", "") or ".")
        if isinstance(obj, types.FunctionType) and filename.parent.name == PACKAGE:
            files.setdefault(filename.name, []).append(obj.__name__)
    return [_("graded from exercises/{file}, where this notebook holds only the stub (the "
              "notebook calls these too): {functions}").format(
        file=file, functions=", ".join(names)) for file, names in files.items()]


def summary(module: str, where: dict[str, str]) -> str:
    """One line per place: which of ``module``'s functions came from it."""
    places: dict[str, list[str]] = {}
    for name in MODULES[module]:
        places.setdefault(where.get(name, ""), []).append(name)
    lines = []
    for place, names in places.items():
        if place:
            lines.append(_("{functions}: from {place}").format(functions=", ".join(names),
                                                               place=place))
        else:
            lines.append(_("{functions}: not written yet (in neither {notebook} nor "
                           "exercises/{module}.py)").format(
                functions=", ".join(names), notebook=f"{module}.ipynb", module=module))
    return "\n".join(lines)


def _from_notebook(path: Path, module: str, namespace: dict[str, Any]) -> dict[str, str]:
    """Run the notebook's function cells; the contract functions they define written."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    where = {}
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code" or METADATA_KEY not in cell.get("metadata", {}):
            continue
        source = "".join(cell["source"])
        name = f"{path.name}, cell {number}"
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue              # a half-written cell: its function stays as it was
        exec(compile(tree, name, "exec"), namespace)   # check() finds the source by name
        where |= {node.name: path.name for node in tree.body
                  if isinstance(node, ast.FunctionDef) and node.name in MODULES[module]
                  and not is_stub(node)}
    return where


def _exercises_file(folder: Path, module: str) -> Path | None:
    """``exercises/<module>.py`` of the bundle the notebook's folder belongs to."""
    for root in (folder.parent, folder):
        candidate = root / PACKAGE / f"{module}.py"
        if candidate.is_file():
            return candidate
    return None


def _from_exercises(path: Path, names: list[str], namespace: dict[str, Any]) -> dict[str, str]:
    """Define the functions of ``names`` that the file at ``path`` has written (with the
    file's imports and helpers) in ``namespace``, as the file's own lines."""
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    written = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)
               and node.name in names and not is_stub(node)}
    if not written:
        return {}
    contract = set().union(*MODULES.values())
    kept = [node for node in tree.body
            if (isinstance(node, ast.FunctionDef) and (node.name in written
                                                      or node.name not in contract))
            or isinstance(node, (ast.Import, ast.Assign, ast.AnnAssign, ast.ClassDef))
            or (isinstance(node, ast.ImportFrom) and not node.level)]
    filename = str(path.resolve())
    linecache.checkcache(filename)
    exec(compile(ast.Module(body=kept, type_ignores=[]), filename, "exec"), namespace)
    shown = f"{PACKAGE}/{path.name}"
    return {name: shown for name in written}


def _register(module: str, namespace: dict[str, Any]) -> None:
    """``module``, ``exercises.<module>`` and (in this notebook) ``.<module>`` importable,
    holding the notebook's functions of ``module``. A real ``exercises`` package (the kernel
    runs where one is on the path) stays the package; only its ``module`` is this one."""
    loaded = types.ModuleType(module, f"{module} as this notebook holds it")
    for name in MODULES[module]:
        if name in namespace:
            setattr(loaded, name, namespace[name])
    sys.modules[module] = loaded
    package = sys.modules.get(PACKAGE)
    if package is None and importlib.util.find_spec(PACKAGE) is not None:
        package = importlib.import_module(PACKAGE)
    if package is None:
        package = types.ModuleType(PACKAGE)
        package.__path__ = []
        sys.modules[PACKAGE] = package
    setattr(package, module, loaded)
    sys.modules[f"{PACKAGE}.{module}"] = loaded
    if not namespace.get("__package__"):
        namespace["__package__"] = PACKAGE      # from .activations import relu
