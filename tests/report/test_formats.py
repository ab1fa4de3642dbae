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


def test_github_last_line_is_the_runner_result(report):
    last = render(report, "github").rstrip("\n").splitlines()[-1]
    result = json.loads(base64.b64decode(last))
    assert result["version"] == 1 and result["status"] == "fail" and result["max_score"] == 10
    assert [t["status"] for t in result["tests"]] == ["pass", "fail", "error", "pass"]
    assert sum(t["score"] for t in result["tests"]) == 5
    keys = {"name", "status", "score", "message", "test_code", "filename", "line_no",
            "execution_time"}
    assert all(set(t) == keys for t in result["tests"])


def test_github_step_summary_is_appended(report, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("before\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    github.append_step_summary(report)
    text = summary.read_text()
    assert text.startswith("before\n") and "| `losses.mse` | 0/3 |" in text


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
