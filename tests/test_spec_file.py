"""The contract is a file of the repository (SPEC.md), the same text as the shared contract
``../shared/SPEC.md`` wherever that exists (the course's machines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.contract import MODULES

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "SPEC.md"


def test_the_contract_is_in_the_repository_and_lists_every_function():
    text = (ROOT / "SPEC.md").read_text(encoding="utf-8")
    for module, functions in MODULES.items():
        assert f"exercises/{module}.py" in text
        for function in functions:
            assert f"`{function}(" in text, function


@pytest.mark.skipif(not SHARED.is_file(), reason="no ../shared/SPEC.md beside this checkout")
def test_the_contract_is_the_shared_one():
    assert (ROOT / "SPEC.md").read_bytes() == SHARED.read_bytes(), \
        "SPEC.md differs from ../shared/SPEC.md: copy the shared one (cp ../shared/SPEC.md .)"
