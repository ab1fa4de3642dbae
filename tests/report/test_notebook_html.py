"""check()'s HTML: one row per test (a stub one row), details under failures, every text a
submission controls escaped."""

from __future__ import annotations

import html.parser

from grader.report import notebook_html
from grader.report.model import ERROR, FAILED, NOT_IMPLEMENTED, Example, Report
from grader.report.model import TestResult as Result

HOSTILE = "<img src=x onerror=alert(1)>\x1b[31m"


class Tags(html.parser.HTMLParser):
    """The tags and attributes of a fragment, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_rows_details_and_escaping():
    stub = [Result("activations.relu", "random", 1.0, status=ERROR, diagnosis=NOT_IMPLEMENTED,
                       message="Not implemented yet: replace the raise."),
            Result("activations.relu", "zeros", 1.0, status=ERROR,
                       diagnosis=NOT_IMPLEMENTED, message="Not implemented yet: replace the raise.")]
    failing = Result("activations.sigmoid", "random", 1.0, status=FAILED,
                         message=f"ValueError: {HOSTILE} (cell \"def sigmoid(x):\", line 3)",
                         output=HOSTILE, example=Example({"x": HOSTILE}, "1", HOSTILE))
    passing = Result("activations.sigmoid", "x = ±1000", 2.0, points=2.0)
    report = Report(submission=HOSTILE, seed=7, tests=[*stub, failing, passing],
                    notes=[HOSTILE], selected=["activations"])
    page = notebook_html.render(report)
    parser = Tags()
    parser.feed(page)
    assert "img" not in {tag for tag, _attrs in parser.tags}
    assert not any(key.startswith("on") for _tag, attrs in parser.tags for key in attrs)
    assert "\x1b" not in page and "&lt;img" in page
    rows = [tag for tag, _attrs in parser.tags if tag == "tr"]
    assert len(rows) == 1 + 1 + 2 + 1    # header, the stub's one row, the failure and its details, the pass
    assert page.count("Not implemented yet") == 1    # the stub's meaning, said once
    assert "Score: 2 / 5" in page and "Graded only: activations" in page and "Seed: 7" in page
