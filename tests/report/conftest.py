"""A fake Report with every status, an example, captured output and awkward characters."""

from __future__ import annotations

import pytest

from grader.i18n import set_language
from grader.report.model import ERROR, FAILED, INTERNAL, PASSED, Example, Report, TestResult


def make_report() -> Report:
    return Report(
        submission="alice",
        seed=1234,
        seconds=1.5,
        notes=["mlp.py could not be loaded: SyntaxError (line 3)"],
        tests=[
            TestResult("activations.relu", "random shapes", 2.0, 2.0, PASSED),
            TestResult("activations.relu", "zeros", 2.0, 0.0, FAILED,
                       message="wrong where x == 0 [bold]markup[/bold] | pipe",
                       output="debug print\x00\x1b[31m red\n",
                       example=Example({"x": "array([0.])"}, "array([0.])", "array([1.])")),
            TestResult("losses.mse", "batch of 5", 3.0, 0.0, ERROR,
                       message="NotImplementedError: not implemented"),
            TestResult("losses.cross_entropy", "extreme logits", 3.0, 3.0, INTERNAL,
                       message="internal error, not charged"),
        ])


@pytest.fixture
def report() -> Report:
    return make_report()


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language(None)
