"""Say what is wrong with a failing case: one specific, translated hint.

``diagnose`` looks at a wrong result: the check's declared mistakes first (the most
specific), then generic patterns on the offending leaf (shapes, 0·log 0, nan/inf, a value
wrong only at 0, a flipped sign, a constant factor equal to a count of the case).
``diagnose_outcome`` explains a call that did not return a usable value (not implemented,
forbidden library, time or memory limit, crash, exception, input modified in place).
"""

from __future__ import annotations

import ast
import copy
import inspect
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from grader.cases import Call
from grader.checks.spec import Check, Mistake
from grader.compare.verdict import Raises, Verdict, compare, raised_names
from grader.i18n import N_, _
from grader.sandbox import CallOutcome, Refused

#: One step of a verdict's path into a result: ``[1]`` or ``['W1']``.
_PATH_STEP = re.compile(r"\[([^\[\]]+)\]")

SHAPE_TRANSPOSED = N_("The result has shape {got} but should have {expected}: the same "
                      "dimensions in reverse order. Is a matrix transposed (x @ W, not W @ x)?")
SHAPE_KEEPDIMS = N_("The result has shape {got} but should have {expected}: a column (N, 1) "
                    "and a vector (N,) are different shapes. Check keepdims, or use reshape.")
SHAPE_LOST_AXIS = N_("The result has shape {got} but should have {expected}: an axis is "
                     "missing. Did you sum or average over an axis that should stay?")
SHAPE_EXTRA_AXIS = N_("The result has shape {got} but should have {expected}: it has an axis "
                      "too many. Did you forget to sum or average over it, or use the wrong axis?")
SHAPE_OTHER = N_("The result has shape {got} but should have {expected}. Check the order of "
                 "matrix products and which axis you reduce.")
SCALAR_EXPECTED = N_("The result is an array of shape {got} where a single number is expected: "
                     "did you forget to sum or average?")
ARRAY_EXPECTED = N_("The result is a single number where an array of shape {expected} is "
                    "expected: keep one value per element.")
TUPLE_EXPECTED = N_("Return a tuple of {count} values, in the order the exercise states.")
DICT_EXPECTED = N_("Return a dict with the keys {keys}.")
LENGTH_OFF_BY_ONE = N_("The result has {got} entries but should have {expected}: one too many "
                       "or too few. Check where your loop starts and ends (off by one).")
RAISE_OTHER = N_("These arguments must raise {expected}, not {got}.")
NO_RAISE = N_("These arguments must raise {expected} (invalid arguments are an error); "
              "your function returned a value instead.")
REFUSED = N_("Your function returned a {type} ({why}): return a numpy array or a float.")

ZERO_LOG_ZERO = N_("The result is nan where {target} and {prob} are both 0: the term 0·log 0 "
                   "counts as 0. Take the log only where the target is positive (np.where).")
NONFINITE_ELEMENT = N_("The {bad} comes from the input {name}{index} = {value}.")
NONFINITE_ROW = N_("The {bad} comes from row {row} of {name}, which reaches {value} in magnitude.")
NONFINITE_INPUT = N_("The {bad} comes from large inputs: {name} holds values as large as {value} "
                     "in magnitude.")
NONFINITE_HINT = N_("Look for an exp, a log or a division that overflows for large inputs, "
                    "and use a numerically stable formulation.")
WRONG_AT_ZERO = N_("Wrong only where {name} is exactly 0 (you give {got}, expected {expected}). "
                   "Check the value at 0: > and >= differ there.")
SIGN_FLIPPED = N_("Every value has the opposite sign: check the minus signs in your "
                  "derivation (the derivative of (y - ŷ)² with respect to ŷ is -2(y - ŷ)).")
TIMES_COUNT = N_("Your result is exactly {count} = {value} times the expected one: did you "
                 "average over the wrong count, or forget to divide by it?")
DIVIDED_BY_COUNT = N_("Your result is the expected one divided by {count} = {value}: did you "
                      "average over the wrong count?")
FACTOR_TWO = N_("Your result is exactly {factor} times the expected one: check the constant 2 "
                "(the derivative of a square brings a factor 2).")
FACTOR_TWO_OR_COUNT = N_("Your result is exactly {factor} times the expected one: check the "
                         "constant 2 of a squared term, and whether you averaged over {count} = 2.")

TIMEOUT = N_("Time limit exceeded ({detail}): look for an endless loop, or replace Python "
             "loops over elements with numpy operations.")
MEMORY = N_("Memory limit exceeded: avoid building huge intermediate arrays (for example an "
            "accidental broadcast of (N,) against (N, 1)).")
CRASH = N_("The process crashed while running your function ({detail}).")
EXITED = N_("Your function ended the program ({detail}): do not call exit() or sys.exit().")
UNREADABLE = N_("Your function's result could not be read back ({detail}): return plain "
                "numbers, tuples, dicts or numpy arrays.")
NOT_IMPLEMENTED = N_("Not implemented yet: replace the raise NotImplementedError with your code.")
FORBIDDEN = N_("Uses {libraries}, which this module may not use: write it from scratch with "
               "numpy only.")
EXCEPTION = N_("Your function raised an exception: {error}")
MUTATED = N_("Your function modified the argument {names} in place: a function must not "
             "change its arguments. Work on a copy (x = x.copy()) or build new arrays.")


def diagnose(check: Check, call: Call, got: Any, expected: Any, verdict: Verdict,
             arg_names: Sequence[str] = (), show_inputs: bool = True) -> str:
    """A translated hint for a failing case ("" if none applies).

    ``arg_names`` name the inputs in hints; by default, the parameters of ``check.torch``.
    Without ``show_inputs`` (hidden tests), no hint quotes an input value.
    """
    arg_names = arg_names or argument_names(check)
    return (_declared_mistake(check, call, got)
            or _structure(verdict)
            or _numbers(check, call, _leaf(got, verdict.where), _leaf(expected, verdict.where),
                        arg_names, show_inputs))


def diagnose_outcome(outcome: CallOutcome, arg_names: Sequence[str] = (),
                     policy_exempt: bool = False) -> str:
    """A translated explanation of a call that went wrong before comparison ("" if none)."""
    if outcome.fault == "timeout":
        return _(TIMEOUT).format(detail=outcome.fault_detail)
    if outcome.fault == "memory" or outcome.error_type == "MemoryError":
        return _(MEMORY)
    if outcome.fault == "crash":
        return _(CRASH).format(detail=outcome.fault_detail)
    if outcome.fault == "exit":
        return _(EXITED).format(detail=outcome.fault_detail)
    if outcome.fault:
        return _(UNREADABLE).format(detail=outcome.fault_detail)
    if outcome.forbidden and not policy_exempt:
        return _(FORBIDDEN).format(libraries=", ".join(outcome.forbidden))
    if outcome.error_type == "NotImplementedError":
        return _(NOT_IMPLEMENTED)
    if outcome.error_type:
        return _(EXCEPTION).format(error=outcome.error)
    if outcome.mutated:
        names = ", ".join(_argument_name(m, arg_names) for m in outcome.mutated)
        return _(MUTATED).format(names=names)
    if isinstance(outcome.value, Refused):
        return _refused(outcome.value)
    return ""


def _declared_mistake(check: Check, call: Call, got: Any) -> str:
    """The message of the first declared mistake whose result matches ``got``."""
    fields = _size_fields(call)
    for mistake in check.mistakes:
        try:
            if not mistake.applies(call):
                continue
            wrong = _variant(mistake, call)
        except Exception:  # a variant that cannot run on this case does not apply
            continue
        if compare(got, wrong, check.tolerance).ok:
            return _(mistake.message).format(**fields)
    return ""


#: Results of mistake variants by (mistake, call): a batch shares its cases, so each
#: variant runs once per case, not once per failing student. Entries keep their call alive,
#: so an id is never reused while its entry exists.
_VARIANTS: dict[tuple[int, int], tuple[Call, Any]] = {}
_VARIANTS_KEPT = 4096


def _variant(mistake: Mistake, call: Call) -> Any:
    """What code with ``mistake`` returns on ``call`` (computed once per case)."""
    key = id(mistake), id(call)
    cached = _VARIANTS.get(key)
    if cached is not None and cached[0] is call:
        return cached[1]
    wrong = mistake.variant(copy.deepcopy(call))
    if len(_VARIANTS) >= _VARIANTS_KEPT:
        _VARIANTS.clear()
    _VARIANTS[key] = (call, wrong)
    return wrong


def _structure(verdict: Verdict) -> str:
    """Hints about the form of the result: type, shape, length, exceptions."""
    got, expected = verdict.got, verdict.expected
    if isinstance(got, Refused):
        return _refused(got)
    if verdict.kind == "no-raise":
        return _(NO_RAISE).format(expected=expected.exception)
    if verdict.kind == "raises" and isinstance(expected, Raises):
        return _(RAISE_OTHER).format(expected=expected.exception, got=raised_names(got)[0])
    if verdict.kind == "length" and abs(len(got) - len(expected)) == 1:
        return _(LENGTH_OFF_BY_ONE).format(got=len(got), expected=len(expected))
    if verdict.kind in ("type", "shape"):
        return _shape(got, expected)
    return ""


def _shape(got: Any, expected: Any) -> str:
    """A hint for a result of the wrong shape or kind."""
    if isinstance(expected, tuple):
        return _(TUPLE_EXPECTED).format(count=len(expected))
    if isinstance(expected, dict):
        return _(DICT_EXPECTED).format(keys=", ".join(map(str, expected)))
    got_shape, want = _shape_of(got), _shape_of(expected)
    if got_shape is None or want is None or got_shape == want:
        return ""
    fields = {"got": got_shape, "expected": want}
    if not want:
        return _(SCALAR_EXPECTED).format(**fields)
    if not got_shape:
        return _(ARRAY_EXPECTED).format(**fields)
    if len(got_shape) > 1 and got_shape == want[::-1]:
        return _(SHAPE_TRANSPOSED).format(**fields)
    if _without_ones(got_shape) == _without_ones(want):
        return _(SHAPE_KEEPDIMS).format(**fields)
    if got_shape in _without_one_axis(want):
        return _(SHAPE_LOST_AXIS).format(**fields)
    if want in _without_one_axis(got_shape):
        return _(SHAPE_EXTRA_AXIS).format(**fields)
    return _(SHAPE_OTHER).format(**fields)


def _numbers(check: Check, call: Call, got_leaf: Any, expected_leaf: Any,
             arg_names: Sequence[str], show_inputs: bool) -> str:
    """Hints from the values of a numeric leaf: nan/inf, wrong at 0, sign, constant factor."""
    got, expected = _as_floats(got_leaf, sequences=True), _as_floats(expected_leaf, sequences=True)
    if got is None or expected is None or got.shape != expected.shape:
        return ""
    finite = np.isfinite(expected)
    if (~np.isfinite(got) & finite).any():
        return _nonfinite(check, call, got, expected, arg_names, show_inputs)
    wrong = finite & ~check.tolerance.close(got, expected)
    if not wrong.any():
        return ""
    return (_wrong_at_zero(call, got, expected, wrong, arg_names)
            or _sign_or_factor(call, got[finite], expected[finite], check))


def _nonfinite(check: Check, call: Call, got: np.ndarray, expected: np.ndarray,
               arg_names: Sequence[str], show_inputs: bool) -> str:
    """Which input produced nan/inf (unless inputs are hidden), and how to avoid it."""
    zero_log = _zero_log_zero(call, got, arg_names)
    if zero_log:
        return zero_log
    hint = _(_nonfinite_hint(check, call))
    source = _nonfinite_source(call, got, expected, arg_names) if show_inputs else ""
    return f"{source} {hint}" if source else hint


def _nonfinite_hint(check: Check, call: Call) -> str:
    """The check's hint for nan/inf (the first of its conditional hints that applies)."""
    if isinstance(check.nonfinite_hint, str):
        return check.nonfinite_hint or NONFINITE_HINT
    return next((h.message for h in check.nonfinite_hint if h.applies(call)), NONFINITE_HINT)


def _nonfinite_source(call: Call, got: np.ndarray, expected: np.ndarray,
                      arg_names: Sequence[str]) -> str:
    """The input element, row or argument behind the first nan/inf ("" if none is known)."""
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(got) & np.isfinite(expected))[0])
    bad = str(got[index])
    arrays = list(_named_arrays(call, arg_names))
    for name, array in arrays:
        if got.ndim and array.shape == got.shape:
            return _(NONFINITE_ELEMENT).format(bad=bad, name=name, index=list(index),
                                               value=_number(array[index]))
    for name, array in arrays:
        if got.ndim and array.ndim and array.shape[0] == got.shape[0]:
            return _(NONFINITE_ROW).format(bad=bad, name=name, row=index[0],
                                           value=_number(np.abs(array[index[0]]).max()))
    if arrays:
        name, array = max(arrays, key=lambda item: np.abs(item[1]).max(initial=0))
        return _(NONFINITE_INPUT).format(bad=bad, name=name, value=_number(np.abs(array).max()))
    return ""


def _zero_log_zero(call: Call, got: np.ndarray, arg_names: Sequence[str]) -> str:
    """nan from 0·log 0: two probability-like inputs of one shape, both 0 somewhere."""
    if not np.isnan(got).any():
        return ""
    probabilities = [(name, a) for name, a in _named_arrays(call, arg_names)
                     if a.size and a.min() >= 0 and a.max() <= 1]
    for i, (target, t) in enumerate(probabilities):
        for prob, p in probabilities[i + 1:]:
            if t.shape == p.shape and ((t == 0) & (p == 0)).any():
                return _(ZERO_LOG_ZERO).format(target=target, prob=prob)
    return ""


def _wrong_at_zero(call: Call, got: np.ndarray, expected: np.ndarray, wrong: np.ndarray,
                   arg_names: Sequence[str]) -> str:
    """Wrong exactly where the first argument is 0 (a derivative's value at 0)."""
    first = next(iter(_named_arrays(call, arg_names)), None)
    if first is None or first[1].shape != got.shape or (first[1][wrong] != 0).any():
        return ""
    index = tuple(np.argwhere(wrong)[0])
    return _(WRONG_AT_ZERO).format(name=first[0], got=_number(got[index]),
                                   expected=_number(expected[index]))


def _sign_or_factor(call: Call, got: np.ndarray, expected: np.ndarray, check: Check) -> str:
    """A flipped sign, or a constant factor equal to 2 or a count of the case."""
    if np.all(check.tolerance.close(-got, expected)):
        return _(SIGN_FLIPPED)
    factor = _uniform_factor(got, expected)
    if factor is None:
        return ""
    counts = _counts(call)
    if np.isclose(factor, 2, rtol=1e-3) or np.isclose(factor, 0.5, rtol=1e-3):
        shown = "2" if factor > 1 else "1/2"
        also = [name for name, value in counts if value == 2]
        if also:
            return _(FACTOR_TWO_OR_COUNT).format(factor=shown, count=also[0])
        return _(FACTOR_TWO).format(factor=shown)
    for name, value in counts:
        if np.isclose(factor, value, rtol=1e-3):
            return _(TIMES_COUNT).format(count=name, value=value)
        if np.isclose(factor, 1 / value, rtol=1e-3):
            return _(DIVIDED_BY_COUNT).format(count=name, value=value)
    return ""


def _uniform_factor(got: np.ndarray, expected: np.ndarray) -> float | None:
    """``got / expected`` when it is the same for every element, else None."""
    scale = np.abs(expected).max(initial=0)
    nonzero = np.abs(expected) > 1e-9 * scale
    if scale == 0 or not np.allclose(got[~nonzero], 0, atol=1e-9 * scale):
        return None
    ratios = got[nonzero] / expected[nonzero]
    factor = float(np.median(ratios))
    return factor if np.allclose(ratios, factor, rtol=1e-3, atol=0) else None


def _counts(call: Call) -> list[tuple[str, int]]:
    """The counts a wrong average may use: products with N first, then the sizes themselves;
    only sizes that shape this call's arrays, larger than 1, one name per value."""
    if call.sizes is None:
        return []
    dims = {d for _name, a in _named_arrays(call, ()) for d in a.shape}
    s = call.sizes
    sizes = [(name, value) for name, value in
             (("N", s.N), ("D", s.D), ("D_out", s.O), ("C", s.C), ("H", s.H)) if value in dims]
    products = [(f"N·{name}", s.N * value) for name, value in sizes[1:] if s.N in dims]
    counts: dict[int, str] = {}
    for name, value in products + sizes:
        if value > 1:
            counts.setdefault(value, name)
    return [(name, value) for value, name in counts.items()]


def _named_arrays(call: Call, arg_names: Sequence[str]) -> Iterator[tuple[str, np.ndarray]]:
    """Numeric array arguments (dict values included) with their names, in call order."""
    named = [(_argument_name(str(i), arg_names), a) for i, a in enumerate(call.args)]
    for name, value in [*named, *call.kwargs.items()]:
        values = value.items() if isinstance(value, dict) else [("", value)]
        for key, item in values:
            array = _as_floats(item)
            if array is not None and array.ndim:
                yield (f"{name}[{key!r}]" if key else name), array


def argument_names(check: Check) -> tuple[str, ...]:
    """The positional parameter names of the check's reference: the contract's signature."""
    try:
        parameters = inspect.signature(check.torch).parameters.values()
    except (TypeError, ValueError):
        return ()
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in parameters if p.kind in positional)


def _argument_name(position: str, arg_names: Sequence[str]) -> str:
    """The name of argument ``position`` ("0", "1", ... or a keyword name)."""
    if not position.isdigit():
        return position
    index = int(position)
    return arg_names[index] if index < len(arg_names) else f"arg{index}"


def _leaf(value: Any, where: str) -> Any:
    """The part of ``value`` at a verdict's path (``"[1]"``, ``"['W1']"``)."""
    for step in _PATH_STEP.findall(where):
        value = value[ast.literal_eval(step)]
    return value


def _as_floats(value: Any, sequences: bool = False) -> np.ndarray | None:
    """A numeric scalar or array (with ``sequences``, a list of numbers) as float64, else None."""
    if isinstance(value, (bool, int, float, np.number, np.bool_)):
        return np.asarray(value, dtype=np.float64)
    if type(value) is np.ndarray and value.dtype.kind in "biuf":
        return value.astype(np.float64)
    if sequences and isinstance(value, (list, tuple)) and value \
            and all(_as_floats(item) is not None and np.ndim(item) == 0 for item in value):
        return np.array([float(item) for item in value])
    return None


def _shape_of(value: Any) -> tuple[int, ...] | None:
    """The shape of a numeric value (``()`` for a scalar), None for anything else."""
    array = _as_floats(value)
    return None if array is None else array.shape


def _without_one_axis(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """``shape`` with each one of its axes removed."""
    return [shape[:i] + shape[i + 1:] for i in range(len(shape))]


def _without_ones(shape: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` without its axes of length 1: (N, 1) and (N,) agree."""
    return tuple(d for d in shape if d != 1)


def _number(value: Any) -> str:
    """A number as shown in a hint."""
    return f"{float(value):.6g}"


def _refused(value: Refused) -> str:
    return _(REFUSED).format(type=value.type_name, why=value.why)


def _size_fields(call: Call) -> dict[str, int]:
    """``{N}``, ``{D}``, ``{H}``, ``{C}``, ``{O}`` (alias ``{D_out}``) for mistake messages."""
    if call.sizes is None:
        return {}
    return {**call.sizes.as_dict(), "D_out": call.sizes.O}
