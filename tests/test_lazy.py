"""A lazy module imports its module on the first attribute read, and only then."""

from __future__ import annotations

import importlib
import sys

from grader.lazy import LazyModule


def test_the_first_read_imports_the_module_and_later_reads_ask_no_more(monkeypatch):
    monkeypatch.delitem(sys.modules, "tabnanny", raising=False)
    imports = []
    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module",
                        lambda name: imports.append(name) or real(name))
    tabnanny = LazyModule("tabnanny")
    assert "tabnanny" not in sys.modules and imports == []
    assert callable(tabnanny.check) and callable(tabnanny.check)
    assert "tabnanny" in sys.modules and imports == ["tabnanny"]
