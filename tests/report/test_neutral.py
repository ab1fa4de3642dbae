"""Each output kind's neutralising step leaves nothing active and always encodes as UTF-8."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from hypothesis import given, settings, strategies as st
from markdown_it import MarkdownIt

from grader.report import neutral

#: No deadline (a loaded machine), no example database on disk.
QUIET = settings(deadline=None, database=None)
#: A CommonMark parser with GitHub's tables.
MARKDOWN = MarkdownIt("commonmark").enable("table")

HOSTILE = ("\x1b]0;owned\x07\x1b[2J\rScore: 100 / 100\u202eevil\ud800"
           "<img src=x onerror=alert(1)>|`**x**`")


@QUIET
@given(st.text())
def test_every_kind_encodes_any_text(text):
    for kind in (neutral.terminal, neutral.markdown, neutral.html, neutral.xml,
                 neutral.csv_cell):
        kind(text).encode("utf-8")


def test_terminal_shows_controls_and_overrides():
    shown = neutral.terminal(HOSTILE + "\nnext\tline")
    assert "\x1b" not in shown and "\x07" not in shown and "\r" not in shown
    assert "\u202e" not in shown and "\\u202e" in shown and "\\x1b" in shown
    assert "\\ud800" in shown and "\nnext\tline" in shown


def test_markdown_is_one_inert_line():
    shown = neutral.markdown(HOSTILE + "\nsecond")
    assert "\n" not in shown and "<img" not in shown and "|" not in shown.replace("\\|", "")
    assert "`" not in shown.replace("\\`", "")


def test_html_has_no_markup():
    assert "<" not in neutral.html(HOSTILE) and '"' not in neutral.html('a"b')


def test_xml_parses_back():
    element = ET.Element("t", message=neutral.xml(HOSTILE + "\x00\ufffe"))
    element.text = neutral.xml(HOSTILE)
    ET.fromstring(ET.tostring(element, encoding="unicode"))


@QUIET
@given(st.sampled_from("=+-@\t\r"), st.text())
def test_csv_cells_never_start_a_formula(first, rest):
    cell = neutral.csv_cell(first + rest)
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell])
    assert next(csv.reader(io.StringIO(buffer.getvalue())))[0][0] not in "=+-@\t\r"


def test_terminal_escapes_workflow_commands_at_a_line_start():
    shown = neutral.terminal("ok\n  ::notice title=Autograding complete::Points 100/100\na::b")
    assert not [line for line in shown.splitlines() if line.lstrip().startswith("::")]
    assert "a::b" in shown and "\\x3a:notice" in shown


@QUIET
@given(st.text())
def test_fenced_blocks_cannot_be_closed_from_inside(text):
    block = neutral.fenced(text)
    fence = block.split("\n", 1)[0].removesuffix("text")
    inner = block.split("\n")[1:-1]
    assert block.endswith("\n" + fence) and not any(line.startswith(fence) for line in inner)


def _rendered_cell(cell: str) -> str:
    """What a CommonMark parser with GitHub's tables makes of ``cell`` in a table row."""
    page = MARKDOWN.render(f"| a |\n| --- |\n| {cell} |\n")
    return page.split("<td>", 1)[1].split("</td>", 1)[0]


@QUIET
@given(st.text())
def test_markdown_renders_as_the_same_plain_text(text):
    rendered = _rendered_cell(neutral.markdown(text))
    assert "<" not in rendered.replace("&lt;", "")


def test_markdown_keeps_plain_names_readable_and_code_spans_literal():
    assert neutral.markdown("Graded only: losses.mse (1 of 2)") == \
        "Graded only: losses.mse (1 of 2)"
    assert _rendered_cell(neutral.code("a|b`c<i>")) == "<code>a|b`c&lt;i&gt;</code>"
    assert _rendered_cell(neutral.markdown("1. # **x** [l](u) <img src=x>")).startswith("1. #")
