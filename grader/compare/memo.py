"""What a diagnosis derives from a case alone, computed once per case.

A batch grades every student on the same cases, so whatever depends only on a case's call
(a mistake's variant, the reference on a changed argument, the sizes that shape its
arrays) is the same for every failing student: it is kept here by (call, what) instead of
computed again for each. An entry keeps its call alive, so an id is never reused while the
entry exists; past ``KEPT`` entries, all are dropped. Kept values are shared: never changed.
"""

from __future__ import annotations

from typing import Any, Callable, Hashable

from grader.cases import Call

KEPT = 8192
_VALUES: dict[tuple[int, Hashable], tuple[Call, Any]] = {}


def of_case(call: Call, what: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``, the value ``what`` of ``call``, computed the first time it is asked for."""
    entry = _VALUES.get((id(call), what))
    if entry is not None and entry[0] is call:
        return entry[1]
    value = compute()
    if len(_VALUES) >= KEPT:
        _VALUES.clear()
    _VALUES[(id(call), what)] = (call, value)
    return value
