"""What a submission does not have yet, summarised for the readable formats.

The functions a module lacks (not defined, or the module could not be loaded) become one
line per module, and a stub (every test raised NotImplementedError) one line per function,
instead of one block per test. Scores are untouched: a line holds its tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.contract import module_of, name_of
from grader.i18n import _
from grader.report.model import MISSING, NOT_IMPLEMENTED, UNLOADABLE, Report, TestResult


@dataclass
class Line:
    """Several tests shown as one line: a module's absent functions, or one stub."""

    name: str                   # "losses" (absent functions) or "activations.relu" (a stub)
    kind: str                   # MISSING, UNLOADABLE or NOT_IMPLEMENTED
    text: str                   # what the line says, translated
    tests: list[TestResult]

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tests)

    @property
    def max_points(self) -> float:
        return sum(t.max_points for t in self.tests)


def grouped(report: Report) -> list[list[TestResult] | Line]:
    """The report's tests in order: each function's tests together, or a ``Line``.

    The absent functions of a module share one ``Line``, where the first of them was.
    """
    by_function: dict[str, list[TestResult]] = {}
    for test in report.tests:
        by_function.setdefault(test.function, []).append(test)
    rows: list[list[TestResult] | Line] = []
    absent: dict[tuple[str, str], Line] = {}
    for function, tests in by_function.items():
        kind = _summarised(tests)
        if kind == NOT_IMPLEMENTED:
            rows.append(Line(function, kind, _("not implemented yet"), tests))
        elif kind:
            key = module_of(function), kind
            if key not in absent:
                absent[key] = Line(key[0], kind, "", [])
                rows.append(absent[key])
            absent[key].tests.extend(tests)
        else:
            rows.append(tests)
    for line in absent.values():
        line.text = _absent_text(line)
    return rows


def _summarised(tests: list[TestResult]) -> str:
    """The kind of line these tests of one function make ("" for none: shown one by one)."""
    kinds = {t.diagnosis for t in tests}
    if len(kinds) == 1 and not any(t.output or t.example for t in tests):
        kind = kinds.pop()
        return kind if kind in (MISSING, UNLOADABLE, NOT_IMPLEMENTED) else ""
    return ""


def _absent_text(line: Line) -> str:
    if line.kind == UNLOADABLE:
        return line.tests[0].message
    names = ", ".join(dict.fromkeys(name_of(t.function) for t in line.tests))
    return _("not found: define {names} in {module}.py (or in your notebook)").format(
        names=names, module=line.name)
