"""Child side: find forbidden libraries in the from-scratch functions' source, statically.

The runtime profiler (``profiler.py``) sees only what raises profile events: a C function
calling another, as ``map(torch.relu, rows)`` does, goes unseen. This check reads the source
instead (``ast``, never running it), before any of the submission's code runs, and says
which from-scratch contract functions reach a forbidden library, and through what:

- ``import torch``, ``import torch.nn as nn``, ``from torch import relu``, anywhere;
- ``__import__("torch")``, ``importlib.import_module("torch")``, ``sys.modules["torch"]``,
  ``getattr(torch, "relu")``, ``vars(torch)[...]``, ``globals()["torch"]`` with constant
  names (a name computed at run time cannot be decided, and is left to the profiler);
- attribute chains and aliases of those (``F = torch.nn.functional`` then ``F.relu``),
  module-level assignments (``relu = torch.relu``), and helpers: a function, class or
  module-level name of the student's (in the same module, another contract module or a
  helper module) that reaches one taints every function that refers to it.

A reference to another from-scratch contract function does not taint: that function is
judged on its own, and its caller is graded with the reference in its place.
"""

from __future__ import annotations

import ast
from collections import deque
from typing import Any, Iterable, Iterator

from grader.contract import FORBIDDEN_LIBRARIES, FROM_SCRATCH, FUNCTIONS, MODULES, module_of

#: Passes over the sources before giving up on a fixed point (names reached through names).
ROUNDS = 12
PACKAGE = "exercises"
IMPORTERS = ("import_module", "__import__")
#: The nodes through which code can reach a library (``_resolve`` gives None for the rest).
REACHING = (ast.Import, ast.ImportFrom, ast.Name, ast.Attribute, ast.Subscript, ast.Call)
#: The fields that hold annotations, and the nodes that have them.
ANNOTATIONS = ("annotation", "returns")
ANNOTATED = (ast.arg, ast.AnnAssign, ast.FunctionDef, ast.AsyncFunctionDef)


class _Module:
    """A name bound to one of the submission's modules (``import helper``)."""

    def __init__(self, key: str):
        self.key = key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Module) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)


def _forbidden(dotted: Any) -> bool:
    return type(dotted) is str and dotted.partition(".")[0] in FORBIDDEN_LIBRARIES


class _Analysis:
    """The bindings of every module of one submission, refined until they stop changing."""

    def __init__(self, trees: dict[str, list[ast.Module]], contract: dict[str, frozenset[str]],
                 aliases: dict[str, str]):
        self.trees = trees
        self.contract = contract      # module key -> its from-scratch contract functions
        self.aliases = aliases        # importable name -> module key
        self.envs: dict[str, dict[str, Any]] = {key: {} for key in trees}
        self._reaching: dict[int, list[ast.AST]] = {}   # id(node) -> its nodes that may reach

    def run(self) -> None:
        for _round in range(ROUNDS):
            envs = {key: self._module_env(key) for key in self.trees}
            if envs == self.envs:
                return
            self.envs = envs

    def uses(self, key: str, name: str) -> str | None:
        value = self.envs.get(key, {}).get(name)
        return value if _forbidden(value) else None

    # -- one module --------------------------------------------------------------------

    def _module_env(self, key: str) -> dict[str, Any]:
        env: dict[str, Any] = {}
        for tree in self.trees[key]:
            for statement in tree.body:
                try:
                    self._bind(statement, key, env)
                except RecursionError:   # absurdly nested source: left to the profiler
                    pass
        return env

    def _bind(self, node: ast.stmt, key: str, env: dict[str, Any]) -> None:
        """Record what the module-level ``node`` binds (in order: later bindings win)."""
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    env[alias.asname] = self._imported(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    env[top] = self._imported(top)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    module = self._imported(node.module or "")
                    if isinstance(module, _Module):
                        env.update(self.envs.get(module.key, {}))
                    continue
                env[alias.asname or alias.name] = self._from_import(node, alias.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            env[node.name] = self._first_use(node, key, exempt=node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = None if node.value is None else self._value(node.value, key, env)
            for target in targets:
                self._assign(target, value, key, env)
        elif isinstance(node, ast.Expr):    # globals().update(relu=torch.relu)
            self._expression_statement(node.value, key, env)
        else:                               # if / try / with / for at module level
            if isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._assign(item.optional_vars,
                                     self._value(item.context_expr, key, env), key, env)
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, field, None) or ():
                    if isinstance(child, ast.ExceptHandler):
                        for inner in child.body:
                            self._bind(inner, key, env)
                    elif isinstance(child, ast.stmt):
                        self._bind(child, key, env)
            if isinstance(node, ast.Match):
                for case in node.cases:
                    for inner in case.body:
                        self._bind(inner, key, env)

    def _assign(self, target: ast.expr, value: Any, key: str, env: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:       # a, b = torch.relu, torch.tanh: both
                self._assign(element, value, key, env)
        elif isinstance(target, ast.Subscript) and _is_globals(target.value) \
                and isinstance(target.slice, ast.Constant) and type(target.slice.value) is str:
            env[target.slice.value] = value   # globals()["relu"] = torch.relu

    def _expression_statement(self, node: ast.expr, key: str, env: dict[str, Any]) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "update" and _is_globals(node.func.value):
            for keyword in node.keywords:
                if keyword.arg is not None:
                    env[keyword.arg] = self._value(keyword.value, key, env)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "setattr" and len(node.args) == 3 \
                and isinstance(node.args[1], ast.Constant) and type(node.args[1].value) is str:
            env[node.args[1].value] = self._value(node.args[2], key, env)

    def _value(self, node: ast.expr, key: str, env: dict[str, Any]) -> Any:
        """What a module-level expression gives: a module, a forbidden use, or None."""
        found = self._resolve(node, key, env)
        if found is not None:
            return found
        return self._first_use(node, key, env=env)

    # -- imports -----------------------------------------------------------------------

    def _imported(self, name: str) -> Any:
        """What ``import name`` binds: the dotted name of a forbidden library, one of the
        submission's modules, or None (another installed package)."""
        if _forbidden(name):
            return name
        if name == PACKAGE:
            return _Module(PACKAGE)
        bare = name.removeprefix(PACKAGE + ".")
        if bare in self.aliases:
            return _Module(self.aliases[bare])
        return None

    def _from_import(self, node: ast.ImportFrom, name: str) -> Any:
        module = node.module or ""
        if node.level == 0 and _forbidden(module):
            return f"{module}.{name}"
        if node.level and not module:   # from . import activations
            return self._imported(name)
        if module == PACKAGE and node.level == 0:
            return self._imported(name)
        source = self._imported(module)
        return self._member(source, name) if isinstance(source, _Module) else None

    def _member(self, module: _Module, name: str) -> Any:
        """``module.name`` for one of the submission's modules (contract functions: None)."""
        if module.key == PACKAGE:
            return self._imported(name)
        if name in self.contract.get(module.key, ()):
            return None
        return self.envs.get(module.key, {}).get(name)

    # -- expressions -------------------------------------------------------------------

    def _resolve(self, node: ast.expr, key: str, env: dict[str, Any],
                 local: frozenset[str] = frozenset(), exempt: str = "") -> Any:
        """What ``node`` refers to, when decidable: a forbidden dotted name, or a module."""
        if isinstance(node, ast.Name):
            if node.id in local:
                return None
            if node.id != exempt and node.id in self.contract.get(key, ()):
                return None
            return env.get(node.id)
        if isinstance(node, ast.Attribute):
            if node.attr == "__dict__":
                return self._resolve(node.value, key, env, local, exempt)
            base = self._resolve(node.value, key, env, local, exempt)
            if isinstance(base, _Module):
                return self._member(base, node.attr)
            return f"{base}.{node.attr}" if _forbidden(base) else None
        if isinstance(node, ast.Subscript):
            name = node.slice.value if isinstance(node.slice, ast.Constant) \
                and type(node.slice.value) is str else None
            if isinstance(node.value, ast.Attribute) and node.value.attr == "modules" \
                    and name is not None:
                return self._imported(name)            # sys.modules["torch"]
            if _is_globals(node.value) and name is not None:
                return env.get(name)
            base = self._resolve(node.value, key, env, local, exempt)
            if isinstance(base, _Module) and name is not None:
                return self._member(base, name)
            if _forbidden(base):
                return f"{base}.{name}" if name else base   # vars(torch)["relu"]
            return None
        if isinstance(node, ast.Call):
            return self._resolve_call(node, key, env, local, exempt)
        return None

    def _resolve_call(self, node: ast.Call, key: str, env: dict[str, Any],
                      local: frozenset[str], exempt: str) -> Any:
        function = node.func
        called = function.id if isinstance(function, ast.Name) else \
            function.attr if isinstance(function, ast.Attribute) else None
        first = node.args[0] if node.args else None
        name = first.value if isinstance(first, ast.Constant) and type(first.value) is str \
            else None
        if called in IMPORTERS and name is not None:
            return self._imported(name if called == "import_module" else name.split(".")[0])
        if called in ("getattr", "vars") and first is not None:
            base = self._resolve(first, key, env, local, exempt)
            second = node.args[1] if len(node.args) > 1 else None
            attr = second.value if isinstance(second, ast.Constant) \
                and type(second.value) is str else None
            if isinstance(base, _Module):
                return self._member(base, attr) if attr else None
            if _forbidden(base):
                return f"{base}.{attr}" if attr else base
        return None

    def _first_use(self, node: ast.AST, key: str, exempt: str = "",
                   env: dict[str, Any] | None = None) -> str | None:
        """The first forbidden thing ``node`` reaches (a function: when it is called, so
        through the module's final bindings), or None."""
        env = self.envs.get(key, {}) if env is None else env
        local = _parameters(node)
        for inner in self._nodes_reaching(node):
            if isinstance(inner, ast.Import):
                for alias in inner.names:
                    found = self._imported(alias.name)
                    if _forbidden(found):
                        return found
            elif isinstance(inner, ast.ImportFrom):
                for alias in inner.names:
                    found = self._from_import(inner, alias.name)
                    if _forbidden(found):
                        return found
            elif isinstance(inner, ast.expr):
                found = self._resolve(inner, key, env, local, exempt)
                if _forbidden(found):
                    return found
        return None

    def _nodes_reaching(self, node: ast.AST) -> list[ast.AST]:
        """The imports and references in ``node`` outside its annotations (the nodes that can
        reach a library), found once and kept for every round."""
        found = self._reaching.get(id(node))
        if found is None:
            found = [inner for inner in _walk_computing(node) if isinstance(inner, REACHING)]
            self._reaching[id(node)] = found
        return found


def _is_globals(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id in ("globals", "vars") and not node.args


def _walk_computing(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk(node)`` (breadth first, in the same order) without annotations: ``x:
    torch.Tensor`` computes nothing."""
    todo = deque([node])
    while todo:
        node = todo.popleft()
        yield node
        for field in node._fields:
            if field in ANNOTATIONS and isinstance(node, ANNOTATED):
                continue
            value = getattr(node, field, None)
            if isinstance(value, ast.AST):
                todo.append(value)
            elif isinstance(value, list):
                todo.extend(item for item in value if isinstance(item, ast.AST))


def _parameters(node: ast.AST) -> frozenset[str]:
    """The parameter names of a function (they shadow module-level names)."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return frozenset()
    arguments = node.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
             *(a for a in (arguments.vararg, arguments.kwarg) if a is not None)]
    return frozenset(a.arg for a in every)


def _parse(sources: Iterable[str]) -> list[ast.Module]:
    trees = []
    for source in sources:
        try:
            trees.append(ast.parse(source))
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # the loader says why
            pass
    return trees


def static_uses(units: list[dict[str, Any]], helpers: list[dict[str, Any]],
                kind: str) -> dict[str, list[str]]:
    """``{"activations.relu": ["torch.relu"]}``: the from-scratch contract functions whose
    source reaches a forbidden library, and what it reaches (as the profiler names it)."""
    scratch = [f for f in FUNCTIONS if module_of(f) in FROM_SCRATCH]
    aliases = {h["name"]: h["name"] for h in helpers}
    trees = {h["name"]: _parse([h["source"]]) for h in helpers}
    if kind == "folder":
        for unit in units:
            if unit["kind"] == "module":
                aliases[unit["module"]] = unit["module"]
                trees[unit["module"]] = _parse([unit["source"]])
        contract = {m: frozenset(MODULES[m]) for m in FROM_SCRATCH}
        where = {f: module_of(f) for f in scratch}
    else:   # one namespace answers to every contract module name
        trees[""] = _parse(u["source"] for u in units)
        aliases.update({m: "" for m in MODULES})
        contract = {"": frozenset(f.split(".")[1] for f in scratch)}
        where = {f: "" for f in scratch}
    analysis = _Analysis(trees, contract, aliases)
    analysis.run()
    found = {}
    for function in scratch:
        use = analysis.uses(where[function], function.split(".")[1])
        if use is not None:
            found[function] = [use]
    return found
