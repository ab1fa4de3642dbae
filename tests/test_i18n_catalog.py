"""The Korean catalog translates every message of the grader, with the same placeholders.

Run ``python tests/test_i18n_catalog.py`` to list the msgids the catalog is missing.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import polib
import pytest

from grader import i18n
from grader.i18n import _, set_language

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "grader" / "locale" / "ko" / "LC_MESSAGES" / "grader.po"


def msgids() -> dict[str, str]:
    """Every literal first argument of ``_()`` / ``N_()`` in grader/, with where it is."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "grader").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value,
                                 f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def translations() -> dict[str, str]:
    """msgid -> msgstr of the Korean catalog (untranslated and fuzzy entries left out)."""
    return {e.msgid: e.msgstr for e in polib.pofile(str(CATALOG)).translated_entries()}


def placeholders(text: str) -> set[str]:
    """The named fields of a format string."""
    return {field for _lit, field, _spec, _conv in string.Formatter().parse(text)
            if field is not None}


@pytest.fixture(autouse=True)
def default_language(monkeypatch):
    monkeypatch.delenv("GRADER_LANG", raising=False)
    yield
    set_language(None)


def test_every_message_is_translated():
    catalog = translations()
    missing = {m: where for m, where in msgids().items() if not catalog.get(m)}
    assert not missing, "untranslated:\n" + "\n".join(f"{w}: {m!r}" for m, w in missing.items())


def test_placeholders_agree():
    catalog = translations()
    differ = [m for m in msgids() if m in catalog and placeholders(m) != placeholders(catalog[m])]
    assert not differ, differ


def test_catalog_header():
    po = polib.pofile(str(CATALOG))
    assert po.metadata["Language"] == "ko"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"


def test_english_is_default_and_korean_on_request(monkeypatch):
    message = "Not implemented yet: replace the raise NotImplementedError with your code."
    assert _(message) == message
    set_language("ko")
    assert _(message) != message and "구현" in _(message)
    set_language(None)
    monkeypatch.setenv("GRADER_LANG", "ko")
    assert i18n.language() == "ko" and _(message) == translations()[message]


if __name__ == "__main__":
    done = translations()
    for message, where in msgids().items():
        if not done.get(message):
            print(f'#: {where}\nmsgid "{polib.escape(message)}"\nmsgstr ""\n')
