"""The plain data types of the sandbox API: limits, call outcomes, refusals, test functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.cases.functions import SCALAR_FUNCTIONS


@dataclass(frozen=True)
class Limits:
    """What one child may use; every limit has a default sensible for the exercises."""

    call_seconds: float = 10.0          # wall time of one call
    load_seconds: float = 30.0          # wall time to load one unit (module / notebook cell)
    submission_seconds: float = 300.0   # wall time of one whole session
    memory_bytes: int = 2 * 1024**3     # extra address space / memory the child may use
    processes: int = 32                 # processes/threads the child may create
    output_chars: int = 2000            # captured output kept per call
    result_bytes: int = 64 * 1024**2    # largest single message accepted from the child
    disk_bytes: int = 64 * 1024**2      # what the child's working folder may hold in all


@dataclass
class CallOutcome:
    """What one call of a student function gave: a value, an exception or a fault."""

    value: Any = None
    error_type: str | None = None
    error_types: tuple[str, ...] = ()
    error: str = ""
    fault: str | None = None  # "timeout", "memory", "crash", "exit" or "protocol"
    fault_detail: str = ""
    output: str = ""
    mutated: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()     # modules of those libraries used, two levels: "torch.nn"
    callees_used: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True)
class Refused:
    """A returned value that may not cross the boundary (scored as a wrong answer)."""

    type_name: str
    why: str


@dataclass(frozen=True)
class ScalarFunction:
    """A scalar test function passed as an argument (``numerical_gradient``'s ``f``).

    Crosses the channel by name; the child calls the numpy version of
    ``SCALAR_FUNCTIONS[name]``, and so does the parent when it calls this object.
    """

    name: str

    def __post_init__(self) -> None:
        if self.name not in SCALAR_FUNCTIONS:
            raise KeyError(self.name)

    def __call__(self, x: np.ndarray) -> float:
        return float(SCALAR_FUNCTIONS[self.name][0](np.asarray(x, dtype=np.float64)))
