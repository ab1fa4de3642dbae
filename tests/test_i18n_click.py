"""Click's own strings (Usage, Options, Error: ..., usage errors) follow ``--lang`` too: each
one is in the Korean catalog, and the commands show them."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import polib

from grader.i18n import CLICK_MODULES

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "grader" / "locale" / "ko" / "LC_MESSAGES" / "grader.po"


def click_msgids() -> set[str]:
    """Every literal string click's modules pass to ``_()`` or ``ngettext()``."""
    found = set()
    for name in CLICK_MODULES:
        path = Path(importlib.util.find_spec(f"click.{name}").origin)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("_", "ngettext"):
                found |= {a.value for a in node.args[:2]
                          if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def test_every_click_string_is_translated():
    catalog = {e.msgid: e.msgstr for e in polib.pofile(str(CATALOG)).translated_entries()}
    missing = sorted(m for m in click_msgids() if not catalog.get(m))
    assert len(click_msgids()) > 40 and not missing, missing


def grade(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "GRADER_LANG": "en"})


def test_help_follows_lang():
    korean = grade("run", "--lang", "ko", "--help")
    assert korean.returncode == 0
    assert "사용법:" in korean.stdout and "옵션:" in korean.stdout
    assert "이 도움말을 보여 주고 끝냅니다." in korean.stdout
    assert "SUBMISSION 하나를 채점합니다" in korean.stdout
    english = grade("run", "--help", "--lang", "en")
    assert "Usage:" in english.stdout and "Show this message and exit." in english.stdout


def test_usage_errors_follow_lang():
    unknown = grade("run", "exercises", "--lang=ko", "--bogus")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert unknown.stderr.strip().splitlines() == [
        "grade: error: '--bogus' 옵션은 없습니다. ('python -m grader run --help'를 참고하세요)"]
    missing = grade("run", "--lang", "ko")
    assert missing.returncode == 2 and "인자가 없습니다" in missing.stderr


def test_release_help_says_the_stubs_are_in_the_bundles_language_too():
    korean = " ".join(grade("release", "--lang", "ko", "--help").stdout.split())
    assert "뼈대 코드의 독스트링과 메시지" in korean
    english = " ".join(grade("release", "--help").stdout.split())
    assert "its stubs' docstrings and messages" in english
