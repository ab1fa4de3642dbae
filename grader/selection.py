"""What to grade: ``grade run --only activations,losses.mse`` or ``check("relu")``.

A selection names modules (``activations``), functions as ``module.function``
(``activations.relu``) or, since function names are unique across the modules, bare function
names (``relu``). It resolves to contract functions in grading order.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable

from grader.contract import FUNCTIONS, MODULES
from grader.i18n import _

#: Each bare function name and the ``module.function`` it stands for.
_BARE: dict[str, str] = {function.split(".", 1)[1]: function for function in FUNCTIONS}


class SelectionError(ValueError):
    """A name that is no module or function of the assignment; the message lists valid ones."""


@dataclass(frozen=True)
class Selection:
    """The functions to grade and the names they were chosen by (canonical spelling)."""

    functions: tuple[str, ...]   # "module.function", in grading order
    names: tuple[str, ...]       # "activations", "losses.mse": what the report shows

    @property
    def everything(self) -> bool:
        return self.functions == FUNCTIONS


EVERYTHING = Selection(FUNCTIONS, ())


def select(names: str | Iterable[str] | None) -> Selection:
    """The selection ``names`` make (None: every function).

    ``names`` is one string (commas separate several names) or an iterable of such strings;
    each name is a module, ``module.function`` or a bare function name. Raises
    ``SelectionError`` (one line, listing the valid names) for an unknown or empty name.
    """
    if names is None:
        return EVERYTHING
    parts = [names] if isinstance(names, str) else list(names)
    given = [name.strip() for part in parts for name in part.split(",")]
    if not given or not all(given):
        raise SelectionError(_("empty name in the selection: give modules or functions "
                               "separated by commas, for example activations,losses.mse"))
    chosen: set[str] = set()
    canonical: list[str] = []
    for name in given:
        resolved, spelling = _resolve(name)
        chosen.update(resolved)
        if spelling not in canonical:
            canonical.append(spelling)
    functions = tuple(f for f in FUNCTIONS if f in chosen)
    if functions == FUNCTIONS:
        return EVERYTHING
    return Selection(functions, tuple(canonical))


def _resolve(name: str) -> tuple[tuple[str, ...], str]:
    """The functions ``name`` stands for and its canonical spelling."""
    if name in MODULES:
        return tuple(f"{name}.{f}" for f in MODULES[name]), name
    if name in FUNCTIONS:
        return (name,), name
    if name in _BARE:
        return (_BARE[name],), _BARE[name]
    module, _dot, function = name.partition(".")
    if module in MODULES and function:
        raise SelectionError(_("unknown function {name}: {module} has {functions}").format(
            name=name, module=module, functions=", ".join(MODULES[module])))
    close = difflib.get_close_matches(name, [*MODULES, *FUNCTIONS, *_BARE], n=1)
    modules = ", ".join(MODULES)
    if close:
        raise SelectionError(_("unknown module or function {name} (did you mean {close}?): "
                               "give a module ({modules}) or module.function, for example "
                               "activations.relu").format(name=name, close=close[0],
                                                          modules=modules))
    raise SelectionError(_("unknown module or function {name}: give a module ({modules}) or "
                           "module.function, for example activations.relu").format(
        name=name, modules=modules))
