"""``grader.report.absent``: absent functions are one line per module, a stub one line."""

from __future__ import annotations

from grader.contract import MODULES
from grader.report import neutral, render
from grader.report.absent import Line, grouped
from grader.report.model import (ERROR, FAILED, MISSING, NOT_IMPLEMENTED, PASSED, UNLOADABLE,
                                 Report)
from grader.report.model import TestResult as Result

STUB_MESSAGE = "Not implemented yet: replace the raise NotImplementedError with your code."


def results_of(function: str, status: str, diagnosis: str = "", message: str = "",
             labels=("first", "second", "third")) -> list[Result]:
    return [Result(function, label, 1.0, 1.0 if status == PASSED else 0.0, status,
                       message=message, diagnosis=diagnosis) for label in labels]


def stubbed_report() -> Report:
    """Every function of the contract a stub: the untouched exercises."""
    tests = [t for module, names in MODULES.items() for name in names
             for t in results_of(f"{module}.{name}", ERROR, NOT_IMPLEMENTED, STUB_MESSAGE)]
    return Report(submission="exercises", seed=1, tests=tests)


def mixed_report() -> Report:
    """relu right, sigmoid wrong, tanh a stub, the losses absent, mlp unloadable."""
    return Report(submission="alice", seed=1, tests=[
        *results_of("activations.relu", PASSED),
        *results_of("activations.sigmoid", FAILED, message="expected 0.5, got 1"),
        *results_of("activations.tanh", ERROR, NOT_IMPLEMENTED, STUB_MESSAGE),
        *results_of("mlp.linear_forward", ERROR, UNLOADABLE, "mlp.py could not be loaded: boom"),
        *results_of("mlp.mlp_forward", ERROR, UNLOADABLE, "mlp.py could not be loaded: boom"),
        *results_of("losses.mse", ERROR, MISSING, "not found: define mse in losses.py"),
        *results_of("losses.cross_entropy", ERROR, MISSING, "not found: ..."),
    ])


def test_rows_keep_every_test_and_every_point():
    rows = grouped(mixed_report())
    kinds = [(r.name, r.kind) if isinstance(r, Line) else r[0].function for r in rows]
    assert kinds == ["activations.relu", "activations.sigmoid",
                     ("activations.tanh", NOT_IMPLEMENTED), ("mlp", UNLOADABLE),
                     ("losses", MISSING)]
    held = [t for r in rows for t in (r.tests if isinstance(r, Line) else r)]
    assert held == mixed_report().tests
    losses = rows[-1]
    assert losses.max_points == 6 and "define mse, cross_entropy in losses.py" in losses.text
    assert rows[3].text == "mlp.py could not be loaded: boom"


def test_the_untouched_stubs_are_one_line_per_function():
    text = render(stubbed_report(), "text")
    assert text.count("Not implemented yet") == 1
    assert text.count("not implemented yet") == sum(len(f) for f in MODULES.values())
    assert "first" not in text and len(text.splitlines()) < 40
    assert "Score: 0 / 78" in text


def test_text_and_markdown_summarise_absent_modules_in_one_row():
    report = mixed_report()
    text = render(report, "text")
    for needle in ("losses.mse", "losses.cross_entropy", "mlp.linear_forward"):
        assert needle not in text
    assert "define mse, cross_entropy in losses.py" in " ".join(text.split())
    assert "expected 0.5, got 1" in text        # real failures keep their details
    markdown = render(report, "markdown")
    assert "| `losses` | 0/6 | ❌ | " + neutral.markdown(
        "not found: define mse, cross_entropy in losses.py") in markdown
    assert "| `activations.tanh` | 0/3 | ❌ | not implemented yet |" in markdown


def test_machine_formats_keep_one_entry_per_test():
    import json
    data = json.loads(render(mixed_report(), "gradescope"))
    assert len(data["tests"]) == len(mixed_report().tests)


def test_a_stub_that_printed_is_shown_test_by_test():
    report = Report(submission="s", seed=1,
                    tests=results_of("activations.relu", ERROR, NOT_IMPLEMENTED, STUB_MESSAGE))
    report.tests[0].output = "debugging\n"
    assert grouped(report) == [report.tests]
