"""The failing cases of one test, grouped by the form of what went wrong.

A test's failing cases may fail in different ways: some raise, some return the wrong shape
or type, some nan/inf, some wrong values. A claim is checked on one group at a time, so a
case that raised cannot keep a true claim about the values of the others from being shown,
and each group's hint says which cases it speaks of (by the kinds of input that set the
group apart, else by their count).

A hint about several groups has a compound identifier: ``<form>~<identifier>`` per group,
joined by ``;`` (a single group keeps its plain identifier); ``claim_of`` rebuilds it.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.compare.claims import Failure
from grader.compare.verdict import Raises
from grader.i18n import N_, _, ngettext

RAISED, FORM, NONFINITE, VALUES = "raised", "form", "nonfinite", "values"
#: Separators of a compound identifier.
PART, SCOPE = ";", "~"

SCOPE_KINDS = N_("On the failing case ({kinds}):")
SCOPE_KINDS_PLURAL = N_("On the {count} failing cases ({kinds}):")
SCOPE_COUNT = N_("On 1 of the {total} failing cases:")
SCOPE_COUNT_PLURAL = N_("On {count} of the {total} failing cases:")
RAISED_HERE = N_("your function raised an exception: {error}")


def form_of(failure: Failure) -> str:
    """The form of a failing case: raised, wrong form (shape, type, length, keys, exception
    expected), nan/inf where the truth is finite, or wrong values."""
    kind = failure.verdict.kind
    if kind == "raises" and not isinstance(failure.expected, Raises):
        return RAISED
    if kind == "nonfinite":
        return NONFINITE
    if kind in ("value", "string"):
        return VALUES
    return FORM


def grouped(failures: Sequence[Failure], first: Failure) -> list[tuple[str, list[Failure]]]:
    """``failures`` by form, the group of ``first`` first, then in order of appearance."""
    groups: dict[str, list[Failure]] = {form_of(first): []}
    for failure in failures:
        groups.setdefault(form_of(failure), []).append(failure)
    return [(form, members) for form, members in groups.items() if members]


def scope(group: Sequence[Failure], others: Sequence[Failure]) -> str:
    """"On the 2 failing cases (class indices):": the kinds of input that set ``group``
    apart from ``others``, else its count."""
    kinds = []
    axes = dict.fromkeys(axis for f in group for axis in f.call.kinds)
    for axis in axes:
        mine = list(dict.fromkeys(f.call.kinds.get(axis) for f in group))
        theirs = {f.call.kinds.get(axis) for f in others}
        if None not in mine and not theirs & set(mine):
            kinds.append(" / ".join(mine))
    count, total = len(group), len(group) + len(others)
    if kinds:
        return ngettext(SCOPE_KINDS, SCOPE_KINDS_PLURAL, count).format(
            count=count, kinds=", ".join(kinds))
    return ngettext(SCOPE_COUNT, SCOPE_COUNT_PLURAL, count).format(count=count, total=total)


def raised_text(failure: Failure) -> str:
    """What the case raised, with the student's own exception message (``failure.message``
    when the grader has told it already)."""
    if failure.message:
        return failure.message
    got = failure.got
    error = (f"{type(got).__name__}: {got}" if isinstance(got, BaseException)
             else getattr(got, "exception", str(got)))
    return _(RAISED_HERE).format(error=error)


def compound(parts: Sequence[tuple[str, str]]) -> str:
    """The identifier of a hint about several groups (one group: its own identifier)."""
    if len(parts) == 1:
        return parts[0][1]
    return PART.join(f"{form}{SCOPE}{identifier}" for form, identifier in parts)


def parts_of(identifier: str) -> list[tuple[str, str]] | None:
    """The ``(form, identifier)`` parts of a compound identifier, None for a plain one."""
    if SCOPE not in identifier:
        return None
    return [tuple(part.split(SCOPE, 1)) for part in identifier.split(PART)]  # type: ignore[misc]
