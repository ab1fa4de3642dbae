"""Compare a student's result with the reference: structure, exact shape, finiteness, tolerance.

The reference's kind says what is accepted:

- a Python ``float`` (a scalar): a number, a numpy scalar or a 0-d array;
- an ``np.ndarray``: an array of exactly that shape (no broadcasting), numeric dtype;
- a ``tuple``: a tuple or list of the same length, compared elementwise;
- a ``list`` of floats (a sequence of numbers): a list, tuple or 1-D array;
- a ``dict``: the same keys, compared by key;
- a ``str``: the same string;
- ``Raises(name)``: the call raised that exception (or a subclass).

A raised exception is given as ``got`` in any of three forms: an exception instance, a
``Raises`` (its name only), or an object with ``error_types`` (``CallOutcome``: the MRO names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.checks.spec import Tolerance
from grader.i18n import _
from grader.report import bound
from grader.sandbox import Refused


@dataclass(frozen=True)
class Raises:
    """The expected outcome "raises ``exception``" (for example an invalid ``reduction``)."""

    exception: str


@dataclass(frozen=True)
class Verdict:
    """Whether a result matches; if not, where, what kind of mismatch and a message."""

    ok: bool
    kind: str = ""    # "" | type | shape | length | keys | nonfinite | value | refused | raises
                      # | no-raise | string
    where: str = ""   # path in the result: "", "[1]", "['W1']"
    message: str = ""
    got: Any = None
    expected: Any = None


PASS = Verdict(True)


def compare(got: Any, expected: Any, tolerance: Tolerance) -> Verdict:
    """The verdict on ``got`` against the reference ``expected``."""
    return _compare(got, expected, tolerance, "")


def _compare(got: Any, expected: Any, tolerance: Tolerance, where: str) -> Verdict:
    def fail(kind: str, message: str, got_leaf: Any = got, expected_leaf: Any = expected) -> Verdict:
        if where:
            message = _("in result{where}: {message}").format(where=where, message=message)
        return Verdict(False, kind, where, message, got_leaf, expected_leaf)

    if isinstance(got, Refused):
        return fail("refused", _("returned a {type}, which cannot be graded: {why}")
                    .format(type=got.type_name, why=got.why))
    raised = raised_names(got)
    if isinstance(expected, Raises):
        if raised is None:
            return fail("no-raise", _("expected {exception} to be raised, but a result was returned")
                        .format(exception=expected.exception))
        if expected.exception not in raised:
            return fail("raises", _("expected {exception} to be raised, got {got}")
                        .format(exception=expected.exception, got=raised[0]))
        return PASS
    if raised is not None:
        return fail("raises", _("raised {exception}").format(exception=raised[0]))
    if isinstance(expected, str):
        if not isinstance(got, str):
            return fail("type", _("expected a string, got {type}").format(type=_type_name(got)))
        if got != expected:
            return fail("string", _("expected {expected!r}, got {got!r}").format(expected=expected, got=bound.cut(got, bound.VALUE_CHARS)))
        return PASS
    if isinstance(expected, float):
        return _compare_scalar(got, expected, tolerance, fail)
    if isinstance(expected, np.ndarray):
        return _compare_array(got, expected, tolerance, fail)
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)):
            return fail("type", _("expected a tuple of {count} values, got {type}")
                        .format(count=len(expected), type=_type_name(got)))
        if len(got) != len(expected):
            return fail("length", _("expected a tuple of {count} values, got {got}")
                        .format(count=len(expected), got=len(got)))
        for index, (got_item, expected_item) in enumerate(zip(got, expected)):
            verdict = _compare(got_item, expected_item, tolerance, f"{where}[{index}]")
            if not verdict.ok:
                return verdict
        return PASS
    if isinstance(expected, list):
        return _compare_sequence(got, expected, tolerance, fail)
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return fail("type", _("expected a dict with keys {keys}, got {type}")
                        .format(keys=list(expected), type=_type_name(got)))
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing or extra:
            return fail("keys", _("expected the keys {keys}; missing {missing}, unexpected {extra}")
                        .format(keys=list(expected), missing=bound.names(missing),
                                extra=bound.names(extra)))
        for key, expected_item in expected.items():
            verdict = _compare(got[key], expected_item, tolerance, f"{where}[{key!r}]")
            if not verdict.ok:
                return verdict
        return PASS
    raise TypeError(f"unsupported reference value {type(expected).__name__}")


def raised_names(got: Any) -> tuple[str, ...] | None:
    """The class names (MRO) of the exception ``got`` stands for, or None if it is a result."""
    if isinstance(got, BaseException):
        return tuple(cls.__name__ for cls in type(got).__mro__)
    if isinstance(got, Raises):
        return (got.exception,)
    error_types = getattr(got, "error_types", None)
    if isinstance(error_types, tuple) and not isinstance(got, (np.ndarray, tuple, list, dict)):
        return error_types or None
    return None


def _compare_scalar(got: Any, expected: float, tolerance: Tolerance, fail: Any) -> Verdict:
    if isinstance(got, np.ndarray) and got.ndim > 0:
        return fail("shape", _("expected a scalar, got an array of shape {shape}")
                    .format(shape=got.shape))
    if not _is_number(got):
        return fail("type", _("expected a number, got {type}").format(type=_type_name(got)))
    return _compare_values(np.asarray(got, dtype=np.float64), np.asarray(expected), tolerance, fail)


def _compare_array(got: Any, expected: np.ndarray, tolerance: Tolerance, fail: Any) -> Verdict:
    if not isinstance(got, np.ndarray):
        return fail("type", _("expected an array of shape {shape}, got {type}")
                    .format(shape=expected.shape, type=_type_name(got)))
    if got.dtype.kind not in "biuf":
        return fail("type", _("expected an array of numbers, got dtype {dtype}").format(dtype=got.dtype))
    if got.shape != expected.shape:
        return fail("shape", _("expected shape {expected}, got {got}")
                    .format(expected=expected.shape, got=got.shape))
    return _compare_values(got.astype(np.float64), expected.astype(np.float64), tolerance, fail)


def _compare_sequence(got: Any, expected: list, tolerance: Tolerance, fail: Any) -> Verdict:
    if isinstance(got, np.ndarray):
        if got.ndim != 1 or got.dtype.kind not in "biuf":
            return fail("shape", _("expected a sequence of {count} numbers, got an array of shape {shape}")
                        .format(count=len(expected), shape=got.shape))
        values = got.astype(np.float64)
    elif isinstance(got, (list, tuple)):
        if not all(_is_number(item) for item in got):
            return fail("type", _("expected a sequence of numbers, got an item that is not a number"))
        values = np.array([float(np.asarray(item)) for item in got], dtype=np.float64)
    else:
        return fail("type", _("expected a sequence of {count} numbers, got {type}")
                    .format(count=len(expected), type=_type_name(got)))
    if len(values) != len(expected):
        return fail("length", _("expected {count} values, got {got}")
                    .format(count=len(expected), got=len(values)))
    return _compare_values(values, np.array(expected, dtype=np.float64), tolerance, fail)


def _compare_values(got: np.ndarray, expected: np.ndarray, tolerance: Tolerance, fail: Any) -> Verdict:
    """Finiteness first, then the tolerance; the message names the first offending index."""
    if tolerance.all_close(got, expected):   # the common case, in fewer steps
        return PASS
    finite = np.isfinite(expected)
    nonfinite = finite & ~np.isfinite(got)
    if nonfinite.any():
        index = _first(nonfinite)
        return fail("nonfinite", _("got {got} {at}where the expected value is finite ({expected})")
                    .format(got=_num(got[index]), at=_at(index), expected=_num(expected[index])),
                    got[index], expected[index])
    same_special = (got == expected) | (np.isnan(got) & np.isnan(expected))
    wrong = np.where(finite, ~tolerance.close(got, np.where(finite, expected, 0.0)), ~same_special)
    if not wrong.any():
        return PASS
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.where(wrong, np.nan_to_num(np.abs(got - expected), nan=np.inf), -np.inf)
    index = np.unravel_index(np.argmax(error), error.shape) if error.ndim else ()
    if wrong.size == 1:
        message = _("expected {expected}, got {got}").format(expected=_num(expected[index]),
                                                              got=_num(got[index]))
    else:
        message = _("{count} of {total} values differ; the largest difference is "
                    "{at}expected {expected}, got {got}").format(
            count=int(wrong.sum()), total=wrong.size, at=_at(index),
            expected=_num(expected[index]), got=_num(got[index]))
    return fail("value", message, got[index], expected[index])


def _is_number(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0]) if mask.ndim else ()


def _at(index: tuple) -> str:
    return _("at index {index} ").format(index=tuple(int(i) for i in index)) if index else ""


def _num(value: Any) -> str:
    return format(float(value) + 0.0, ".8g")  # + 0.0: no "-0"


def _type_name(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return _("an array of shape {shape}").format(shape=value.shape)
    return type(value).__name__
