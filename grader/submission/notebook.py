"""Code cells of a Jupyter notebook, without IPython magics, shell lines, the cell that
grades the notebook and the student's own ``check(...)`` calls."""

from __future__ import annotations

import ast
import re
import warnings

from grader.i18n import _
from grader.submission.files import LoadError


#: A cell that imports the grader (``from grader import check``) grades the notebook: it is
#: not part of the submission (the sandbox could not import the grader anyway). Matched at
#: the start of one line at a time, never across lines: linear in the cell's size.
GRADER_IMPORT = re.compile(r"(from[ \t]+grader[ \t.]|from[ \t]+grader$|import[ \t]+grader\b)")


def imports_grader(source: str) -> bool:
    """Whether a line of ``source`` imports the grader (``from grader import check``)."""
    return any(GRADER_IMPORT.match(line.lstrip()) for line in source.splitlines())


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
        if cell.cell_type == "code" and not imports_grader(cell.source):
            source = without_checks(strip_magics(cell.source))
            if source.strip():
                cells.append((number, source))
    if not cells:
        raise LoadError(_("{path} has no code cells: write your functions in its code cells "
                          "and save it").format(path=path))
    return cells


#: Characters of a cell's first line kept in its label.
LABEL_CHARS = 40


class Labels(set):
    """The labels given so far, and the last number given to each first line: labelling
    stays linear however many cells start alike (20,000 cells with one first line)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}


def cell_label(source: str, taken: Labels | frozenset[str] = frozenset()) -> str:
    """How the student finds a cell in Jupyter, which shows no cell numbers: its first line
    (``cell "def relu(x):"``), with ``#2``, ``#3``, ... when an earlier cell starts alike."""
    first = _first_line_of(source)
    if len(first) > LABEL_CHARS:
        first = first[:LABEL_CHARS - 1] + "…"
    counts = taken.counts if isinstance(taken, Labels) else {}
    count = counts.get(first, 1)
    label = _('cell "{first}"').format(first=first) if count == 1 else \
        _('cell "{first}" #{count}').format(first=first, count=count)
    while label in taken:
        count += 1
        label = _('cell "{first}" #{count}').format(first=first, count=count)
    counts[first] = count
    return label


def _first_line_of(source: str) -> str:
    """The first line with text, stripped (one pass, however many blank lines come first)."""
    rest = source.lstrip()
    end = _LINE_END.search(rest)
    return (rest[:end.start()] if end else rest).strip()


#: What ``str.splitlines`` ends a line at.
_LINE_END = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


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
    except (SyntaxError, ValueError, RecursionError, MemoryError):   # the loader says why
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
