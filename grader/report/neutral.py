"""One neutralising step per output kind, for text that a submission controls.

A submission's names, messages, printed output and returned values end up in a terminal, in
Markdown (GitHub's step summary), in HTML (the class report), in XML (JUnit) and in CSV (the
gradebook). Each function here takes any ``str`` (lone surrogates and every code point
included) and returns text that is inert in one of those outputs and encodes as UTF-8:

- ``terminal``: C0/C1 controls (escape sequences, carriage returns, backspaces) and bidi
  overrides shown as visible escapes, so nothing moves the cursor, sets a window title,
  writes the clipboard or reorders what the reader sees; newlines and tabs stay. A line
  starting with ``::`` (a GitHub Actions workflow command, such as a forged notice) gets its
  first colon escaped, since a terminal here is often a CI log.
- ``markdown``: additionally inert as Markdown and inline HTML, on one line (a table cell).
- ``code``: a Markdown code span on one line (a table cell).
- ``fenced``: a Markdown code block that shows any text literally (HTML included).
- ``html``: additionally HTML-escaped (element content and quoted attribute values).
- ``xml``: characters XML 1.0 cannot hold shown as escapes (the XML writer escapes markup).
- ``csv_cell``: the OWASP rule against formula injection (a leading ``= + - @``, tab or
  carriage return is prefixed with ``'``).
"""

from __future__ import annotations

import html as _html
import re

#: C0 controls but tab and newline, DEL, C1 controls; bidi marks, embeddings, overrides and
#: isolates; line and paragraph separators; lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                     "\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: Characters with a meaning in Markdown anywhere in a line (markup characters of HTML
#: become entities), and what starts a heading, list item or quote at a line's start.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]!|~])")
_BLOCK_START = re.compile(r"^(\d*)([#+\-=>]|(?<=\d)[.)])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A GitHub Actions workflow command: "::" at the start of a line, after blanks.
_WORKFLOW_COMMAND = re.compile(r"^([ \t]*):(?=:)", re.MULTILINE)
_BACKTICKS = re.compile("`+")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def terminal(text: str) -> str:
    """``text`` with every character that could act on a terminal shown as an escape."""
    shown = _UNSAFE.sub(lambda m: _escape(m.group()), str(text))
    return _WORKFLOW_COMMAND.sub(lambda m: m.group(1) + _escape(":"), shown)


def markdown(text: str) -> str:
    """``text`` on one line, inert as Markdown and HTML (safe inside a table cell)."""
    escaped = _MARKDOWN.sub(r"\\\1", " ".join(terminal(text).split()))
    return _html.escape(_BLOCK_START.sub(r"\1\\\2", escaped), quote=False)


def code(text: str) -> str:
    """``text`` as an inline code span on one line (safe inside a table cell)."""
    shown = " ".join(terminal(text).split()).replace("|", "\\|")
    longest = _longest_backticks(shown)
    fence = "`" * (longest + 1)
    return f"{fence} {shown} {fence}" if longest else f"{fence}{shown}{fence}"


def fenced(text: str, info: str = "text") -> str:
    """``text`` as a Markdown code block: a fence longer than any run of backticks inside."""
    shown = terminal(text).rstrip("\n")
    longest = _longest_backticks(shown)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{shown}\n{fence}"


def html(text: str) -> str:
    """``text`` safe as HTML element content or a quoted attribute value."""
    return _html.escape(terminal(text), quote=True)


def xml(text: str) -> str:
    """``text`` with what XML 1.0 cannot hold (controls, surrogates, U+FFFE/U+FFFF) escaped."""
    return re.sub("[\ufffe\uffff]", lambda m: _escape(m.group()), terminal(text))


def csv_cell(text: str) -> str:
    """``text`` that a spreadsheet shows as text, never evaluates as a formula."""
    text = terminal(text)
    return "'" + text if text.startswith(_FORMULA_START) else text
