"""What one check declares: its tests (points, input cases), oracle, tolerance, known mistakes.

Everything else (running, comparing, diagnosing, reporting) is generic machinery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from grader.cases import Axis, Call, Draw, Kind, draw_cases


@dataclass(frozen=True)
class Tolerance:
    """``|got - expected| <= atol + rtol * |expected|`` elementwise, where expected is finite."""

    rtol: float = 1e-4
    atol: float = 1e-6

    def close(self, got: np.ndarray, expected: np.ndarray) -> np.ndarray:
        """Elementwise verdict for finite ``expected``."""
        with np.errstate(invalid="ignore", over="ignore"):
            return self._within(np.abs(got - expected), expected)

    def all_close(self, got: np.ndarray, expected: np.ndarray) -> bool:
        """Whether every element of both is finite and within the tolerance."""
        with np.errstate(invalid="ignore", over="ignore"):
            difference = np.abs(got - expected)
            return bool(np.isfinite(difference).all()
                        and self._within(difference, expected).all())

    def _within(self, difference: np.ndarray, expected: np.ndarray) -> np.ndarray:
        return difference <= self.atol + self.rtol * np.abs(expected)


#: Accepts float32 arithmetic.
FLOAT32 = Tolerance(rtol=1e-4, atol=1e-6)


@dataclass(frozen=True)
class Test:
    """One scored test: ``cases`` calls drawn by ``make``; passes when every case matches.

    ``kinds``: the kinds of input the test promises (``grader.cases.kinds``); its cases
    include every kind of every axis on every seed (more cases than ``cases`` if need be),
    and ``make`` reads a case's kind with ``d.kind(axis)``.
    """

    label: str                                 # shown after "module.function: ", mark with N_()
    points: float
    make: Callable[[Draw], Call]
    cases: int = 3
    tolerance: Tolerance | None = None         # None: the check's tolerance
    shrink: bool = True                        # False where the sizes are part of the test
    kinds: tuple[Axis, ...] = ()
    every_combination: bool = False            # the cases take every combination of the kinds

    def draw(self, seed: int, function: str) -> list[Call]:
        """This test's cases for ``seed``."""
        return draw_cases(seed, function, self.make, self.label, self.cases, self.kinds,
                          self.every_combination)

    def kinds_of(self, call: Call) -> dict[str, Kind]:
        """The declared kinds a drawn call was made with, by axis."""
        return {axis.name: next(k for k in axis.kinds if k.name == call.kinds[axis.name])
                for axis in self.kinds if axis.name in call.kinds}


@dataclass(frozen=True)
class Mistake:
    """A known wrong variant: when the student's result matches it, ``message`` says why.

    ``variant`` takes the call and returns what code with that mistake returns;
    ``message`` is an ``N_()`` msgid, formatted with the call's sizes (``{N}``, ``{D}``, ...).
    """

    message: str
    variant: Callable[[Call], Any]
    applies: Callable[[Call], bool] = lambda call: True


@dataclass(frozen=True)
class Hint:
    """A hint that holds only for some calls: ``message`` (an ``N_()`` msgid) where ``applies``."""

    message: str
    applies: Callable[[Call], bool]


@dataclass(frozen=True)
class Check:
    """Everything the grader knows about one contract function."""

    function: str                               # "module.function"
    torch: Callable[..., Any]                   # float64 PyTorch reference, same signature
    tests: tuple[Test, ...]
    tolerance: Tolerance = FLOAT32
    mistakes: tuple[Mistake, ...] = ()
    callees: tuple[str, ...] = ()               # contract functions answered by the reference
    policy_exempt: bool = False                 # torch_api: torch is the point
    requires: str = ""                          # a module the function must use ("torch.nn")
    #: N_() hint when nan/inf appear where the truth is finite; hints with a condition: the
    #: first that applies to the call (none: the generic hint)
    nonfinite_hint: str | tuple[Hint, ...] = ""
    #: Whether the function involves a squared residual (y - ŷ)²: only then do hints about
    #: signs and factors 2 speak of its derivative.
    squared_residual: bool = False
    #: What the contract gives on a call and why (a translated rule, true on every call):
    #: the hint where no declared mistake matches, for functions of a few discrete cases.
    rule: Callable[[Call], str] | None = None
    #: The path in the result (a verdict's ``where``: "" for all of it, "[1]" for the second
    #: item) under which values are derivatives of that squared residual (None: nowhere).
    derivatives: str | None = None

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tests)
