"""The text report's layout (grader/report/text.py) against rich's own.

Without colour, the report's table, details and notes are laid out by ``text.py`` itself
(rich's Table and Padding cost most of a report's rendering, in every batch worker): what it
writes must be exactly what rich prints, for any text, at any width.
"""

from __future__ import annotations

import io

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from grader.i18n import using
from grader.report import text
from grader.report.model import ERROR, FAILED, INTERNAL, MISSING, NOT_IMPLEMENTED, PASSED, Report
from grader.report.model import TestResult as Result

CHECKED = settings(max_examples=150, deadline=None, database=None)
#: Spaces, tabs and newlines, wide (Hangul, full-width, emoji) and zero-width (combining)
#: characters: what moves rich's wrapping.
TEXTS = st.lists(st.sampled_from([*"ab cd-", "  ", "\t", "\n", "가", "나", "Ｗ", "🎉",
                                  "\u0301", "x" * 30, "긴낱말" * 12]), max_size=40).map("".join)
FUNCTIONS = st.sampled_from(["activations.relu", "losses.cross_entropy_loss",
                             "linear_regression.gradients", "mlp.numerical_gradient"])


def console(width: int = 100) -> Console:
    return Console(file=io.StringIO(), no_color=True, width=width, highlight=False,
                   emoji=False, force_terminal=False, force_jupyter=False)


def printed(width: int, *renderables: object) -> str:
    shown = console(width)
    shown.print(*renderables)
    return shown.file.getvalue()


@CHECKED
@given(TEXTS, st.integers(1, 120))
@example("a\u0301" * 10 + "  ", 15)   # fits in cells, not in characters: rich strips the end
def test_lines_are_wrapped_as_rich_wraps_them(words, width):
    assert text.wrapped(console(), words, width) == \
        [line.plain for line in Text(words).wrap(console(), width)]


@CHECKED
@given(TEXTS, st.integers(20, 120), st.sampled_from(["", "bold"]))
def test_blocks_and_lines_print_as_rich_prints_them(words, width, style):
    block, line = console(width), console(width)
    text._print_block(block, words)
    text._print_line(line, words, style=style)
    assert block.file.getvalue() == printed(width, Padding(Text(words), (0, 0, 0, 2)))
    assert line.file.getvalue() == printed(width, Text(words, style=style))


@st.composite
def reports(draw) -> Report:
    tests = []
    for function in draw(st.lists(FUNCTIONS, min_size=1, max_size=6)):
        kind = draw(st.sampled_from(["", "", NOT_IMPLEMENTED, MISSING]))
        for _ in range(draw(st.integers(1, 4))):
            status = ERROR if kind else draw(st.sampled_from([PASSED, FAILED, ERROR, INTERNAL]))
            tests.append(Result(function, draw(TEXTS), draw(st.sampled_from([1, 0.5, 12.25])),
                                    draw(st.sampled_from([0, 0.5, 1])), status,
                                    message=draw(TEXTS) if kind else "", diagnosis=kind))
    return Report(submission="s", seed=1, tests=tests)


@CHECKED
@given(reports(), st.sampled_from(["en", "ko"]))
def test_the_table_is_laid_out_as_rich_lays_it_out(report, language):
    with using(language):
        assert "".join(line + "\n" for line in text._plain_table(report, console())) == \
            printed(100, text._table(report))
