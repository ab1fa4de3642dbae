"""Gradescope's ``results.json``: top-level score and output, one entry per test."""

from __future__ import annotations

import json
from typing import Any

from grader.report.details import is_failure, summary, test_details
from grader.report.model import Report


def document(report: Report) -> dict[str, Any]:
    """The results.json document as a dict."""
    return {
        "score": report.score,
        "execution_time": round(report.seconds, 3),
        "output": summary(report),
        "extra_data": {"seed": report.seed, "oracle": report.oracle, "status": report.status,
                       "selected": report.selected},
        "tests": [{"name": test.name,
                   "score": test.points,
                   "max_score": test.max_points,
                   "status": "failed" if is_failure(test) else "passed",
                   "output": test_details(test)}
                  for test in report.tests],
    }


def render(report: Report) -> str:
    """The document as indented JSON."""
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
