"""Every Markdown cell of the release notebooks renders as intended (CommonMark, as Jupyter
reads it): code spans hold code (never a Korean sentence, the sign of a backtick lost across
a line break), no backtick is left over as text, and every fenced block is closed."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from grader import i18n
from grader.classroom.notebooks import build_notebook, docstring_markdown
from grader.classroom.stubs import exercise_sources
from grader.contract import MODULES

HANGUL = re.compile("[가-힣]")
COMMONMARK = MarkdownIt("commonmark")


def problems(markdown: str) -> list[str]:
    found = []
    for token in COMMONMARK.parse(markdown):
        for child in token.children or []:
            if child.type == "code_inline" and HANGUL.search(child.content):
                found.append(f"Korean inside a code span: {child.content!r}")
            if child.type == "text" and "`" in child.content:
                found.append(f"a backtick shown as text: {child.content!r}")
    fences = sum(line.lstrip().startswith("```") for line in markdown.splitlines())
    if fences % 2:
        found.append("a fenced block is not closed")
    return found


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("module", list(MODULES))
def test_every_markdown_cell_renders_as_intended(lang, module):
    with i18n.using(lang):
        notebook = build_notebook(module, exercise_sources(lang)[module])
    found = [f"{cell.get('id')}: {problem}" for cell in notebook.cells
             if cell.cell_type == "markdown" for problem in problems(cell.source)]
    assert not found, "\n".join(found)


def test_a_code_span_over_a_line_break_stays_one_span():
    markdown = docstring_markdown("Steps: ``torch.tensor(...,\ndtype=x)``는 복사합니다 ``y``.")
    assert not problems(markdown)
    assert problems("(`torch.tensor(...,\ndtype=x)`는 복사합니다 `y`.`") != []
