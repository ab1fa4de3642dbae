"""The smallest failing example: smaller versions of a test's cases, and how to show one.

``shrink_candidates`` redraws a test's cases at the sizes of ``SHRINK_LADDER``, each once
with small round numbers and once with ordinary ones, smallest first; the orchestrator runs
them and shows the first that still fails, rendered by ``render_example``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import Any

import numpy as np

from grader.cases import SHRINK_LADDER, Call, Draw, case_rng
from grader.checks.spec import Test
from grader.compare.verdict import raised_names
from grader.i18n import N_, _
from grader.report import bound
from grader.report.model import Example
from grader.sandbox import Refused

RAISES = N_("raises {exception}")
REFUSED = N_("a {type} (not accepted: {why})")
FUNCTION = N_("the function {name}")
IN_PLACE = N_("optional, passed as argument {place}")
BY_KEYWORD = N_("passed by keyword")
SHAPE = N_("shape {shape}")

PRECISION = 4          # digits after the point; more when expected and got would look the same
LINE_WIDTH = 70
SUMMARY_ABOVE = 60     # arrays with more elements are summarised with "..."


def shrink_candidates(test: Test, seed: int, function: str, like: Call | None = None) -> list[Call]:
    """Smaller cases of ``test``, smallest first, of the kinds of ``like`` (by default the
    first case's); deterministic given ``seed``."""
    if not test.shrink:
        return []
    like = like or test.draw(seed, function)[0]
    kinds = test.kinds_of(like)
    ranked = []
    for rung, sizes in enumerate(SHRINK_LADDER):
        for simple in (True, False):
            rng = case_rng(seed, function, test.label, "shrink", rung, int(simple))
            try:
                call = test.make(Draw(rng, sizes, simple=simple, kinds=kinds))
            except Exception:  # a test whose cases cannot be drawn at these sizes
                continue
            ranked.append((_elements(call), rung, not simple, call))
    ranked.sort(key=lambda item: item[:3])
    return [item[-1] for item in ranked]


def render_example(call: Call, expected: Any, got: Any, arg_names: Sequence[str],
                   required: int | None = None) -> Example:
    """The inputs (by argument name), expected and got of one case, compactly (each value
    within ``bound.VALUE_CHARS``). What decides a verdict besides the values follows each
    input as a comment: its shape, its dtype when not float64, and how an optional argument
    was passed (in which place, or by keyword); ``required``: how many leading parameters
    have no default (None: unknown, no place is told)."""
    names = [arg_names[i] if i < len(arg_names) else f"arg{i}" for i in range(len(call.args))]
    inputs = {}
    for index, (name, value) in enumerate(zip(names, call.args)):
        place = _(IN_PLACE).format(place=index + 1) \
            if required is not None and index >= required else ""
        inputs[name] = _annotated(render(value), value, place)
    inputs.update((name, _annotated(render(value), value, _(BY_KEYWORD)))
                  for name, value in call.kwargs.items())
    shown_expected, shown_got = render(expected), render(got)
    if shown_expected == shown_got:
        shown_expected, shown_got = render(expected, 10), render(got, 10)
    return bound.example(inputs, shown_expected, shown_got)


def _annotated(shown: str, value: Any, how: str) -> str:
    """``shown`` followed by a comment: the shape and non-float64 dtype of an array (or a
    numpy scalar's dtype) and ``how`` it was passed."""
    notes = []
    if isinstance(value, np.ndarray):
        notes.append(_(SHAPE).format(shape=value.shape))
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype != np.float64:
        notes.append(str(value.dtype))
    if how:
        notes.append(how)
    return f"{shown}  # {', '.join(notes)}" if notes else shown


def render(value: Any, precision: int = PRECISION) -> str:
    """A short, readable text for one value (an exception, ``Raises`` or failed outcome:
    "raises <name>")."""
    raised = raised_names(value)
    if raised:
        return _(RAISES).format(exception=raised[0])
    if isinstance(value, Refused):
        return _(REFUSED).format(type=value.type_name, why=value.why)
    if isinstance(value, list) and value and all(_is_number(item) for item in value):
        value = np.array(value, dtype=np.float64)   # a sequence of numbers (losses): as an array
    if isinstance(value, np.ndarray) and value.ndim:
        if value.dtype.kind == "f":
            value = value + 0.0                                 # no "-0."
        return np.array2string(value, precision=precision, suppress_small=True,
                               max_line_width=LINE_WIDTH, threshold=SUMMARY_ABOVE,
                               edgeitems=3, separator=", ")
    if isinstance(value, (float, np.floating, np.ndarray)):
        return f"{float(value) + 0.0:.{precision + 2}g}"     # + 0.0: no "-0"
    if isinstance(value, (np.integer, np.bool_)):
        return repr(value.item())
    if isinstance(value, (tuple, list)):
        return _sequence(value, precision)
    if isinstance(value, dict):
        return _mapping(value, precision)
    if callable(value):
        name = getattr(value, "name", getattr(value, "__name__", ""))
        return _(FUNCTION).format(name=name) if name else repr(value)
    return bound.cut(repr(value), bound.VALUE_CHARS)


def _sequence(value: tuple | list, precision: int) -> str:
    """``(a, b)`` on one line when short, else one item per line (the first
    ``bound.ITEMS_SHOWN``)."""
    items = [render(item, precision) for item in value[:bound.ITEMS_SHOWN]]
    opening, closing = ("(", ")") if isinstance(value, tuple) else ("[", "]")
    one_line = opening + ", ".join(items) + closing
    if "\n" not in one_line and len(one_line) <= LINE_WIDTH and len(value) == len(items):
        return one_line
    lines = [f"[{i}] {_indent(item)}" for i, item in enumerate(items)]
    return "\n".join(lines + _left_out(len(value) - len(items)))


def _mapping(value: dict, precision: int) -> str:
    """``{'a': 1}`` on one line when short, else ``key = value`` per line (the first
    ``bound.ITEMS_SHOWN``, each key on one line, cut to ``bound.NAME_CHARS``)."""
    items = [(bound.cut(" ".join(str(key).split()), bound.NAME_CHARS),
              render(item, precision)) for key, item in islice(value.items(), bound.ITEMS_SHOWN)]
    one_line = "{" + ", ".join(f"{key!r}: {item}" for key, item in items) + "}"
    if "\n" not in one_line and len(one_line) <= LINE_WIDTH and len(value) == len(items):
        return one_line
    lines = [f"{key} = {_indent(item)}" for key, item in items]
    return "\n".join(lines + _left_out(len(value) - len(items)))


def _left_out(count: int) -> list[str]:
    return [bound.more(count)] if count > 0 else []


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _indent(text: str) -> str:
    """Continuation lines of a multi-line item, indented under it."""
    return text.replace("\n", "\n    ")


def _elements(call: Call) -> int:
    """How many numbers a case holds (what "smaller" means)."""
    def count(value: Any) -> int:
        if isinstance(value, dict):
            return sum(count(v) for v in value.values())
        if isinstance(value, (tuple, list)):
            return sum(count(v) for v in value)
        return int(np.size(value)) if isinstance(value, (np.ndarray, float, int)) else 0
    return count(call.args) + count(call.kwargs)
