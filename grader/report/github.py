"""GitHub Classroom: the runner result that ``autograding-grading-reporter`` reads.

The reporter takes, per runner, base64-encoded JSON
``{"version", "status": pass|fail|error, "max_score", "tests": [{"name", "status", "score",
"message", "test_code", "filename", "line_no", "execution_time"}]}`` and adds up the tests'
``score`` against ``max_score``. ``render`` prints the Markdown summary for the log and the
encoded result as its last line, for a workflow step to put in ``$GITHUB_OUTPUT``.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from grader.contract import module_of
from grader.report import markdown
from grader.report.details import test_details
from grader.report.model import ERROR, FAILED, Report

#: Our test statuses as the reporter spells them (passed and internal both count as passed).
STATUS = {FAILED: "fail", ERROR: "error"}


def runner_result(report: Report) -> dict[str, Any]:
    """The runner JSON as a dict."""
    tests = [{"name": test.name,
              "status": STATUS.get(test.status, "pass"),
              "score": test.points,
              "message": test_details(test),
              "test_code": f"grade run --seed {report.seed}",
              "filename": f"{module_of(test.function)}.py",
              "line_no": 0,
              "execution_time": "0s"}
             for test in report.tests]
    if report.status != "graded":
        status = "error"
    else:
        status = "fail" if any(t["status"] != "pass" for t in tests) else "pass"
    return {"version": 1, "status": status, "max_score": report.max_score, "tests": tests}


def encoded(report: Report) -> str:
    """The runner JSON, base64-encoded as the reporter decodes it."""
    data = json.dumps(runner_result(report), ensure_ascii=False).encode("utf-8")
    return base64.b64encode(data).decode("ascii")


def render(report: Report) -> str:
    """The summary table, then the encoded result as the last line."""
    return markdown.render(report) + "\n" + encoded(report) + "\n"


def append_step_summary(report: Report) -> None:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` when running in Actions."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as summary_file:
            summary_file.write(markdown.render(report) + "\n")
