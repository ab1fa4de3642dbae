"""The full internal report as JSON (``Report.to_dict``; ``Report.from_dict`` reads it back)."""

from __future__ import annotations

import json

from grader.report.model import Report


def render(report: Report) -> str:
    """Indented JSON, non-ASCII kept readable."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
