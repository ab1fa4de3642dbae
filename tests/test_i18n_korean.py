"""Korean that a native reader accepts: no particle templates, no semicolons, one glossary.

The Korean catalog, the Korean notebooks and stubs of ``grade release --lang ko`` and the
Korean student README are checked:

- no particle written for both sounds (``(으)로``, ``을(를)``, ``은(는)``, ``이(가)``,
  ``와(과)``): every catalog entry is rendered with sample values (code names, numbers,
  Korean words) and the result must hold none;
- no particle right after a placeholder whose form depends on the value's last sound (``{name}을``):
  put a Korean noun between them (``{name} 함수를``) or rephrase;
- no semicolon in Korean prose;
- the terms of ``grader/locale/ko/glossary.tsv``.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "grader" / "locale" / "ko" / "LC_MESSAGES" / "grader.po"
GLOSSARY = ROOT / "grader" / "locale" / "ko" / "glossary.tsv"

#: A particle written for both sounds: (으)로, 을(를), (을)를, 은(는), 이(가), 와(과), (이)나 ...
TEMPLATE = re.compile(r"\((?:으|을|를|은|는|이|가|와|과)\)")
#: A particle whose form depends on the sound before it, right after a placeholder. The
#: copula (입니다, 이고, 이며, 이면, 인데, 이었) fits either sound and is allowed.
SOUND_PARTICLE = re.compile(r"\}(?:은|는|을|를|과|와|으로|로|가|여야|이어야|이나|나(?= )|이라|라고"
                            r"|이(?![고며면다었자]))")
HANGUL = re.compile(r"[가-힣]")
#: Sample values: code names, numbers and Korean words, ending in every kind of sound.
SAMPLES = ["activations.py", "relu", "exercises/", 3, 2.5, 10, "한국어", "제출물 폴더 자체입니다",
           "(2, 3)", "grade release"]


def entries() -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(CATALOG)) if e.msgstr]


def fields(text: str) -> list[tuple[str, str, str | None]]:
    """The placeholders of a format string: (name, format spec, conversion)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return []
    return [(name, spec or "", conv) for _lit, name, spec, conv in parsed if name is not None]


def renderings(text: str) -> list[str]:
    """``text`` formatted with every sample value in turn (numbers where a spec needs them)."""
    names = {name: spec for name, spec, _c in fields(text)}
    if not names or not all(name.isidentifier() for name in names):
        return [text]           # not a format string (a docstring with braces in its maths)
    out = []
    for sample in SAMPLES:
        values = {name: (1.5 if spec and not isinstance(sample, (int, float)) else sample)
                  for name, spec in names.items()}
        out.append(text.format(**values))
    return out


def prose(text: str) -> str:
    """Korean prose of a docstring, Markdown cell or message: code blocks, doctests and code
    spans left out."""
    kept, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.startswith(("    ", ">>>", "...")):
            continue
        kept.append(line)
    return re.sub(r"``.+?``|`[^`]+`", "", "\n".join(kept))


def glossary() -> list[tuple[str, str, re.Pattern]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            english, korean, avoid = line.split("\t")
            rows.append((english, korean, re.compile(avoid)))
    return rows


def glossary_breaches(where: str, text: str) -> list[str]:
    text = prose(text)
    return [f"{where}: {m.group(0)!r} (use {korean} for {english}) in "
            f"{text[max(0, m.start() - 30):m.end() + 30]!r}"
            for english, korean, avoid in glossary() for m in avoid.finditer(text)]


def korean_texts() -> list[tuple[str, str]]:
    """(where, text) for every Korean text a student meets outside the catalog's feedback:
    the ko bundle's notebooks (Markdown and code cells) and README."""
    from grader import i18n
    from grader.classroom.notebooks import build_notebook
    from grader.classroom.stubs import exercise_sources
    from grader.classroom.student_readme import student_readme

    previous = i18n._language
    i18n.set_language("ko")
    try:
        texts = [("README.md", student_readme())]
        for module, source in exercise_sources("ko").items():
            texts.append((f"exercises/{module}.py", source))
            for cell in build_notebook(module, source).cells:
                texts.append((f"{module}.ipynb, cell {cell.get('id')}", cell.source))
    finally:
        i18n.set_language(previous)
    return texts


def test_every_entry_renders_without_particle_templates():
    found = [(e.msgid, shown) for e in entries() for shown in renderings(e.msgstr)
             if TEMPLATE.search(shown)]
    assert not found, "\n".join(f"{m!r}\n  -> {s}" for m, s in found[:20])


def test_no_sound_dependent_particle_after_a_placeholder():
    found = [e.msgstr for e in entries() if SOUND_PARTICLE.search(e.msgstr)]
    assert not found, "attach the particle to a Korean noun (파일, 함수, 모듈, 명령, 값):\n" \
        + "\n".join(found)


def test_no_semicolons_in_korean_sentences():
    found = [e.msgstr for e in entries()
             if any(";" in line and HANGUL.search(line) for line in prose(e.msgstr).splitlines())]
    assert not found, "\n".join(found)


def test_catalog_follows_the_glossary():
    breaches = [b for e in entries() for b in glossary_breaches(e.msgid[:40], e.msgstr)]
    assert not breaches, "\n".join(breaches)


@pytest.fixture(scope="module")
def bundle_texts():
    return korean_texts()


def test_notebooks_stubs_and_readme_follow_the_glossary(bundle_texts):
    breaches = [b for where, text in bundle_texts for b in glossary_breaches(where, text)]
    assert not breaches, "\n".join(breaches)


def test_notebooks_stubs_and_readme_have_no_templates_or_semicolons(bundle_texts):
    bad = [where for where, text in bundle_texts
           if TEMPLATE.search(text) or any(";" in line and HANGUL.search(line)
                                           for line in prose(text).splitlines())]
    assert not bad, bad


def test_the_checks_can_fail():
    """The rules catch what they are for."""
    assert TEMPLATE.search("N = 2(으)로 나눕니다") and TEMPLATE.search("exercises을(를)")
    assert SOUND_PARTICLE.search("{path}을 지켜봅니다") and SOUND_PARTICLE.search("{x}이 빠짐")
    assert not SOUND_PARTICLE.search("{N}개, {x}입니다, {x}이고, {x}인데, {x}에서")
    assert glossary_breaches("t", "ReLU의 미분: 스텁의 형태") and \
        not glossary_breaches("t", "미분하면 도함수, 편미분, 경사 하강법, `스텁`")
