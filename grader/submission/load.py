"""Turn a path into a ``Submission``: the ordered units a child process loads.

Nothing here runs student code: files are read as text and notebooks parsed as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.contract import MODULES
from grader.i18n import _
from grader.submission.notebook import notebook_cells


class LoadError(Exception):
    """The path cannot be read as a submission; the message says what to do."""


@dataclass(frozen=True)
class Unit:
    """One thing the child loads, in order.

    ``module`` units are contract module files, imported as ``exercises.<module>`` (so all
    three import styles of SPEC.md work); ``namespace`` units (a single file, notebook cells)
    are executed one after another in one shared namespace; ``helper`` units are the
    student's other modules of a folder submission, importable by name.
    """

    name: str                 # shown in reports: "activations.py", "notebook cell 4"
    kind: str                 # "module" | "namespace" | "helper"
    source: str
    path: str                 # the file it came from
    module: str | None = None # contract module name ("module"), module name ("helper")


#: Helper modules of a folder submission (its other top-level .py files) kept at the most.
MAX_HELPERS, MAX_HELPER_BYTES = 32, 1 << 20


@dataclass(frozen=True)
class Submission:
    """A submission ready to be loaded by a child."""

    path: Path
    name: str
    kind: str                 # "folder" | "module" | "notebook"
    root: Path                # the folder the submission was read from
    units: tuple[Unit, ...]
    helpers: tuple[Unit, ...] = ()   # the student's own other modules (folder submissions)


def load(path: str | Path) -> Submission:
    """Read ``path`` (folder, ``.py``, ``.ipynb`` or ``.zip``) as a submission."""
    path = Path(path)
    if not path.exists():
        raise LoadError(_("no such file or folder: {path}").format(path=path))
    if path.is_dir():
        return _load_folder(path, path.name)
    suffix = path.suffix.lower()
    if suffix == ".py":
        return _load_file(path, path.stem)
    if suffix == ".ipynb":
        return _load_notebook(path, path.stem)
    if suffix == ".zip":
        from grader.submission.archive import load_zip
        return load_zip(path)
    raise LoadError(_("{path}: not a folder, .py file, notebook or .zip; "
                      "give the folder that holds your modules").format(path=path))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise LoadError(_("cannot read {path}: {error}").format(
            path=path, error=error.strerror or error)) from None


def _load_folder(folder: Path, name: str) -> Submission:
    modules = [m for m in MODULES if (folder / f"{m}.py").is_file()]
    if not modules:
        inner = folder / "exercises"
        if inner.is_dir() and any((inner / f"{m}.py").is_file() for m in MODULES):
            return _load_folder(inner, name)
        singles = sorted(p for p in folder.iterdir()
                         if p.suffix in (".py", ".ipynb") and not p.name.startswith("."))
        notebooks = _in_contract_order([p for p in singles if p.suffix == ".ipynb"])
        if notebooks:
            return _load_notebooks(notebooks, name)
        if len(singles) == 1:
            return _load_file(singles[0], name)
        raise LoadError(_("{path}: no exercise modules found (expected files such as "
                          "activations.py or losses.py, or one notebook)").format(path=folder))
    units = tuple(_module_unit(folder / f"{m}.py", m) for m in modules)
    helpers = _helpers(folder)
    return Submission(folder.resolve(), name, "folder", folder.resolve(), units, helpers)


def _load_file(path: Path, name: str) -> Submission:
    """A module file: named after a contract module, it is that module; else one namespace.

    Nothing else of its folder is read: a file may sit among other students' files.
    """
    if path.stem in MODULES:
        units = (_module_unit(path, path.stem),)
        return Submission(path.resolve(), name, "folder", path.resolve().parent, units)
    units = (Unit(name=path.name, kind="namespace", source=_read(path),
                  path=str(path.resolve())),)
    return Submission(path.resolve(), name, "module", path.resolve().parent, units)


def _module_unit(path: Path, module: str) -> Unit:
    return Unit(name=f"{module}.py", kind="module", source=_read(path),
                path=str(path.resolve()), module=module)


def _helpers(folder: Path) -> tuple[Unit, ...]:
    """The folder's other top-level modules (importable by the student's code), bounded."""
    helpers = []
    for path in sorted(folder.glob("*.py")):
        name = path.stem
        if name in MODULES or not name.isidentifier() or name.startswith("__"):
            continue
        try:
            if not path.is_file() or path.stat().st_size > MAX_HELPER_BYTES:
                continue
        except OSError:
            continue
        helpers.append(Unit(name=path.name, kind="helper", source=_read(path),
                            path=str(path.resolve()), module=name))
        if len(helpers) == MAX_HELPERS:
            break
    return tuple(helpers)


def _load_notebook(path: Path, name: str) -> Submission:
    return _load_notebooks([path], name)


def _load_notebooks(paths: list[Path], name: str) -> Submission:
    """Code cells of one or more notebooks, run in one namespace (function names are unique)."""
    units = []
    for path in paths:
        label = _("notebook cell {n}") if len(paths) == 1 else path.name + ": " + _("cell {n}")
        units += [Unit(name=label.format(n=n), kind="namespace", source=source,
                       path=str(path.resolve()))
                  for n, source in notebook_cells(path)]
    root = paths[0].resolve()
    return Submission(root if len(paths) == 1 else root.parent, name, "notebook", root.parent,
                      tuple(units))


def _in_contract_order(paths: list[Path]) -> list[Path]:
    """Notebooks named after contract modules first, in grading order, then the rest."""
    order = {module: index for index, module in enumerate(MODULES)}
    return sorted(paths, key=lambda p: (order.get(p.stem, len(order)), p.name))
