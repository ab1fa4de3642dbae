"""A module imported on its first use, not where it is named.

The checks name torch for their oracles, but a batch's own process, which reads the checks'
declarations (names, points, tests) and never runs an oracle, must not pay torch's import
(1.5 s, and 150 MiB of its own that no grading process could share)."""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for the module ``name``: an attribute read imports it (once) and reads it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"
