"""Reports of hostile submissions (tests/adversarial/): every format renders, stays bounded,
and carries nothing active from the submission.

The grading side (the sabotaged functions score 0, every other keeps its marks) is checked
for the same cases by tests/sandbox/test_adversarial.py; here the reports themselves.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader.report import FORMATS, github, render
from grader.report.details import score_line
from tests.sandbox.test_adversarial import GENEROUS, build

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

CASES = ("huge_int", "surrogate_text", "long_keys", "terminal_escapes", "forged_lines")
#: What a terminal must never receive raw: C0/C1 controls but newline, bidi controls,
#: line separators, lone surrogates.
ACTIVE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                    "\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: No format's report of one submission may come near this (it was 225 MB for long_keys).
MOST_BYTES = 256 * 1024


@pytest.fixture(scope="module")
def grader():
    from grader.grading import Grader, Options
    with Grader(Options(seed=1, limits=GENEROUS)) as opened:
        yield opened


class Reports(dict):
    """Each case graded on first use (so one case's failure is reported as its own)."""

    def __init__(self, grader, folder: Path) -> None:
        super().__init__()
        self.grader, self.folder = grader, folder

    def __missing__(self, case: str):
        from grader.submission import load
        self[case] = self.grader.grade(load(build(case, self.folder)))
        return self[case]


@pytest.fixture(scope="module")
def reports(grader, tmp_path_factory):
    return Reports(grader, tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("case", CASES)
def test_every_format_renders_bounded_utf8(case, reports):
    for fmt in FORMATS:
        size = len(render(reports[case], fmt).encode("utf-8"))
        assert 0 < size < MOST_BYTES, (fmt, size)


@pytest.mark.parametrize("case", CASES)
def test_text_report_holds_nothing_active(case, reports):
    text = render(reports[case], "text")
    assert not ACTIVE.findall(text)
    assert not [line for line in text.splitlines() if line.lstrip().startswith("::")]
    # The grader's score line is the only one that starts like one.
    assert [line.strip() for line in text.splitlines() if line.lstrip().startswith("Score:")] \
        == [score_line(reports[case])]


def test_printed_lines_are_fenced(reports):
    """Every line the submission printed is behind the gutter (its exception message, which
    repeats them, is one line)."""
    text = render(reports["forged_lines"], "text")
    printed = ("Score: 100 / 100", "<img src=x onerror=alert(1)>", "**all tests passed**")
    lines = [line.strip() for line in text.splitlines()]
    forged = [line for line in lines if line.removeprefix("│").strip() in printed]
    assert len(forged) > 9 and all(line.startswith("│ ") for line in forged), forged
    assert "Printed while loading your code:" in lines


@pytest.mark.parametrize("case", CASES)
def test_markdown_and_step_summary_hold_no_html(case, reports, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    github.append_step_summary(reports[case])
    for text in (summary.read_text(encoding="utf-8"), render(reports[case], "markdown")):
        assert "<img" not in text and "\x1b" not in text


@pytest.mark.parametrize("case", CASES)
def test_junit_parses(case, reports):
    ET.fromstring(render(reports[case], "junit").encode("utf-8"))


@pytest.mark.parametrize("case", CASES)
def test_github_result_decodes_and_holds_nothing_active(case, reports):
    results = github.runner_results(reports[case])
    for test in (test for result in results.values() for test in result["tests"]):
        for text in (test["message"], test["test_code"]):   # what the reporter prints
            assert not ACTIVE.findall(text)
            assert not [line for line in text.splitlines() if line.lstrip().startswith("::")]


@pytest.mark.parametrize("case", ["huge_int", "surrogate_text"])
def test_the_command_reports_instead_of_crashing(case, tmp_path):
    submission = build(case, tmp_path)
    grade = Path(sys.executable).with_name("grade")
    for fmt in ("text", "json"):
        done = subprocess.run([str(grade), "run", str(submission), "--seed", "1", "--format", fmt,
                               "--timeout", "2"], capture_output=True, timeout=300, cwd=tmp_path)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        text = done.stdout.decode("utf-8")
        assert ("Score:" in text) if fmt == "text" else json.loads(text)["score"] > 0
