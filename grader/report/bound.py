"""Every value and message a report shows has a bound: longer text is cut, with a visible marker.

A submission controls how long its names, messages and returned values are (a dict of a
hundred 60 000-character keys is a few megabytes); nothing it returns may make a report
larger than these bounds allow, in any format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TypeVar

from grader.i18n import _
from grader.report.model import Example, Report, TestResult

#: A test's message: what went wrong and the hint.
MESSAGE_CHARS = 2000
#: One rendered value of a failing example (an input, expected or got).
VALUE_CHARS = 1500
#: A name taken from the submission (a dict key, a class name) inside a message.
NAME_CHARS = 60
#: Names listed in one message (unexpected dict keys); the rest are counted.
NAMES_SHOWN = 6
#: What a submission printed during one test or while loading (``Limits.output_chars``
#: bounds it when captured; this bounds any report, however it was made).
OUTPUT_CHARS = 8000
#: Lengths tried for each failing test's details in a CI result with a size budget, longest
#: first (None: as bounded above; 0: the test's name and the cut marker only).
CAPS: tuple[int | None, ...] = (None, 4000, 2000, 1000, 500, 250, 120, 60, 0)
#: Items of a returned list, tuple or dict rendered in an example; the rest are counted.
ITEMS_SHOWN = 12
#: Notes of one kind (a note per cell that failed to load, per refused file, ...), and the
#: characters of all of them; the rest are counted in one last note. A whole report keeps
#: three times as many.
NOTES_SHOWN, NOTES_CHARS = 40, 40_000
#: Units listed as not loaded (``Report.unloaded``); the rest are left out.
UNLOADED_SHOWN = 40


T = TypeVar("T")


def cut(text: str, limit: int | None) -> str:
    """``text``, or its first ``limit`` characters and a marker saying how many were cut
    (a text already cut at ``limit`` is kept as it is: cutting twice changes nothing)."""
    if limit is None or len(text) <= limit:
        return text
    template = _("… [{count} more characters cut]")
    before, _sep, after = template.partition("{count}")
    tail = text[limit:]
    if tail.startswith(before) and tail.endswith(after) \
            and tail[len(before):len(tail) - len(after)].isdigit():
        return text
    return text[:limit] + template.format(count=len(text) - limit)


def names(items: Iterable[object]) -> str:
    """A bounded list of names (``['W1', 'b3', …and 98 more]``), each shown with ``repr``."""
    items = list(items)
    shown = [cut(repr(item), NAME_CHARS) for item in items[:NAMES_SHOWN]]
    if len(items) > NAMES_SHOWN:
        shown.append(more(len(items) - NAMES_SHOWN))
    return "[" + ", ".join(shown) + "]"


def more(count: int) -> str:
    """The line standing for ``count`` items left out."""
    return _("…and {count} more").format(count=count)


def example(inputs: dict[str, str], expected: str, got: str) -> Example:
    """An ``Example`` with every rendered value cut to ``VALUE_CHARS``."""
    return Example(inputs={cut(name, NAME_CHARS): cut(value, VALUE_CHARS)
                           for name, value in inputs.items()},
                   expected=cut(expected, VALUE_CHARS), got=cut(got, VALUE_CHARS))


def test_result(test: TestResult) -> TestResult:
    """``test`` with its message and example cut to their bounds (in place; returned)."""
    test.message = cut(test.message, MESSAGE_CHARS)
    if test.example is not None:
        test.example = example(test.example.inputs, test.example.expected, test.example.got)
    return test


def report(full: Report) -> Report:
    """A copy of ``full`` with every message, example, note and output within its bound."""
    tests = [test_result(replace(test, output=cut(test.output, OUTPUT_CHARS)))
             for test in full.tests]
    return replace(full, submission=cut(full.submission, NAME_CHARS * 4), tests=tests,
                   notes=notes(full.notes, 3), output=cut(full.output, OUTPUT_CHARS),
                   unloaded=unloaded(full.unloaded))


def notes(items: list[str], times: int = 1) -> list[str]:
    """At most ``times * NOTES_SHOWN`` notes of ``MESSAGE_CHARS`` each and ``times *
    NOTES_CHARS`` in all, then one note counting the rest: however many cells or files a
    submission has."""
    kept: list[str] = []
    chars = 0
    for note in items:
        note = cut(note, MESSAGE_CHARS)
        if len(kept) == times * NOTES_SHOWN or chars + len(note) > times * NOTES_CHARS:
            break
        kept.append(note)
        chars += len(note)
    if len(kept) < len(items):
        kept.append(more(len(items) - len(kept)))
    return kept


def unloaded(items: dict[str, str]) -> dict[str, str]:
    """The first ``UNLOADED_SHOWN`` units that could not be loaded, each reason bounded."""
    return {unit: cut(why, MESSAGE_CHARS)
            for unit, why in list(items.items())[:UNLOADED_SHOWN]}


def within_budget(make: Callable[[int | None], T], size: Callable[[T], int], budget: int) -> T:
    """``make(cap)`` for the first of ``CAPS`` whose result has ``size`` at most ``budget``
    (the last one, ``make(0)``, if none does)."""
    for cap in CAPS:
        result = make(cap)
        if size(result) <= budget:
            break
    return result
