"""Step 5: reports in every format (text, json, gradescope, junit, github, markdown).

Each format is one module with ``render(report) -> str``; ``render`` here picks it.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from grader.report.model import Report

FORMATS: tuple[str, ...] = ("text", "json", "gradescope", "junit", "github", "markdown")


def render(report: Report, fmt: str, *, color: bool = False,
           visibility: Sequence[tuple[str, str]] = ()) -> str:
    """``report`` in format ``fmt`` (one of FORMATS); ``color`` only matters for text,
    ``visibility`` (Gradescope's per-test rules) only for gradescope."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    module = importlib.import_module(f"grader.report.{fmt}")
    if fmt == "text":
        return module.render(report, color=color)
    if fmt == "gradescope":
        return module.render(report, visibility)
    return module.render(report)
