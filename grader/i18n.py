"""Translation: every user-facing string passes through ``_()``.

The catalog is ``locale/<lang>/LC_MESSAGES/grader.po`` (standard gettext, read with polib),
so translating is editing one file. ``N_()`` marks a string for the catalog where it is
declared (e.g. a test label) and ``_()`` translates it where it is shown.
The language comes from ``set_language`` (``--lang``), else ``$GRADER_LANG``, else English.
"""

from __future__ import annotations

import gettext
import io
import os
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
    chosen = _language or os.environ.get("GRADER_LANG", "en")
    return chosen if chosen in LANGUAGES else "en"


def set_language(lang: str | None) -> None:
    """Choose the language for everything shown from now on (None: back to the default)."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(lang)
    global _language
    _language = lang


def _(message: str) -> str:
    """Translate ``message`` into the language in force."""
    return catalog(language()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it yet."""
    return message
