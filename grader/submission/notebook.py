"""Code cells of a Jupyter notebook, without IPython magics, shell lines, the cell that
grades the notebook and the student's own ``check(...)`` calls."""

from __future__ import annotations

import ast
import re
import warnings

from grader.i18n import _
from grader.submission.files import LoadError


#: A cell that imports the grader (``from grader import check``) grades the notebook: it is
#: not part of the submission (the sandbox could not import the grader anyway).
GRADER_IMPORT = re.compile(r"^\s*(from\s+grader[\s.]|import\s+grader\b)", re.MULTILINE)


def notebook_cells(text: str, path: str) -> list[tuple[int, str]]:
    """``(cell number, source)`` of every code cell with code left after skipping magics,
    from the notebook ``text`` read from ``path``; cells that import the grader are left
    out."""
    import nbformat  # only notebooks need it

    try:
        with warnings.catch_warnings():   # old notebooks without cell ids are still fine
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4)
            nbformat.validate(notebook)
    except Exception as error:  # nbformat raises many types for a broken file
        raise LoadError(_("{path} is not a valid notebook ({error}); open it in Jupyter "
                          "and save it again").format(path=path, error=_first_line(error))) from None
    cells = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code" and not GRADER_IMPORT.search(cell.source):
            source = without_checks(strip_magics(cell.source))
            if source.strip():
                cells.append((number, source))
    if not cells:
        raise LoadError(_("{path} has no code cells: write your functions in its code cells "
                          "and save it").format(path=path))
    return cells


#: Characters of a cell's first line kept in its label.
LABEL_CHARS = 40


def cell_label(source: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """How the student finds a cell in Jupyter, which shows no cell numbers: its first line
    (``cell "def relu(x):"``), with ``#2``, ``#3``, ... when an earlier cell starts alike."""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if len(first) > LABEL_CHARS:
        first = first[:LABEL_CHARS - 1] + "…"
    label = _('cell "{first}"').format(first=first)
    count = 1
    while label in taken:
        count += 1
        label = _('cell "{first}" #{count}').format(first=first, count=count)
    return label


#: Cell magics whose body is Python run in the notebook's namespace: only their line goes.
PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%prun")


def strip_magics(source: str) -> str:
    """Drop ``%`` and ``!`` lines (kept as blank lines) and cells of non-Python cell magics
    (``%%bash``, ``%%writefile``, ...); a ``%%time``-like cell keeps its Python body."""
    lines = source.splitlines()
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        if first.split()[0] not in PYTHON_CELL_MAGICS:
            return ""
        lines[0] = ""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


def without_checks(source: str) -> str:
    """``source`` with its top-level ``check(...)`` calls (the notebook's own grading, which
    a submission does not need) blanked, line numbers kept; unchanged if it does not parse
    or a call shares a line with other code."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines()
    calls = [node for node in tree.body if _is_check_call(node)]
    others = {line for node in tree.body if node not in calls
              for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)}
    for node in calls:
        span = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        if others.intersection(span):
            return source
        for line in span:
            lines[line - 1] = ""
    return "\n".join(lines)


def _is_check_call(node: ast.stmt) -> bool:
    """``check(...)`` or ``check(...).something``, alone or assigned to a plain name."""
    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
        value = node.value
    elif isinstance(node, ast.Expr):
        value = node.value
    else:
        return False
    while isinstance(value, (ast.Attribute, ast.Subscript)):
        value = value.value
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
        and value.func.id == "check"


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
