"""Translation: every user-facing string passes through ``_()``.

The catalog is ``locale/<lang>/LC_MESSAGES/grader.po`` (standard gettext, read with polib),
so translating is editing one file. ``N_()`` marks a string for the catalog where it is
declared (e.g. a test label) and ``_()`` translates it where it is shown.
The language comes from ``set_language`` (``--lang``), else ``$GRADER_LANG``, else the
bundle's default (``locale/default``, which ``grade release --lang`` writes into the
student bundle's grader), else English.

Click's own strings (``Usage:``, ``Options``, ``Error: ...``, usage errors) are looked up in
the same catalog: ``translate_click`` points the ``gettext`` names click's modules use at it.
"""

from __future__ import annotations

import gettext
import io
import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import polib

LANGUAGES = ("en", "ko")
LOCALE_DIR = Path(__file__).parent / "locale"
_language: str | None = None


@lru_cache(maxsize=None)
def catalog(language: str) -> gettext.NullTranslations:
    """The translations for ``language`` (English is the identity)."""
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "grader.po"
    if language == "en" or not po_file.exists():
        return gettext.NullTranslations()
    mo_bytes = polib.pofile(str(po_file)).to_binary()
    return gettext.GNUTranslations(io.BytesIO(mo_bytes))


def language() -> str:
    """The language in force."""
    chosen = _language or os.environ.get("GRADER_LANG") or bundle_default()
    return chosen if chosen in LANGUAGES else "en"


@lru_cache(maxsize=None)
def bundle_default() -> str:
    """The language a student bundle was released in (``locale/default``), else English."""
    try:
        chosen = (LOCALE_DIR / "default").read_text(encoding="utf-8").strip()
    except OSError:
        return "en"
    return chosen if chosen in LANGUAGES else "en"


def set_language(lang: str | None) -> None:
    """Choose the language for everything shown from now on (None: back to the default)."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(lang)
    global _language
    _language = lang


@contextmanager
def using(lang: str | None):
    """Everything shown inside the block is in ``lang`` (None: the language in force); the
    language in force before is back afterwards."""
    global _language
    previous = _language
    if lang is not None:
        set_language(lang)
    try:
        yield
    finally:
        _language = previous


def _(message: str) -> str:
    """Translate ``message`` into the language in force."""
    return catalog(language()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it yet."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """``singular`` or ``plural`` by ``count``, translated (Korean has one form: both are
    catalog entries)."""
    return _(singular if count == 1 else plural)


#: Click's modules that show text through ``gettext``.
CLICK_MODULES = ("core", "exceptions", "formatting", "parser", "types", "decorators")


def translate_click() -> None:
    """Make click's own strings follow the language in force (they are in our catalog)."""
    import importlib

    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
