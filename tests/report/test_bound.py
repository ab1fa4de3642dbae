"""Every rendered value and message has a bound, with a visible cut marker."""

from __future__ import annotations

from grader.report import bound
from grader.report.model import Example
from grader.report import model


def test_cut_keeps_short_text_and_marks_long_text():
    assert bound.cut("short", 10) == "short"
    cut = bound.cut("x" * 100, 10)
    assert cut.startswith("x" * 10) and "90 more characters cut" in cut and len(cut) < 50


def test_names_are_few_and_short():
    shown = bound.names(["K" * 50000 + str(i) for i in range(100)])
    assert len(shown) < 1000 and "94 more" in shown
    assert bound.names(["W1", "b1"]) == "['W1', 'b1']"   # as a list's repr when small


def test_a_test_result_is_cut_to_its_bounds():
    huge = "v" * 10**6
    test = bound.test_result(model.TestResult("mlp.mlp_backward", "x", 1.0, message=huge,
                                        example=Example({"x": huge}, huge, huge)))
    assert len(test.message) < bound.MESSAGE_CHARS + 100
    assert all(len(v) < bound.VALUE_CHARS + 100
               for v in (test.example.inputs["x"], test.example.expected, test.example.got))
