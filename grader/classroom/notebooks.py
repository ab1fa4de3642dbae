"""Release notebooks: one per module, built from its stub source with nbformat v4.

A notebook holds a title cell (the module's docstring and how to work, in the language in
force: ``grade release --lang``), a cell with the module's imports,
for ``mlp`` a cell that brings the student's activations (``grader.uses``), then per function a
markdown cell (the lecture's formula in LaTeX and the docstring) and a
code cell with the stub, and finally a cell that grades the notebook's module with
``check()`` in the kernel itself, whatever its interpreter (the grader skips cells that
import it, so a graded notebook never grades itself).
"""

from __future__ import annotations

import ast
import copy
import inspect
import re
from collections import defaultdict

import nbformat
from nbformat.notebooknode import NotebookNode

from grader.classroom.bundle import TEMPLATES
from grader.contract import MODULES
from grader.i18n import _

#: Key in a stub cell's metadata naming its function (``{"function": "losses.mse"}``).
METADATA_KEY = "dlgrade"

#: Modules whose notebook loads the student's functions from another notebook.
USES = {"mlp": ("activations",)}

_KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def build_notebook(module: str, source: str) -> NotebookNode:
    """The exercise notebook for ``module`` from its stub ``source``."""
    tree = ast.parse(source)
    lines = source.splitlines()
    introduction = _(ast.get_docstring(tree) or "")   # the module's docstring, translated
    title = "\n\n".join([f"# `{module}`", docstring_markdown(introduction),
                         intro_markdown(module, _first_function(tree))])
    cells = [nbformat.v4.new_markdown_cell(title, id="title")]
    body = tree.body[1:] if ast.get_docstring(tree) is not None else tree.body
    setup = [ast.get_source_segment(source, node) for node in body
             if not isinstance(node, ast.FunctionDef)]
    if setup:
        cells.append(nbformat.v4.new_code_cell("\n".join(setup), id="imports"))
    for uses in USES.get(module, ()):
        cells.append(nbformat.v4.new_markdown_cell(uses_markdown(module, uses),
                                                     id=f"{uses}-doc"))
        cells.append(nbformat.v4.new_code_cell(uses_source(uses), id=f"{uses}-load"))
    formulas = load_formulas()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            function = f"{module}.{node.name}"
            cells.append(nbformat.v4.new_markdown_cell(
                _function_markdown(node, formulas[function]), id=f"{node.name}-doc"))
            cells.append(nbformat.v4.new_code_cell(
                _stub_code(node, lines), id=node.name,
                metadata={METADATA_KEY: {"function": function}}))
    cells.append(nbformat.v4.new_markdown_cell(check_markdown(module, _first_function(tree)),
                                                 id="check-doc"))
    cells.append(nbformat.v4.new_code_cell(check_source(module), id="check"))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata.update(kernelspec=_KERNEL, language_info={"name": "python"})
    nbformat.validate(notebook)
    return notebook


def intro_markdown(module: str, first: str) -> str:
    """How to work in the notebook, in the language in force."""
    return _("Fill in each function's code cell and run it, then run the last cell: it "
             "grades the functions of this notebook as the kernel holds them, so there is no "
             "need to save first. To grade one function, run check(\"{first}\") in any cell "
             "(after from grader import check).").format(first=first)


def uses_markdown(module: str, uses: str) -> str:
    """What the cell that brings another module's functions does."""
    return "## " + _("Set-up") + "\n\n" + _(
        "{module} uses the functions of {uses}. The next cell defines them here from where "
        "you write them: your cell in {notebook} in this folder when it is written (save "
        "that notebook first), else {file}. After it, imports such as {example} work in "
        "this notebook too. When grading, this cell loads nothing: where your {uses} "
        "functions lose points, the grader grades {module} with reference versions, so one "
        "mistake is never charged twice.").format(
        module=f"`{module}`", uses=f"`{uses}`", notebook=f"`{uses}.ipynb`",
        file=f"`exercises/{uses}.py`", example=f"`from {uses} import {MODULES[uses][0]}`")


def uses_source(uses: str) -> str:
    """The set-up cell: ``uses``'s functions from the student's notebook or file
    (``grader.uses``); it imports the grader, so grading skips it."""
    return f'from grader.uses import use\n\nuse("{uses}")'


def check_markdown(module: str, first: str) -> str:
    """What the last cell does."""
    return "## " + _("Check") + "\n\n" + _(
        "The next cell grades this notebook's functions ({module}) in a sandbox and shows "
        "the result as a table: what is wrong and the smallest input on which it fails. Run "
        "it again after each change; check(\"{first}\") grades one function.").format(
        module=f"`{module}`", first=first)


def _first_function(tree: ast.Module) -> str:
    return next(node.name for node in tree.body if isinstance(node, ast.FunctionDef))


def check_source(module: str) -> str:
    """The last cell: grade ``module``'s functions as the kernel holds them now."""
    return f'from grader import check\n\ncheck("{module}")'


def load_formulas() -> dict[str, list[str]]:
    """``module.function`` -> its LaTeX formulas, from ``templates/formulas.txt``."""
    formulas: dict[str, list[str]] = defaultdict(list)
    for line in (TEMPLATES / "formulas.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            function, latex = line.split(":", 1)
            formulas[function.strip()].append(latex.strip())
    return formulas


def docstring_markdown(docstring: str) -> str:
    """A docstring as Markdown: ``code`` spans, doctests and indented blocks fenced."""
    # a ``code`` span may go on over a line break (never over a blank line)
    text = re.sub(r"``((?:(?!\n\n).)+?)``", r"`\1`", inspect.cleandoc(docstring), flags=re.S)
    out: list[str] = []
    fence: str | None = None          # "doctest" or "indented" while inside a fenced block
    for line in text.splitlines():
        kind = ("doctest" if line.startswith(">>>") else
                "indented" if line.startswith("    ") else None)
        if fence and (not line.strip() or (fence == "indented" and kind is None)):
            out.append("```")
            fence = None
        if fence is None and kind:
            out.append("```python" if kind == "doctest" else "```text")
            fence = kind
        out.append(line[4:] if fence == "indented" else line)
    if fence:
        out.append("```")
    return "\n".join(out)


def _function_markdown(node: ast.FunctionDef, formulas: list[str]) -> str:
    parts = [f"## `{node.name}({_plain_arguments(node)})`"]
    parts += [f"$$\n{latex}\n$$" for latex in formulas]
    parts.append(docstring_markdown(_(ast.get_docstring(node) or "")))  # translated
    return "\n\n".join(parts)


def _plain_arguments(node: ast.FunctionDef) -> str:
    """The parameter list without annotations: ``x, y, lr=0.1``."""
    arguments = copy.deepcopy(node.args)
    for argument in arguments.posonlyargs + arguments.args + arguments.kwonlyargs:
        argument.annotation = None
    return ast.unparse(arguments)


def _stub_code(node: ast.FunctionDef, lines: list[str]) -> str:
    """The stub's source with its docstring cut to the summary line (the rest is above)."""
    first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
    code = lines[first:node.end_lineno]
    doc = node.body[0]
    if ast.get_docstring(node) is not None and doc.end_lineno > doc.lineno:
        start, end = doc.lineno - 1 - first, doc.end_lineno - first
        opening = re.match(r'\s*[rRuU]?("""|\'\'\')(.+)', code[start])
        if opening:
            code[start:end] = [code[start].rstrip() + opening.group(1)]
    return "\n".join(code)

