"""Turn a path into a ``Submission``: the ordered units a child process loads.

Nothing here runs student code: files are read as text and notebooks parsed as JSON, every
one of them through ``grader.submission.files`` (no links, no FIFOs or devices, bounded).
A refused entry costs what it holds: a contract module its module's functions, a helper
module what imports it, a notebook its cells; the rest is graded. A submission with nothing
readable left is refused as a whole, with the line that names the first refused entry.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from grader.contract import MODULES
from grader.i18n import _
from grader.submission import files
from grader.submission.files import Folder, LoadError, Refused, parent_and_name, refusal
from grader.submission.notebook import Labels, cell_label, notebook_cells

__all__ = ["LoadError", "Refused", "Submission", "Unit", "load"]


@dataclass(frozen=True)
class Unit:
    """One thing the child loads, in order.

    ``module`` units are contract module files, imported as ``exercises.<module>`` (so all
    three import styles of SPEC.md work); ``overlay`` units (a bundle's notebook cells,
    ``grader.submission.combine``) run in their ``module``'s namespace after it; ``namespace`` units (a single file, notebook cells)
    are executed one after another in one shared namespace; ``helper`` units are the
    student's other modules of a folder submission, importable by name.
    """

    name: str                 # shown in reports: "activations.py", 'cell "def relu(x):"'
    kind: str                 # "module" | "namespace" | "helper" | "overlay"
    source: str
    path: str                 # the file it came from
    module: str | None = None # contract module name ("module"), module name ("helper")


#: Helper modules of a folder submission (its other top-level .py files) kept at the most.
MAX_HELPERS = 32
#: Folders descended into, at the most, looking for a submission's modules.
MAX_DEPTH = 3
#: Entries that systems and tools add and nobody means to submit (a package's empty
#: ``__init__.py`` is not a submission either).
IGNORED = frozenset({"__MACOSX", "__pycache__", ".DS_Store", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class Submission:
    """A submission ready to be loaded by a child."""

    path: Path
    name: str
    kind: str                 # "folder" | "module" | "notebook"
    root: Path                # the folder the submission was read from
    units: tuple[Unit, ...]
    helpers: tuple[Unit, ...] = ()   # the student's own other modules (folder submissions)
    #: ``(entry, why)`` of every entry refused (a link, FIFO, device, socket, too large):
    #: ``entry`` is the file's name as a unit would have it ("losses.py", "leak.py").
    refused: tuple[tuple[str, str], ...] = ()
    #: What the report should say about how the submission was read (the notebooks'
    #: functions graded in place of ``exercises/`` stubs).
    notes: tuple[str, ...] = ()
    #: The modules the submission is for, when it says so by itself (a notebook named after
    #: a module, as the bundle's ``notebooks/losses.ipynb``): ``grade run`` grades only them
    #: unless told otherwise. Empty: every module.
    scope: tuple[str, ...] = ()


def load(path: str | Path, *, unpacked: bool = False) -> Submission:
    """Read ``path`` (folder, ``.py``, ``.ipynb`` or ``.zip``) as a submission; ``unpacked``:
    ``path`` is an archive's content (an archive inside it is not unpacked)."""
    path = Path(path)
    where, name = parent_and_name(path)
    try:
        parent = Folder.at(where)
    except (FileNotFoundError, NotADirectoryError):
        raise LoadError(_("no such file or folder: {path}").format(path=path)) from None
    except OSError as error:
        raise LoadError(_("cannot read {path}: {error}").format(
            path=path, error=error.strerror or error)) from None
    with parent:
        kind = parent.kind(name) if name != "." else "folder"
        full = Path(os.path.abspath(path))
        if kind is None:
            raise LoadError(_("no such file or folder: {path}").format(path=path))
        if kind == "link":
            raise Refused(str(path), _("{path} is a symbolic link (to {target}): give the "
                                       "file or folder itself").format(
                path=path, target=parent.link_target(name)))
        if kind == "folder":
            with parent.folder(name) if name != "." else Folder.at(full) as folder:
                folder.label = str(path)
                return _load_folder(folder, full, full.name, in_archive=unpacked)
        if kind != "file":
            raise refusal(str(path), kind)
        parent.label = str(path.parent)
        suffix = full.suffix.lower()
        if suffix == ".py":
            return _load_file(parent, name, full, full.stem)
        if suffix == ".ipynb":
            notebook = _load_notebooks(parent, [name], full.parent, full.stem)
            return replace(notebook, scope=(full.stem,)) if full.stem in MODULES else notebook
        if suffix == ".zip":
            from grader.submission.archive import load_zip
            return load_zip(parent, name, full)
    raise LoadError(_("{path}: not a folder, .py file, notebook or .zip; "
                      "give the folder that holds your modules").format(path=path))


def _load_folder(folder: Folder, path: Path, name: str, depth: int = 0,
                 in_archive: bool = False) -> Submission:
    """A folder: its modules, else wherever a student could reasonably have put them
    (``_elsewhere``)."""
    kinds = {entry: folder.kind(entry) for entry in folder.names()}
    modules = [m for m in MODULES if f"{m}.py" in kinds]
    if not modules:
        return _elsewhere(folder, path, name, kinds, depth, in_archive)
    units, refusals = [], []
    for module in modules:
        try:
            units.append(Unit(name=f"{module}.py", kind="module",
                              source=folder.text(f"{module}.py"),
                              path=_shown(path / f"{module}.py"), module=module))
        except Refused as error:
            refusals.append(error)
    if not units:
        raise refusals[0]
    refused = [(f"{r.entry.rsplit('/', 1)[-1]}", str(r)) for r in refusals]
    helpers = _helpers(folder, path, kinds, refused)
    return Submission(path, name, "folder", path, tuple(units), helpers, tuple(refused))


def _elsewhere(folder: Folder, path: Path, name: str, kinds: dict[str, str | None],
               depth: int, in_archive: bool) -> Submission:
    """A folder without contract modules at its top, searched in this order: ``exercises/``
    (with the notebooks of ``notebooks/`` beside it), notebooks, ``notebooks/``, a single
    ``.py``, then, when nothing else is there, a single ``.zip`` (not inside an archive) or a
    single folder (a repository or a zipped folder one level down, ``MAX_DEPTH`` levels at
    the most). Every file is read through ``files`` with the same bounds."""
    inner = kinds.get("exercises")
    if inner is not None and inner != "folder":
        raise refusal(folder.entry("exercises"), inner)
    if inner == "folder":
        with folder.folder("exercises") as exercises:
            if any(f"{m}.py" in exercises.names() for m in MODULES):
                submission = _load_folder(exercises, path / "exercises", name, MAX_DEPTH)
                if kinds.get("notebooks") != "folder":
                    return submission
                from grader.submission.combine import with_notebooks
                with folder.folder("notebooks") as notebooks:
                    return with_notebooks(submission, notebooks, _shown(path / "notebooks"))
    visible = [entry for entry in kinds if not entry.startswith(".") and entry not in IGNORED
               and entry != "__init__.py"]
    singles = [entry for entry in visible if entry.endswith((".py", ".ipynb"))]
    notebooks = _in_contract_order([e for e in singles if e.endswith(".ipynb")])
    if notebooks:
        return _load_notebooks(folder, notebooks, path, name)
    if kinds.get("notebooks") == "folder" and depth < MAX_DEPTH:
        with folder.folder("notebooks") as inside:
            found = _in_contract_order([e for e in inside.names() if e.endswith(".ipynb")
                                        and not e.startswith(".")])
            if found:
                return _load_notebooks(inside, found, path / "notebooks", name)
    if len(singles) == 1:
        return _load_file(folder, singles[0], path / singles[0], name)
    archives = [e for e in visible if e.lower().endswith(".zip") and kinds[e] == "file"]
    folders = [e for e in visible if kinds[e] == "folder"]
    if len(archives) == 1 and not folders and not singles:
        if in_archive:
            raise LoadError(_("{entry}: a .zip inside a .zip is not unpacked; submit the "
                              "files themselves").format(entry=folder.entry(archives[0])))
        from grader.submission.archive import load_zip
        return replace(load_zip(folder, archives[0], path / archives[0]), name=name)
    if len(folders) == 1 and not archives and not singles and depth < MAX_DEPTH:
        with folder.folder(folders[0]) as inside:
            return _load_folder(inside, path / folders[0], name, depth + 1, in_archive)
    raise LoadError(_("{path}: no exercise modules found (expected files such as "
                      "activations.py or losses.py, or one notebook)").format(
        path=folder.label))


def _load_file(folder: Folder, entry: str, path: Path, name: str) -> Submission:
    """A module file: named after a contract module, it is that module; else one namespace.

    Nothing else of its folder is read: a file may sit among other students' files.
    """
    source, stem = folder.text(entry), entry.removesuffix(".py")
    if stem in MODULES:
        units = (Unit(name=entry, kind="module", source=source, path=_shown(path),
                      module=stem),)
        return Submission(path, name, "folder", path.parent, units)
    units = (Unit(name=entry, kind="namespace", source=source, path=_shown(path)),)
    return Submission(path, name, "module", path.parent, units)


def _helpers(folder: Folder, path: Path, kinds: dict[str, str | None],
             refused: list[tuple[str, str]]) -> tuple[Unit, ...]:
    """The folder's other top-level modules (importable by the student's code), bounded."""
    helpers = []
    for entry in kinds:
        module = entry.removesuffix(".py")
        if module == entry or module in MODULES or not module.isidentifier() \
                or module.startswith("__"):
            continue
        try:
            source = folder.text(entry, files.MAX_FILE_BYTES)
        except Refused as error:
            refused.append((entry, str(error)))
            continue
        helpers.append(Unit(name=entry, kind="helper", source=source,
                            path=_shown(path / entry), module=module))
        if len(helpers) == MAX_HELPERS:
            break
    return tuple(helpers)


def _load_notebooks(folder: Folder, entries: list[str], path: Path, name: str) -> Submission:
    """Code cells of one or more notebooks, run in one namespace (function names are unique).
    ``path`` is the folder of the notebooks."""
    units, refusals = [], []
    for entry in entries:
        try:
            text = folder.text(entry, files.MAX_NOTEBOOK_BYTES)
        except Refused as error:
            refusals.append(error)
            continue
        prefix = "" if len(entries) == 1 else entry + ": "
        taken = Labels()
        for _number, source in notebook_cells(text, folder.entry(entry)):
            label = cell_label(source, taken)
            taken.add(label)
            units.append(Unit(name=prefix + label, kind="namespace", source=source,
                              path=_shown(path / entry)))
    if not units:
        raise refusals[0]
    first = path / entries[0]
    refused = tuple((r.entry.rsplit("/", 1)[-1], str(r)) for r in refusals)
    return Submission(first if len(entries) == 1 else path, name, "notebook", path,
                      tuple(units), refused=refused)


def _in_contract_order(entries: list[str]) -> list[str]:
    """Notebooks named after contract modules first, in grading order, then the rest."""
    order = {module: index for index, module in enumerate(MODULES)}
    return sorted(entries, key=lambda e: (order.get(e.removesuffix(".ipynb"), len(order)), e))


def _shown(path: Path) -> str:
    """``path`` as text the child and the reports can hold (undecodable bytes replaced)."""
    return os.fsencode(path).decode("utf-8", errors="replace")
