"""The full internal report as JSON (``Report.to_dict``; ``Report.from_dict`` reads it back).

Every field is within its bound (``bound.report``); a lone surrogate is written as its JSON
escape, so the document always encodes as UTF-8.
"""

from __future__ import annotations

import json

from grader.report import bound
from grader.report.model import Report


def render(report: Report) -> str:
    """Indented JSON, non-ASCII kept readable."""
    return dumps(bound.report(report).to_dict(), indent=2) + "\n"


def dumps(data: object, **options: object) -> str:
    """``json.dumps`` with non-ASCII kept readable, lone surrogates as ``\\udXXX`` escapes."""
    text = json.dumps(data, ensure_ascii=False, **options)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
