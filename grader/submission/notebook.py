"""Code cells of a Jupyter notebook, without IPython magics and shell lines."""

from __future__ import annotations

import warnings

from grader.i18n import _
from grader.submission.files import LoadError


def notebook_cells(text: str, path: str) -> list[tuple[int, str]]:
    """``(cell number, source)`` of every code cell with code left after skipping magics,
    from the notebook ``text`` read from ``path``."""
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
        if cell.cell_type == "code":
            source = strip_magics(cell.source)
            if source.strip():
                cells.append((number, source))
    if not cells:
        raise LoadError(_("{path} has no code cells: write your functions in its code cells "
                          "and save it").format(path=path))
    return cells


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


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
