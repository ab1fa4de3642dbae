"""The kinds of input a test promises, and their assignment to its cases.

A test declares axes of kinds (``Axis("shape", (ONE_D, TWO_D, THREE_D))``); its cases are
assigned kinds deterministically, case ``i`` taking kind ``i mod len(axis)`` of every axis
(or, with ``every_combination``, the ``i``-th combination of all axes), so every declared
kind appears on every seed. The seed varies values and sizes only. A case maker reads its
kind with ``d.kind("shape")``; each kind's ``holds`` recognises it in a drawn call, which is
what the seed-coverage test checks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

if TYPE_CHECKING:
    from grader.cases.draw import Call


@dataclass(frozen=True)
class Kind:
    """One kind of input: a name, what the case maker gets for it, and how to recognise it."""

    name: str
    value: Any
    holds: Callable[["Call"], bool]


@dataclass(frozen=True)
class Axis:
    """A family of kinds of which a test promises every one (shape, axis spelling, dtype ...)."""

    name: str
    kinds: tuple[Kind, ...]


def assignments(axes: tuple[Axis, ...], count: int, every_combination: bool = False
                ) -> list[dict[str, Kind]]:
    """The kinds of each of at least ``count`` cases: every kind of every axis at least once
    (every combination of kinds, with ``every_combination``)."""
    if not axes:
        return [{} for _ in range(count)]
    if every_combination:
        combinations = list(itertools.product(*(axis.kinds for axis in axes)))
        return [{axis.name: kind for axis, kind in zip(axes, combinations[i % len(combinations)])}
                for i in range(max(count, len(combinations)))]
    longest = max(len(axis.kinds) for axis in axes)
    return [{axis.name: axis.kinds[i % len(axis.kinds)] for axis in axes}
            for i in range(max(count, longest))]


# -- kinds the checks share -------------------------------------------------------------------

def shapes(*families: str, position: int = 0) -> Axis:
    """Shape families of the argument at ``position``: "1-D" (N,), "2-D" (N, D) or (N, C),
    "3-D" (N, C, D). The value is the number of dimensions."""
    return Axis("shape", tuple(
        Kind(family, int(family[0]),
             lambda call, n=int(family[0]): np.ndim(call.args[position]) == n)
        for family in families))


def dtypes(*names: str, position: int = 0) -> Axis:
    """Floating dtypes of the argument at ``position``; the value is the numpy dtype."""
    return Axis("dtype", tuple(
        Kind(name, np.dtype(name),
             lambda call, name=name: np.asarray(call.args[position]).dtype == np.dtype(name))
        for name in names))


def keyword(axis: str, name: str, values: tuple[Any, ...]) -> Axis:
    """Values of keyword argument ``name``; the kind's name is ``name=value``."""
    return Axis(axis, tuple(
        Kind(f"{name}={value!r}", value,
             lambda call, value=value: name in call.kwargs and _same(call.kwargs[name], value))
        for value in values))


def edge(name: str, holds: Callable[["Call"], bool]) -> Axis:
    """A single promised property of every case (an edge value such as an exact zero)."""
    return Axis(name, (Kind(name, None, holds),))


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def passed(name: str, place: int) -> Axis:
    """How optional argument ``name`` is passed: by keyword, or positionally in ``place``
    (1-based); the value is "keyword" or "positional" (``Draw.pass_as`` builds the call)."""
    return Axis("passed", (
        Kind(f"{name} by keyword", "keyword", lambda call: name in call.kwargs),
        Kind(f"{name} as argument {place}", "positional",
             lambda call: name not in call.kwargs and len(call.args) >= place),
    ))
