"""Every format renders the fake report and parses back; headers are translated."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET

import pytest

import grader.i18n
from grader.i18n import set_language
from grader.report import FORMATS, github, render
from grader.report.model import Report


def test_text_lists_every_test_with_status_total_seed_and_notes(report):
    text = render(report, "text")
    for needle in ("activations.relu", "random shapes", "zeros", "passed", "failed", "error",
                   "grader error", "Score: 5 / 10", "--seed 1234",
                   "mlp.py could not be loaded", "Smallest failing example", "x = array([0.])",
                   "expected: array([0.])", "got: array([1.])", "debug print",
                   "[bold]", "debug print\\x00\\x1b[31m red"):
        assert needle in text, needle
    assert "\x1b" not in text and "\x00" not in text  # no colours, no raw student escapes


def test_text_has_colour_only_when_asked(report):
    assert "\x1b[" in render(report, "text", color=True)


def test_json_round_trips(report):
    data = json.loads(render(report, "json"))
    assert data["score"] == 5.0 and data["seed"] == 1234
    assert Report.from_dict(data).to_dict() == report.to_dict()


def test_gradescope_document(report):
    data = json.loads(render(report, "gradescope"))
    assert data["score"] == 5.0 and "1234" in data["output"]
    names = [t["name"] for t in data["tests"]]
    assert names[0] == "activations.relu: random shapes"
    assert [t["status"] for t in data["tests"]] == ["passed", "failed", "failed", "passed"]
    assert sum(t["score"] for t in data["tests"]) == data["score"]
    assert all(set(t) >= {"name", "score", "max_score", "status", "output"} for t in data["tests"])
    assert "Smallest failing example" in data["tests"][1]["output"]


def test_junit_parses_with_failures_and_errors(report):
    root = ET.fromstring(render(report, "junit").encode())
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("classname") for c in cases] == [
        "activations.relu", "activations.relu", "losses.mse", "losses.cross_entropy"]
    assert cases[1].find("failure").get("message").startswith("wrong where x == 0")
    assert cases[2].find("error") is not None
    assert cases[0].find("failure") is None and cases[3].find("failure") is None
    assert suite.get("failures") == "1" and suite.get("errors") == "1"
    seed = [p.get("value") for p in suite.iter("property") if p.get("name") == "seed"]
    assert seed == ["1234"]


def github_results(text: str) -> dict[str, dict]:
    """The runner results of a github report: its ``NAME=VALUE`` lines, decoded."""
    pairs = [line.split("=", 1) for line in text.splitlines() if line.startswith("dlgrade")]
    return {name: json.loads(base64.b64decode(value)) for name, value in pairs}


def shown(test: dict) -> str:
    """What Classroom's reporter prints of a test: an error's message, any test's code."""
    return "\n".join(text for text in (test["message"] if test["status"] == "error" else "",
                                        test["test_code"]) if text)


def test_github_lines_are_the_runner_results(report):
    results = github_results(render(report, "github"))
    assert list(results) == list(github.runners())
    tests = [t for result in results.values() for t in result["tests"] if t["score"] or
             t["status"] != "pass"]
    assert sorted(t["status"] for t in tests) == ["error", "fail", "pass", "pass"]
    assert sum(t["score"] for r in results.values() for t in r["tests"]) == 5
    assert sum(r["max_score"] for r in results.values()) == 10
    keys = {"name", "status", "score", "message", "test_code", "line_no"}
    assert all(set(t) == keys for r in results.values() for t in r["tests"])
    assert all(r["version"] == 1 for r in results.values())
    (wrong,) = [t for r in results.values() for t in r["tests"] if t["status"] == "fail"]
    assert wrong["test_code"].splitlines()[:2] == [
        "grade run . --seed 1234 --only activations.relu", "wrong where x == 0 [bold]markup[/bold] | pipe"]
    assert "Smallest failing example:" in wrong["test_code"]


def test_github_log_is_the_terminal_report(report):
    log = render(report, "github").split("\ndlgrade")[0]
    assert log.rstrip("\n") == render(report, "text").rstrip("\n")


def test_github_step_summary_is_appended(report, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("before\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    github.append_step_summary(report)
    text = summary.read_text()
    assert text.startswith("before\n") and "| `losses.mse` | 0/3 |" in text
    failures = text.split("What went wrong")[1]
    assert "activations.relu: zeros" in failures and "Smallest failing example" in failures
    assert "NotImplementedError: not implemented" in failures


def test_markdown_table(report):
    lines = render(report, "markdown").splitlines()
    rows = [line for line in lines if line.startswith("| `")]
    assert [r.split("|")[1].strip() for r in rows] == [
        "`activations.relu`", "`losses.mse`", "`losses.cross_entropy`"]
    assert "2/4" in rows[0] and "❌" in rows[0] and "✅" in rows[2]
    assert any("Score: 5 / 10" in line for line in lines)


class Marked:
    """A catalog that marks every translated string, to prove nothing bypasses ``_()``."""

    def gettext(self, message: str) -> str:
        return "«" + message + "»"


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_headers_go_through_the_catalog(report, fmt, monkeypatch):
    monkeypatch.setattr(grader.i18n, "catalog", lambda language: Marked())
    set_language("ko")
    text = render(report, fmt)
    for header in ("Function", "Points", "Result"):
        assert f"«{header}»" in text
    assert "«Score: {score} / {max_score}»".replace("{score}", "5").replace(
        "{max_score}", "10") in text


def test_korean_headers(report):
    set_language("ko")
    text = render(report, "text")
    assert "함수" in text and "점수" in text


def test_every_format_renders(report):
    for fmt in FORMATS:
        assert render(report, fmt).strip()


HOSTILE = ("\x1b]0;owned\x07\x1b[2J\rScore: 100 / 100\n::notice title=Autograding complete::"
           "Points 100/100\n\u202eevil\ud800<img src=x onerror=alert(1)>")


def hostile_report() -> Report:
    """Student-controlled text in every field a submission reaches."""
    from grader.report.model import ERROR, FAILED, Example, TestResult
    return Report(submission="eve" + HOSTILE, seed=1, notes=["mlp.py could not be loaded: "
                                                             + HOSTILE * 100],
                  output=HOSTILE * 50, tests=[
                      TestResult("activations.relu", "zeros", 2.0, 0.0, FAILED,
                                 message="raised " + HOSTILE * 1000, output=HOSTILE,
                                 example=Example({"x": HOSTILE}, "1.0", HOSTILE * 1000)),
                      TestResult("losses.mse", "batch", 3.0, 0.0, ERROR, message=HOSTILE)])


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_survives_hostile_text(fmt):
    text = render(hostile_report(), fmt)
    assert len(text.encode("utf-8")) < 100_000
    if fmt == "github":
        text = "\n".join(shown(t) for r in github_results(text).values() for t in r["tests"])
    if fmt != "json":   # the full record keeps the (escaped) text as data
        assert "\x1b" not in text and "\u202e" not in text and "\r" not in text
    assert "cut]" in text or fmt == "markdown"


def test_text_fences_what_was_printed_and_keeps_forged_lines_off_column_0():
    lines = render(hostile_report(), "text").splitlines()
    assert [line for line in lines if line.startswith("Score:")] == ["Score: 0 / 5"]
    assert not [line for line in lines if line.lstrip().startswith("::")]
    assert any(line.startswith("  │ ") for line in lines)


def test_markdown_holds_no_html():
    assert "<img" not in render(hostile_report(), "markdown")


def test_junit_parses_hostile_text():
    ET.fromstring(render(hostile_report(), "junit").encode("utf-8"))


def test_ci_formats_stay_within_their_budgets():
    """Every declared test failing with the longest details a report can hold."""
    from grader.checks import CHECKS
    from grader.report import gradescope, junit
    from grader.report.model import ERROR, FAILED, Example, TestResult

    huge = "정답과 다릅니다 " * 5000
    tests = [TestResult(check.function, test.label, test.points, 0.0,
                        FAILED if index % 2 else ERROR, message=huge, output=huge,
                        example=Example({"x": huge}, huge, huge))
             for check in CHECKS for index, test in enumerate(check.tests)]
    report = Report(submission="noisy", seed=1, tests=tests, notes=[huge], output=huge)
    encoded = sum(map(len, github.encoded(report).values()))
    assert encoded <= github.BUDGET
    results = github_results(render(report, "github"))
    messages = [shown(t) for r in results.values() for t in r["tests"]]
    assert all("cut]" in m or "same as above" in m for m in messages)
    assert len(render(report, "gradescope").encode()) <= gradescope.BUDGET
    assert len(render(report, "junit").encode()) <= junit.BUDGET
