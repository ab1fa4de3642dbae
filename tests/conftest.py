"""What every test leaves as it found it."""

from __future__ import annotations

import sys

import pytest

#: Modules ``grader.uses.use()`` registers when a notebook is run in the test's own process.
USED = ("activations", "exercises.activations")


@pytest.fixture(autouse=True)
def modules_used_by_notebooks():
    """``sys.modules`` and the ``exercises`` package as they were, after a test that runs a
    notebook's set-up cell in this process (``grader.uses``)."""
    before = {name: sys.modules.get(name) for name in (*USED, "exercises")}
    package = before["exercises"]
    attribute = getattr(package, "activations", None)
    yield
    for name, module in before.items():
        if module is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = module
    if package is not None:
        if attribute is None:
            vars(package).pop("activations", None)
        else:
            package.activations = attribute
