"""What a class got wrong: each student's standing in each function, the failures grouped by
mistake (counted in students), and pass rates in students.

A student's standing in a function is one of: full points; wrong (lost points); not
attempted (the function is absent, or still the stub); could not be graded (its module did
not load, or the whole submission could not be graded). Only the wrong ones have mistakes.
A failure's mistake is its ``TestResult.diagnosis``; where that is empty (reports from
before diagnoses had identifiers), its hint with the numbers left out stands in.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from grader.classroom.store import Record
from grader.contract import FUNCTIONS
from grader.i18n import N_, _
from grader.report.details import is_failure
from grader.report.model import PASSED, Report, TestResult

FULL, WRONG, NOT_ATTEMPTED, UNGRADABLE = "full", "wrong", "not-attempted", "ungradable"
STANDINGS = (FULL, WRONG, NOT_ATTEMPTED, UNGRADABLE)
#: Diagnoses that say the student has not written the function yet.
NOT_WRITTEN = ("outcome:missing", "outcome:not-implemented")
#: Diagnoses that say the function could not be graded.
NOT_GRADABLE = ("outcome:load-error",)
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def diagnosis(test: TestResult) -> str:
    """The failure's mistake identifier; without one, ``message:`` and its hint (the lines
    after the first, else the first) with every number shown as ``#``."""
    if test.diagnosis:
        return test.diagnosis
    lines = [line.strip() for line in test.message.strip().splitlines() if line.strip()]
    if lines and _is_stub_message(lines[0]):
        return "outcome:not-implemented"
    hint = " ".join(lines[1:] or lines[:1])
    return "message:" + _NUMBER.sub("#", hint)


def _is_stub_message(line: str) -> bool:
    from grader.compare.diagnose import NOT_IMPLEMENTED

    return line in (NOT_IMPLEMENTED, _(NOT_IMPLEMENTED))


def standing(report: Report, function: str) -> str:
    """FULL, WRONG, NOT_ATTEMPTED or UNGRADABLE."""
    tests = [t for t in report.tests if t.function == function]
    if report.status != "graded" or not tests:
        return UNGRADABLE
    failed = [t for t in tests if is_failure(t)]
    if not failed:
        return FULL
    kinds = {diagnosis(t) for t in failed}
    if kinds & set(NOT_GRADABLE):
        return UNGRADABLE
    if len(failed) == len(tests) and kinds <= set(NOT_WRITTEN):
        return NOT_ATTEMPTED
    return WRONG


def share_of_points(report: Report, function: str) -> float | None:
    """Points in ``function`` over its maximum (None when it has no tests)."""
    tests = [t for t in report.tests if t.function == function]
    total = sum(t.max_points for t in tests)
    return sum(t.points for t in tests) / total if total else None


@dataclass
class Group:
    """One mistake in one function and the students who made it."""

    function: str
    diagnosis: str
    students: list[str] = field(default_factory=list)       # record names, sorted
    messages: Counter = field(default_factory=Counter)      # the failures' messages

    @property
    def example(self) -> str:
        """The most common message of the group."""
        return self.messages.most_common(1)[0][0] if self.messages else ""


@dataclass
class ClassAnalysis:
    """The standings, groups and pass rates of a class."""

    names: list[str]                                   # every record, sorted
    standings: dict[tuple[str, str], str]              # (name, function) -> standing
    groups: dict[str, list[Group]]                     # function -> groups, largest first
    tests: dict[str, list[str]]                        # function -> its test labels, in order
    passed: dict[tuple[str, str], set[str]]            # (function, label) -> who passed

    def count(self, function: str, kind: str) -> int:
        """How many students have standing ``kind`` in ``function``."""
        return sum(self.standings[name, function] == kind for name in self.names)

    def attempted(self, function: str) -> list[str]:
        """The students graded in ``function`` who wrote it (full points or wrong)."""
        return [n for n in self.names if self.standings[n, function] in (FULL, WRONG)]


def analyse(records: list[Record], functions: Sequence[str] = FUNCTIONS) -> ClassAnalysis:
    """Standings, mistake groups and per-test passes of ``records`` in ``functions`` (those
    the batch graded)."""
    records = sorted(records, key=lambda r: r.name)
    names = [r.name for r in records]
    standings = {(r.name, f): standing(r.report, f) for r in records for f in functions}
    found: dict[tuple[str, str], Group] = {}
    tests: dict[str, list[str]] = defaultdict(list)
    passed: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in records:
        for test in record.report.tests:
            if test.label not in tests[test.function]:
                tests[test.function].append(test.label)
            if test.status == PASSED:
                passed[test.function, test.label].add(record.name)
            if standings.get((record.name, test.function)) != WRONG or not is_failure(test):
                continue
            kind = diagnosis(test)
            group = found.setdefault((test.function, kind), Group(test.function, kind))
            if record.name not in group.students:
                group.students.append(record.name)
            group.messages[test.message.strip()] += 1
    groups: dict[str, list[Group]] = {f: [] for f in functions}
    for group in found.values():
        group.students.sort()
        groups.setdefault(group.function, []).append(group)
    for function in groups:
        groups[function].sort(key=lambda g: (-len(g.students), g.diagnosis))
    return ClassAnalysis(names, standings, groups, dict(tests), dict(passed))


def mistake_text(kind: str) -> str:
    """The declared hint of ``mistake:<function>:<n>`` (its size placeholders as names),
    "" for any other kind."""
    parts = kind.split(":")
    if len(parts) != 3 or parts[0] != "mistake" or not parts[2].isdigit():
        return ""
    from grader.checks import CHECK

    check = CHECK.get(parts[1])
    index = int(parts[2])
    if check is None or index >= len(check.mistakes):
        return ""
    return _(check.mistakes[index].message).format_map(_Names())


class _Names(dict):
    """Leaves a format field as its own name: ``{N}`` -> ``N``."""

    def __missing__(self, key: str) -> str:
        return key


#: A human title per kind of diagnosis (the identifier's part before ``:``).
_TITLES = {
    "sign": N_("Wrong sign"), "axis": N_("Computed along the wrong axis"),
    "where": N_("Wrong only in one region of the inputs"),
    "zero": N_("Zero where it should not be"),
    "factor": N_("Off by a factor that grows with the input's size"),
    "ratio": N_("Off by a constant factor"), "offset": N_("Off by a constant"),
    "zero-log-zero": N_("0 · log 0 not taken as 0"),
    "nonfinite": N_("inf or nan where the answer is finite"),
    "nonfinite-hint": N_("inf or nan where the answer is finite"),
    "nonfinite-element": N_("inf or nan for extreme inputs"),
    "nonfinite-row": N_("inf or nan in whole rows"),
    "nonfinite-low-row": N_("inf or nan in rows of very negative inputs"),
    "nonfinite-input": N_("inf or nan from the inputs"),
    "shape": N_("Wrong shape"), "length": N_("Wrong length"),
    "raises": N_("Raises where it should not, or the wrong exception"),
    "no-raise": N_("Does not raise where it should"),
    "differ": N_("Wrong values"),
}
_OUTCOME_TITLES = {
    "missing": N_("Not written"), "not-implemented": N_("Still the stub"),
    "timeout": N_("Took too long"), "memory": N_("Used too much memory"),
    "crash": N_("Crashed the process"), "exit": N_("Ended the process"),
    "forbidden": N_("Used a forbidden library"), "mutated": N_("Modified its inputs"),
    "refused": N_("Refused by the grader"), "load-error": N_("Could not be loaded"),
    "by-hand": N_("Answer written by hand"), "unreadable": N_("Returned something unreadable"),
}


def title(kind: str) -> str:
    """A short human title of the diagnosis ``kind`` (its identifier stays secondary)."""
    if kind.startswith("mistake:"):
        text = mistake_text(kind)
        first = text.split(". ")[0].split("\n")[0].strip() if text else ""
        return first[:120] or _("A known mistake")
    if kind.startswith("message:"):
        return _("Wrong values")
    head, _sep, rest = kind.partition(":")
    if head == "outcome":
        outcome = rest.split(":")[0]
        if outcome == "raised":
            return _("Raised {error}").format(error=rest.partition(":")[2] or _("an error"))
        return _(_OUTCOME_TITLES[outcome]) if outcome in _OUTCOME_TITLES else \
            _("Could not be checked")
    head = head.split("@")[0]
    return _(_TITLES[head]) if head in _TITLES else _("Wrong values")
