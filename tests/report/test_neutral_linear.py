"""Every pass of the report's own over student text (neutralising, cutting, the class's
message grouping) on 1 MB of its worst input, within a generous bound (issue #22)."""

from __future__ import annotations

import pytest

from grader.classroom.analysis import _NUMBER
from grader.report import bound, neutral
from tests.bounded import MEGABYTE, bounded

WORST = {
    "newlines": "\n" * MEGABYTE,
    "digits": "1" * MEGABYTE,
    "spaces then colon": " " * MEGABYTE + "::",
    "lines of spaces and colons": "  :\n" * (MEGABYTE // 4),
    "backticks": "`" * MEGABYTE,
    "alternating backticks": "`a" * (MEGABYTE // 2),
    "controls": "\x1b[2J" * (MEGABYTE // 4),
    "markdown": "*_[]!|~" * (MEGABYTE // 7),
    "numbers": "1e1e1.1." * (MEGABYTE // 8),
}


@pytest.mark.parametrize("kind", sorted(WORST))
def test_neutralising_a_megabyte_ends(kind: str) -> None:
    text = WORST[kind]

    def every_pass() -> int:
        shown = [neutral.terminal(text), neutral.markdown(text), neutral.code(text),
                 neutral.fenced(text), neutral.html(text), neutral.xml(text),
                 neutral.csv_cell(text), bound.cut(text, 100), _NUMBER.sub("#", text)]
        return sum(map(len, shown))

    assert bounded(every_pass) > 0
