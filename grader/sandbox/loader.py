"""Child side: load a submission's units from their source text, as Python would import them.

Module units become ``exercises.<module>`` and ``<module>`` (one module object under both
names, with ``__package__ = "exercises"``), so the three import styles of SPEC.md work;
they load on first import, in any order. A unit that fails, and a contract module the
submission lacks, is replaced by a placeholder module whose contract functions raise when
called, unless the parent answers them during the current call. Namespace units (a single
file, notebook cells) run one after another in one shared module, which also answers to
every contract module name. Overlay units (notebook cells of a student bundle) run in
their module's namespace right after it. Helper modules (the student's other ``.py`` files) are
importable by name, after installed packages.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import linecache
import sys
import types
from typing import Any, Callable

from grader.contract import FUNCTIONS, MODULES
from grader.i18n import _

PACKAGE = "exercises"
#: The grader's own packages: a child may not import them (what it needs is loaded already).
BLOCKED = ("grader", "solutions", PACKAGE)


def describe(error: BaseException, files: frozenset[str]) -> dict[str, Any]:
    """Plain data about an exception: type names, message, the last student file and line."""
    kind = type(error)
    names = [cls.__name__ for cls in kind.__mro__ if type(cls.__name__) is str]
    try:
        message = str(error)
    except Exception:
        message = ""
    where, line = None, None
    if isinstance(error, SyntaxError) and type(error.lineno) is int:
        where, line = error.filename, error.lineno
        message = error.msg if type(error.msg) is str else message
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename in files:
            where, line = traceback.tb_frame.f_code.co_filename, traceback.tb_lineno
        traceback = traceback.tb_next
    return {"type": names[0] if names else "?", "types": names,
            "message": message[:2000] if type(message) is str else "",
            "file": where if type(where) is str else None, "line": line}


class Placeholder:
    """A contract function of a module that could not be imported or is missing."""

    def __init__(self, function: str, message: str, answering: Callable[[str], Any]):
        self.function = function
        self.message = message
        self.answering = answering
        self.__name__ = function.rsplit(".", 1)[1]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        proxy = self.answering(self.function)
        if proxy is not None:
            return proxy(*args, **kwargs)
        raise ImportError(self.message)


class Blocker(importlib.abc.MetaPathFinder):
    """Refuses imports of the grader's own packages (and the installed exercises)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


class Loader(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the student's modules to the import system and runs namespace units."""

    def __init__(self, units: list[dict[str, Any]], helpers: list[dict[str, Any]],
                 kind: str, skip: dict[str, str], report: Callable[[dict[str, Any]], None],
                 answering: Callable[[str], Any]):
        self.units = units
        self.kind = kind
        self.skip = skip
        self.report = report
        self.answering = answering
        self.errors: dict[str, dict[str, Any]] = {}
        self.placeholders: dict[str, Placeholder] = {}
        self.sources: dict[str, dict[str, Any]] = {}   # canonical name -> unit or helper
        self.modules: dict[str, types.ModuleType] = {}  # canonical name -> module object
        self.started: set[str] = set()
        self.namespace: types.ModuleType | None = None
        for helper in helpers:
            self.sources[f"{PACKAGE}.{helper['name']}"] = helper
        self.overlays: dict[str, list[dict[str, Any]]] = {}   # module -> its overlay units
        for unit in units:
            if unit["kind"] == "module":
                self.sources[f"{PACKAGE}.{unit['module']}"] = unit
            elif unit["kind"] == "overlay":
                self.overlays.setdefault(unit["module"], []).append(unit)
        self.files = frozenset(s["filename"] for s in [*units, *helpers])
        for source in [*units, *helpers]:
            lines = source["source"].splitlines(keepends=True)
            linecache.cache[source["filename"]] = (len(source["source"]), None, lines,
                                                   source["filename"])

    # -- loading -------------------------------------------------------------------------

    def load(self) -> None:
        """Install the package and finders, placeholders for the contract modules that are
        missing or skipped, then load every other unit in order."""
        package = types.ModuleType(PACKAGE)
        package.__path__ = []
        package.__spec__ = importlib.machinery.ModuleSpec(PACKAGE, None, is_package=True)
        package.__spec__.submodule_search_locations = []
        sys.modules[PACKAGE] = package
        sys.meta_path.insert(0, self)
        if self.kind != "folder":
            self._install_namespace()
        else:
            provided = {unit["module"] for unit in self.units if unit["kind"] == "module"}
            for module in MODULES:
                if module not in provided:
                    self._placeholder(module, _("{module}.py is not in the submission").format(
                        module=module))
        for unit in self.units:
            if unit["name"] in self.skip and unit["kind"] == "module":
                self._placeholder(unit["module"], _unimportable(unit["module"],
                                                                self.skip[unit["name"]]))
        for unit in self.units:
            if unit["name"] in self.skip or unit["kind"] == "overlay":
                continue
            if unit["kind"] == "module":
                importlib.import_module(f"{PACKAGE}.{unit['module']}")
            else:
                self._execute(unit, self.namespace)

    def _install_namespace(self) -> None:
        name = "__main__" if self.kind == "notebook" else "submission"
        self.namespace = types.ModuleType(name)
        sys.modules[name] = self.namespace
        for module in MODULES:
            sys.modules[module] = sys.modules[f"{PACKAGE}.{module}"] = self.namespace

    def _execute(self, source: dict[str, Any], module: types.ModuleType) -> bool:
        """Run one unit's code in ``module``; a failure is recorded, never raised."""
        self.report({"op": "unit", "name": source["name"], "phase": "start"})
        error = None
        try:
            exec(compile(source["source"], source["filename"], "exec", dont_inherit=True),
                 module.__dict__)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt at import too
            error = describe(exc, self.files)
            self.errors[source["name"]] = error
        self.report({"op": "unit", "name": source["name"], "phase": "done", "error": error})
        return error is None

    def _placeholder(self, module: str, message: str) -> None:
        """Put a placeholder where contract ``module`` would be; its functions raise
        ImportError(``message``) unless the parent answers them."""
        placeholder = types.ModuleType(f"{PACKAGE}.{module}")
        placeholder.__package__ = PACKAGE
        for name in MODULES[module]:
            function = Placeholder(f"{module}.{name}", message, self.answering)
            self.placeholders[function.function] = function
            setattr(placeholder, name, function)
        self._register(module, placeholder)

    def _register(self, module: str, obj: types.ModuleType) -> None:
        """Make ``obj`` contract module ``module`` under every name it is imported by."""
        self.modules[f"{PACKAGE}.{module}"] = obj
        sys.modules[module] = sys.modules[f"{PACKAGE}.{module}"] = obj
        setattr(sys.modules[PACKAGE], module, obj)  # import exercises.<module>

    # -- the import system ---------------------------------------------------------------

    def canonical(self, fullname: str) -> str | None:
        """``exercises.<name>`` for a student module known as ``fullname``, else None."""
        name = fullname if fullname.startswith(f"{PACKAGE}.") else f"{PACKAGE}.{fullname}"
        return name if name in self.sources else None

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        canonical = self.canonical(fullname)
        if canonical is None:
            return None
        source = self.sources[canonical]
        if fullname != canonical and source.get("kind") != "module" \
                and self._shadows(fullname):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, origin=source["path"])

    def _shadows(self, fullname: str) -> bool:
        """Whether a helper's bare name belongs to an installed module (which wins)."""
        sys.meta_path.remove(self)
        try:
            return importlib.machinery.PathFinder.find_spec(fullname) is not None
        finally:
            sys.meta_path.insert(0, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        canonical = self.canonical(spec.name)
        if canonical not in self.modules:
            source = self.sources[canonical]
            module = types.ModuleType(canonical)
            module.__file__ = source["path"]
            module.__package__ = PACKAGE
            module.__loader__ = self
            module.__spec__ = importlib.machinery.ModuleSpec(canonical, self,
                                                             origin=source["path"])
            self.modules[canonical] = module
        return self.modules[canonical]

    def exec_module(self, module: types.ModuleType) -> None:
        canonical = self.canonical(module.__spec__.name) or module.__name__
        module.__spec__ = importlib.machinery.ModuleSpec(canonical, self, origin=module.__file__)
        if canonical in self.started:
            return
        self.started.add(canonical)
        source = self.sources[canonical]
        bare = canonical.split(".", 1)[1]
        if source.get("kind") == "module":
            self._register(bare, module)
            if not self._execute(source, module):
                error = self.errors[source["name"]]
                self._placeholder(bare, _unimportable(
                    bare, f"{error['type']}: {error['message']}"[:300]))
                return
            for overlay in self.overlays.get(bare, []):   # a bundle's notebook functions
                if overlay["name"] not in self.skip:
                    self._execute(overlay, module)
            _resolve_lazy(module, MODULES.get(bare, ()))
            return
        sys.modules[canonical] = module
        if not self._shadows(bare):
            sys.modules[bare] = module
        try:
            exec(compile(source["source"], source["filename"], "exec", dont_inherit=True),
                 module.__dict__)
        except BaseException:  # as Python does: a failed import leaves no module behind
            self.started.discard(canonical)
            for name in (canonical, bare):
                if sys.modules.get(name) is module:
                    del sys.modules[name]
            raise

    # -- what the runner needs ------------------------------------------------------------

    def available(self) -> list[str]:
        """Contract functions the submission defines as callables."""
        return [function for function in FUNCTIONS if callable(self.student_object(function))]

    def module_of(self, function: str) -> types.ModuleType | None:
        """The module object that holds ``function`` (a placeholder if it failed)."""
        if self.namespace is not None:
            return self.namespace
        return self.modules.get(f"{PACKAGE}.{function.split('.')[0]}")

    def student_object(self, function: str) -> Any:
        """The student's object for a contract function (None if missing or failed)."""
        module = self.module_of(function)
        if module is None:
            return None
        found = module.__dict__.get(function.split(".")[1])
        return None if isinstance(found, Placeholder) else found


def _resolve_lazy(module: types.ModuleType, names: tuple[str, ...]) -> None:
    """Put the contract functions a module supplies only through a module-level
    ``__getattr__`` in its namespace, once, as loading ends: so every importer gets the very
    object that is graded, and that a callee substitution replaces (however a function is
    supplied, the reference answers for it)."""
    lazy = module.__dict__.get("__getattr__")
    if not callable(lazy):
        return
    for name in names:
        if name in module.__dict__:
            continue
        try:
            value = lazy(name)
        except Exception:  # noqa: BLE001 - the student's __getattr__ does not supply it
            continue
        if callable(value):
            module.__dict__[name] = value


def _unimportable(module: str, reason: str) -> str:
    return _("{module} could not be imported ({reason})").format(module=module, reason=reason)
