"""Child side: for one exchange (a test's cases), let the parent answer some contract
functions (callees).

Wherever the called function, or any other code of the submission, can see a callee (a
global name bound to the student's function or its placeholder, a missing name, a contract
module object, a value in module-level dicts, lists and tuples, nested a few levels), it
finds a proxy instead (a proxy answers only while a case runs); everything is restored
when the exchange ends.
"""

from __future__ import annotations

import types
from typing import Any, Callable

from grader.sandbox.loader import Loader

#: How deep module-level containers are searched: {"relu": (relu, relu_grad)} is 2 levels.
CONTAINER_DEPTH = 3


class Substitution:
    """A context manager that swaps callees for proxies in what ``target`` can see."""

    def __init__(self, loader: Loader, function: str, target: Any,
                 proxies: dict[str, Callable[..., Any]]):
        self.loader = loader
        self.proxies = proxies
        self.namespace = getattr(target, "__globals__", None) \
            if type(target) is types.FunctionType else None
        if self.namespace is None:
            module = loader.module_of(function)
            self.namespace = module.__dict__ if module is not None else {}
        self.undo: list[Callable[[], None]] = []

    def __enter__(self) -> "Substitution":
        if not self.proxies:
            return self
        originals: dict[int, Callable[..., Any]] = {}
        modules: dict[int, list[str]] = {}
        for callee, proxy in self.proxies.items():
            for old in (self.loader.student_object(callee), self.loader.placeholders.get(callee)):
                if old is not None:
                    originals[id(old)] = proxy
            module = self.loader.module_of(callee)
            if module is not None:
                modules.setdefault(id(module), []).append(callee)
        scope = self.namespace
        walked: dict[int, tuple[int, Any, Any]] = {}
        for namespace in self._student_namespaces():
            for key, value in list(namespace.items()):
                if type(value) is types.ModuleType and id(value) in modules:
                    for callee in modules[id(value)]:
                        self._set(value.__dict__, callee.split(".")[1], self.proxies[callee])
                    continue
                replaced = self._replace(value, originals, CONTAINER_DEPTH, walked)
                if replaced is not value:
                    self._set(namespace, key, replaced)
        for callee, proxy in self.proxies.items():
            name = callee.split(".")[1]
            if name not in scope:
                self._set(scope, name, proxy)
        return self

    def _student_namespaces(self) -> list[dict[str, Any]]:
        """The called function's globals first, then every other module of the submission,
        so a callee's own callees (sigmoid_grad calling sigmoid) are answered too."""
        scopes = [self.namespace]
        if self.loader.namespace is not None:
            scopes.append(self.loader.namespace.__dict__)
        scopes += [module.__dict__ for module in self.loader.modules.values()]
        unique: dict[int, dict[str, Any]] = {}
        for scope in scopes:
            unique.setdefault(id(scope), scope)
        return list(unique.values())

    def _replace(self, value: Any, originals: dict[int, Callable[..., Any]], depth: int,
                 walked: dict[int, tuple[int, Any, Any]]) -> Any:
        """``value`` with callees swapped for proxies: dicts and lists changed in place (and
        restored later), tuples rebuilt, down to ``depth`` levels of nesting. A container
        already walked as deep (the builtins every module shares) is not walked again:
        ``walked`` keeps it, and what it became, by identity."""
        if id(value) in originals:
            return originals[id(value)]
        kind = type(value)
        if depth == 0 or not _container(kind):
            return value
        seen = walked.get(id(value))
        if seen is not None and seen[0] >= depth:
            return seen[2]
        result = value
        if kind is dict or kind is list:
            for key, item in list(value.items() if kind is dict else enumerate(value)):
                if _container(type(item)) or id(item) in originals:
                    replaced = self._replace(item, originals, depth - 1, walked)
                    if replaced is not item:
                        self._set(value, key, replaced)
        else:
            items = tuple(self._replace(item, originals, depth - 1, walked) for item in value)
            if any(new is not old for new, old in zip(items, value)):
                result = items
        walked[id(value)] = depth, value, result   # ``value`` kept alive: its id stays its own
        return result

    def _set(self, container: Any, key: Any, value: Any) -> None:
        missing = isinstance(container, dict) and key not in container
        old = None if missing else container[key]

        def restore() -> None:
            if missing:
                if container.get(key) is value:
                    del container[key]
            else:
                container[key] = old

        container[key] = value
        self.undo.append(restore)

    def __exit__(self, *exc: object) -> None:
        while self.undo:
            try:
                self.undo.pop()()
            except Exception:  # the student changed the container meanwhile
                pass


def _container(kind: type) -> bool:
    """Whether ``kind`` is one of the containers searched, by identity (a class of the
    student's may claim equality with any type)."""
    return kind is dict or kind is list or kind is tuple
