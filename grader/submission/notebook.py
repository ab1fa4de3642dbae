"""Code cells of a Jupyter notebook, without IPython magics and shell lines."""

from __future__ import annotations

from pathlib import Path

from grader.i18n import _


def notebook_cells(path: Path) -> list[tuple[int, str]]:
    """``(cell number, source)`` of every code cell with code left after skipping magics."""
    import nbformat  # only notebooks need it

    from grader.submission.load import LoadError

    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception as error:  # nbformat raises many types for a broken file
        raise LoadError(_("{path} is not a valid notebook ({error}); open it in Jupyter "
                          "and save it again").format(path=path, error=_first_line(error))) from None
    cells = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        source = strip_magics(cell.get("source", ""))
        if source.strip():
            cells.append((number, source))
    return cells


def strip_magics(source: str) -> str:
    """Drop ``%%`` cell magics entirely, and ``%`` / ``!`` lines (kept as blank lines)."""
    if source.lstrip().startswith("%%"):
        return ""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        lines.append("" if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
