"""Step 5: reports in every format (text, json, gradescope, junit, github, markdown).

Each format is one module with ``render(report) -> str``; ``render`` here picks it.
"""

from __future__ import annotations

import importlib

from grader.report.model import Report

FORMATS: tuple[str, ...] = ("text", "json", "gradescope", "junit", "github", "markdown")


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """``report`` in format ``fmt`` (one of FORMATS); ``color`` only matters for text."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    module = importlib.import_module(f"grader.report.{fmt}")
    return module.render(report, color=color) if fmt == "text" else module.render(report)
