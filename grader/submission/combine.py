"""The student bundle's two places of work as one submission: ``exercises/`` and ``notebooks/``.

A student may fill the stubs in ``exercises/*.py`` or in ``notebooks/*.ipynb`` (or some of
each), and the bundle's CI grades the repository's root. The rule, per contract function:

- the notebook's function is graded when the module file holds only the stub (its body is
  ``raise NotImplementedError``) and the notebook's function is not a stub;
- otherwise (the module file's function is written, or both are stubs) the module file's is,
  so when both are written, ``exercises/`` wins.

A notebook function that wins is overlaid on its module (``overlay`` units, run in the
module's namespace after the module file) with the notebook's imports and helpers (its
other top-level ``def``, ``class``, assignments and imports; never its other statements);
each overlaid cell keeps its own name (``activations.ipynb: cell "def relu(x):"``) and line
numbers. The report's notes say which functions came from the notebooks.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from grader.contract import MODULES
from grader.i18n import _
from grader.submission import files
from grader.submission.files import Folder, LoadError
from grader.submission.load import Submission, Unit
from grader.submission.notebook import Labels, cell_label, notebook_cells

#: Top-level statements of a notebook cell that an overlay keeps besides the winning defs.
KEPT = (ast.Import, ast.ImportFrom, ast.ClassDef, ast.Assign, ast.AnnAssign)
CONTRACT_NAMES = frozenset(name for names in MODULES.values() for name in names)
#: What ``ast.parse`` raises on code it cannot take: a syntax error, a null byte, and nesting
#: so deep that the parser runs out of memory or stack (``-`` * 200_000 + ``1``). The student's
#: code is then graded as it is, and its own load says why.
PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)


def with_notebooks(submission: Submission, notebooks: Folder, folder_label: str) -> Submission:
    """``submission`` (the ``exercises/`` modules) with the notebooks' written functions
    overlaid where the module file holds only the stub."""
    by_module = {unit.module: unit for unit in submission.units if unit.kind == "module"}
    overlays: list[Unit] = []
    notes: list[str] = []
    names = set(notebooks.names())
    for module, unit in by_module.items():
        entry = f"{module}.ipynb"
        if entry not in names or notebooks.kind(entry) != "file":
            continue
        stubs = _stubs_in(unit.source, MODULES[module])
        if not stubs:
            continue
        try:
            text = notebooks.text(entry, files.MAX_NOTEBOOK_BYTES)
            cells = notebook_cells(text, notebooks.entry(entry))
        except LoadError:        # refused or unreadable: exercises/ alone for this module
            continue
        taken = Labels()
        winners: list[str] = []
        mine: list[Unit] = []
        for _number, source in cells:
            kept = _overlay(source, stubs)
            if kept is None:
                continue
            source_kept, defined = kept
            label = cell_label(source, taken)
            taken.add(label)
            winners += defined
            mine.append(Unit(name=f"{entry}: {label}", kind="overlay", source=source_kept,
                             path=f"{folder_label}/{entry}", module=module))
        if winners:
            overlays += mine
            notes.append(_("graded from notebooks/{entry} (exercises/{module}.py holds only "
                           "the stub): {functions}").format(
                entry=entry, module=module, functions=", ".join(winners)))
    if not overlays:
        return submission
    return replace(submission, units=submission.units + tuple(overlays),
                   notes=submission.notes + tuple(notes))


def is_stub(node: ast.FunctionDef) -> bool:
    """Whether the function's body is only ``raise NotImplementedError`` (after a docstring)."""
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def _stubs_in(source: str, functions: tuple[str, ...]) -> set[str]:
    """The contract functions that ``source`` leaves as stubs (or lacks)."""
    try:
        tree = ast.parse(source)
    except PARSE_ERRORS:
        return set()          # a broken module file: graded as it is, with its error
    written = {node.name for node in tree.body
               if isinstance(node, ast.FunctionDef) and not is_stub(node)}
    return set(functions) - written


def _overlay(source: str, stubs: set[str]) -> tuple[str, list[str]] | None:
    """The cell with only what an overlay keeps (other lines blank), and the contract
    functions it provides; None when it provides none and defines nothing kept."""
    try:
        tree = ast.parse(source)
    except PARSE_ERRORS:
        return None
    lines = source.splitlines()
    kept = [""] * len(lines)
    defined: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            contract = node.name in CONTRACT_NAMES
            if contract and (node.name not in stubs or is_stub(node)):
                continue
            if contract:
                defined.append(node.name)
        elif not isinstance(node, KEPT):
            continue
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        kept[start - 1:node.end_lineno] = lines[start - 1:node.end_lineno]
    if not any(line.strip() for line in kept):
        return None
    return "\n".join(kept) + "\n", defined
