"""A module imported on its first use, not where it is named.

The checks name torch for their oracles, but a batch's own process, which reads the checks'
declarations (names, points, tests) and never runs an oracle, must not pay torch's import
(1.5 s, and 150 MiB of its own that no grading process could share)."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for the module ``name``: the first attribute read imports it; every read reads
    it (without asking the import system again: oracles read torch in their inner loops)."""

    _module: ModuleType | None = None

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"
