"""What changed between two reports of one submission (``grade watch``): one phrase per
function that changed or still fails, such as "relu: now passes all 2 tests; softmax: still
fails axis = 0". Tests are counted as tests, never as points (the score line says points).

Functions that passed and still pass are left out, and so are functions that were and still
are absent or stubs (untouched exercises stay quiet).
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.contract import name_of
from grader.i18n import _, ngettext
from grader.report.details import is_failure, points, score_line
from grader.report.model import MISSING, NOT_IMPLEMENTED, UNLOADABLE, Report, TestResult

_ABSENT = (MISSING, UNLOADABLE)


@dataclass(frozen=True)
class State:
    """How one function did: its tests passed, their number, what failed and how."""

    passed: int
    total: int
    failing: tuple[str, ...]         # labels of the failing tests, in order
    messages: tuple[str, ...]        # their messages
    kind: str = ""                   # NOT_IMPLEMENTED, MISSING or UNLOADABLE for every test

    @property
    def passes(self) -> bool:
        return not self.failing


def states(report: Report) -> dict[str, State]:
    """The state of every function of ``report``, in grading order."""
    grouped: dict[str, list[TestResult]] = {}
    for test in report.tests:
        grouped.setdefault(test.function, []).append(test)
    result = {}
    for function, tests in grouped.items():
        failing = [t for t in tests if is_failure(t)]
        kinds = {t.diagnosis for t in tests}
        kind = kinds.pop() if len(kinds) == 1 else ""
        result[function] = State(
            passed=len(tests) - len(failing), total=len(tests),
            failing=tuple(t.label for t in failing), messages=tuple(t.message for t in failing),
            kind=kind if kind in (NOT_IMPLEMENTED, *_ABSENT) else "")
    return result


def changes(before: Report, after: Report) -> list[str]:
    """One phrase per function of ``after`` that changed since ``before`` or still fails."""
    old = states(before)
    phrases = []
    for function, now in states(after).items():
        phrase = _phrase(old.get(function), now)
        if phrase:
            phrases.append(_("{function}: {change}").format(function=name_of(function),
                                                            change=phrase))
    return phrases


def changed_failures(before: Report, after: Report) -> list[TestResult]:
    """The failing tests of ``after`` that did not fail the same way in ``before``: the ones
    whose details are worth showing again."""
    seen = {(t.function, t.label, t.message) for t in before.tests if is_failure(t)}
    return [t for t in after.tests if is_failure(t) and not _quiet(t)
            and (t.function, t.label, t.message) not in seen]


def score_change(before: Report, after: Report) -> str:
    """``Score: 12 / 23 (was 9)``, or just the score when it did not move."""
    if before.score == after.score:
        return score_line(after)
    return _("{score} (was {before})").format(score=score_line(after),
                                              before=points(before.score))


def _phrase(old: State | None, now: State) -> str:
    """What happened to one function ("" when there is nothing to say)."""
    if now.kind and old is not None and old.kind == now.kind:
        return ""
    if now.kind == NOT_IMPLEMENTED:
        return _("not implemented yet")
    if now.kind:
        return _("not found")
    if now.passes:
        if old is not None and old.passes:
            return ""
        return ngettext("now passes its test", "now passes all {total} tests",
                        now.total).format(total=now.total)
    failing = now.failing[0] if len(now.failing) == 1 else _(
        "{label} and {more} more").format(label=now.failing[0], more=len(now.failing) - 1)
    if old is None or old.kind or old.passes:
        return _("now fails {tests}").format(tests=failing)
    if old.failing == now.failing:
        return _("still fails {tests}").format(tests=failing)
    return _("passes {passed} of {total} tests, fails {tests}").format(
        passed=now.passed, total=now.total, tests=failing)


def _quiet(test: TestResult) -> bool:
    """Absent functions and stubs: their details say nothing new."""
    return test.diagnosis in (NOT_IMPLEMENTED, *_ABSENT)
