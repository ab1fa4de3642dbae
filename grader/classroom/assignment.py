"""What one assignment grades: the ``--only`` selection of a batch, a bundle or a
Gradescope autograder (``grader.selection``), and its points.

Every report of a batch carries the selection it was graded with (``Report.selected``), so
the gradebook, the class report and the exports read it from the records themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.checks import CHECK
from grader.classroom.store import Record
from grader.i18n import _
from grader.report.details import points
from grader.selection import Selection, select


def points_of(functions: Sequence[str]) -> float:
    """The points the tests of ``functions`` add up to."""
    return round(sum(CHECK[f].points for f in functions), 6)


def selection_of(records: Sequence[Record]) -> Selection:
    """The selection the batch of ``records`` graded (every function when none says)."""
    for record in records:
        if record.report.selected:
            return select(record.report.selected)
    return select(None)


def describe(selection: Selection) -> str:
    """What was graded, in one line: ``activations (18 points)`` or ``every function``."""
    total = points(points_of(selection.functions))
    if selection.everything:
        return _("every function of the assignment ({points} points)").format(points=total)
    return _("{names} ({points} points)").format(names=", ".join(selection.names),
                                                 points=total)


def modules_of(selection: Selection) -> list[str]:
    """The modules that hold the selected functions, in assignment order."""
    modules: list[str] = []
    for function in selection.functions:
        module = function.split(".", 1)[0]
        if module not in modules:
            modules.append(module)
    return modules
