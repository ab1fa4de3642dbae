"""The README lists every test with its points and promised inputs, as the checks declare."""

from __future__ import annotations

from pathlib import Path

from grader.checks import CHECKS
from grader.checks.lessons import BEGIN, END, table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_test_as_declared():
    text = README.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] == table(), "run python -m grader.checks.lessons and paste its table"


def test_every_function_has_a_test_and_the_points_total_100():
    assert all(check.tests for check in CHECKS)
    assert sum(check.points for check in CHECKS) == 100


def test_one_lesson_one_test_float32_and_positional_arguments_are_tests_of_their_own():
    labels = {f"{c.function}: {t.label}" for c in CHECKS for t in c.tests}
    assert "mlp.numerical_gradient: float32 x, computed in float64" in labels
    assert "mlp.numerical_gradient: given h, in third place" in labels
    assert "activations.softmax: default axis of 1-D and 3-D logits" in labels
