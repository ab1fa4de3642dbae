"""Child side: notice a forbidden library (torch, scipy, ...) computing during a call.

A profile hook sees every Python function entered (``call``: its module is the frame's
``__name__``) and every C function called (``c_call``: its ``__module__``, or the module of
the type it is bound to, as for ``tensor.sum``). It reads only attributes of functions,
frames and types, never runs the student's objects' code, and never raises.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable

from grader.contract import FORBIDDEN_LIBRARIES

#: Distinct uses kept per call, and distinct two-level modules ("torch.nn") of all uses.
KEEP, KEEP_FAMILIES = 5, 32


class ForbiddenProfiler:
    """Records the first few distinct uses of forbidden libraries between start and stop."""

    def __init__(self, libraries: tuple[str, ...] = FORBIDDEN_LIBRARIES):
        self.libraries = frozenset(libraries)
        self.found: list[str] = []
        self.families: set[str] = set()     # "torch", "torch.nn": what torch_api must use
        self.hook = self._hook()

    def _hook(self) -> Callable[[Any, str, Any], None]:
        """The profile function: a plain closure, called for every event of the call (an
        instance's ``__call__`` costs a fifth more)."""
        libraries, note = self.libraries, self._note
        module_of_type = type.__dict__["__module__"].__get__
        name_of_type = type.__dict__["__name__"].__get__

        def hook(frame: Any, event: str, arg: Any) -> None:
            try:
                if event == "c_call":
                    module = getattr(arg, "__module__", None)
                    if type(module) is str and module.partition(".")[0] in libraries:
                        note(f"{module}.{getattr(arg, '__name__', '?')}")
                        return
                    owner = type(getattr(arg, "__self__", None))
                    module = module_of_type(owner)
                    if type(module) is str and module.partition(".")[0] in libraries:
                        note(f"{module}.{name_of_type(owner)}.{getattr(arg, '__name__', '?')}")
                elif event == "call":
                    module = frame.f_globals.get("__name__")
                    if type(module) is str and module.partition(".")[0] in libraries:
                        note(f"{module}.{frame.f_code.co_name}")
            except Exception:  # a profiler that raises is switched off by Python
                pass
        return hook

    def _note(self, use: str) -> None:
        if len(self.found) < KEEP and use not in self.found:
            self.found.append(use)
        if len(self.families) < KEEP_FAMILIES:
            self.families.add(".".join(use.split(".")[:2]))

    def start(self) -> None:
        threading.setprofile(self.hook)
        sys.setprofile(self.hook)

    def stop(self) -> tuple[str, ...]:
        """Remove the hook; the uses seen (a removed hook counts as one: ``sys.setprofile``)."""
        if sys.getprofile() is not self.hook:
            self._note("sys.setprofile")
        sys.setprofile(None)
        threading.setprofile(None)
        return tuple(self.found)
