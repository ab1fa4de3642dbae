"""Hints as checked claims: each hint states something machine-checkable about the wrong
results (a factor law, a sign, the set of wrong elements, the variant of a declared mistake,
the input a nan comes from), and is shown only when it holds on every failing case.

A ``Claim`` has an identifier (``TestResult.diagnosis``), a translated message and a test
``holds(failure)``; ``claim_of(check, identifier)`` rebuilds the test from the identifier
alone, so a benchmark can check a report's hint against the code's actual outputs.
``explain`` picks the first claim that holds on every failure; when none does, it describes
what is observed in the example shown (which elements differ, ratio or offset, the first
difference), a neutral description.

Factor laws are fitted across cases of different sizes: a constant, or ``k·count^p`` with
``k`` in {1, 2, 1/2}, ``p`` = ±1 and ``count`` one of N, D, C, H, O or a product with N; a
law is a finding only when it fits every failure and is told apart from a constant (its
value differs between failures); otherwise only the constant ratio is stated.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.cases import Call
from grader.checks.spec import Check, Tolerance
from grader.compare import memo
from grader.compare.verdict import Verdict, compare
from grader.i18n import N_, _

#: One step of a verdict's path into a result: ``[1]`` or ``['W1']``.
_PATH_STEP = re.compile(r"\[([^\[\]]+)\]")
#: Inputs at least this large in magnitude are "large" (e^x overflows beyond about 709).
LARGE = 100.0
#: A row whose maximum lies this far below the array's maximum underflows under a global shift.
UNDERFLOW_GAP = 700.0

SIGN_FLIPPED = N_("Every value has the opposite sign on every failing case: check the minus "
                  "signs in your derivation.")
SIGN_FLIPPED_SQUARED = N_("Every value has the opposite sign on every failing case: check the "
                          "minus signs in your derivation (the derivative of (y - ŷ)² with "
                          "respect to ŷ is -2(y - ŷ)).")
FACTOR_TWO = N_("Your result is exactly {factor} times the expected one on every failing case: "
                "look for a factor 2 too many or too few.")
FACTOR_TWO_SQUARED = N_("Your result is exactly {factor} times the expected one on every failing "
                        "case: check the constant 2 (the derivative of a square brings a factor 2).")
FACTOR_MINUS_TWO = N_("Your result is exactly {factor} times the expected one on every failing "
                      "case: the sign is flipped, and a factor 2 is too many or too few.")
FACTOR_MINUS_TWO_SQUARED = N_("Your result is exactly {factor} times the expected one on every "
                              "failing case: the sign is flipped, and the constant 2 is wrong (the "
                              "derivative of (y - ŷ)² with respect to ŷ is -2(y - ŷ)).")
TIMES_LAW = N_("Your result is {law} times the expected one on every failing case ({law} = "
               "{value} in the example shown, and the factor follows {law} across cases of "
               "different sizes): did you average over the wrong count, or forget to divide by it?")
DIVIDED_BY_LAW = N_("Your result is the expected one divided by {law} on every failing case "
                    "({law} = {value} in the example shown, and the factor follows {law} across "
                    "cases of different sizes): did you average over the wrong count?")
CONSTANT_RATIO = N_("Your result is {factor} times the expected one on every failing case (a "
                    "constant ratio).")
OFFSET_LAW = N_("Your result differs from the expected one by {offset} for each of the {count} "
                "terms on every failing case ({value} in the example shown, and the difference "
                "follows {count} across cases of different sizes): a constant term of each "
                "element's formula is wrong.")
STEP_LAW = N_("Your result is {law} times the expected one on every failing case, with h the "
              "step ({value} in the example shown): look at where h enters your formula (the "
              "centred difference divides f(x + h) - f(x - h) by 2h).")
ONLY_ITEMS = N_("Only {wrong} is wrong on every failing case ({right}: right).")
CONSTANT_OFFSET = N_("Your result differs from the expected one by the same amount, {offset}, "
                     "in every failing case (a constant offset).")
WRONG_AT_ZERO = N_("Wrong only where {name} is exactly 0 (you give {got}, expected {expected}), "
                   "on every failing case. Check the value at 0: > and >= differ there.")
WRONG_WHERE = N_("Wrong only where {name} {condition}, and right wherever it is not, on every "
                 "failing case (for example {name} = {value}: you give {got}, expected {expected}): "
                 "check the branch or the formula for {name} {condition}.")
NEGATED_ARGUMENT = N_("Your result is what the function gives for -{name} on every failing case: "
                      "{name} enters your formula with the wrong sign.")
ZEROED_ARGUMENT = N_("Your result is what the function gives for {name} = 0 on every failing "
                     "case: {name} is missing from your formula.")
OTHER_AXIS = N_("Your result is the right computation along axis {axis} on every failing case, "
                "not along the axis asked for (axis={asked} in the example shown): reduce along "
                "the axis argument.")
SWAPPED_RESULTS = N_("Your results are in the wrong order on every failing case: item {first} "
                    "and item {second} are swapped. Return them in the order the exercise states.")
SWAPPED_ARGUMENTS = N_("Your result is what the function gives with {first} and {second} "
                      "swapped, on every failing case: check the order of the parameters, or "
                      "where each is used.")
OTHER_AXIS_DEFAULT = N_("Your result is the right computation along axis {axis} on every failing "
                       "case, where axis was not given: its default is the last axis (axis={asked} "
                       "in the example shown). Check the default value of axis.")
ZERO_LOG_ZERO = N_("The result is nan where {target} and {prob} are both 0: the term 0·log 0 "
                   "counts as 0. Take the log only where the target is positive (np.where).")
NONFINITE_ELEMENT = N_("The {bad} comes from the input {name}{index} = {value}: on every failing "
                       "case nan/inf appear only where {name} reaches {large} in magnitude, and "
                       "every other value is right.")
NONFINITE_ROW = N_("The {bad} comes from row {row} of {name}, which reaches {value} in magnitude: "
                   "on every failing case nan/inf appear only in rows that reach {large} in "
                   "magnitude, and every other value is right.")
NONFINITE_LOW_ROW = N_("The {bad} is in row {row} of {name}, whose largest value {value} lies more "
                       "than {gap} below the largest value of the whole array ({top}); on every "
                       "failing case nan/inf appear only in such rows. Subtracting one maximum for "
                       "the whole array makes e^(x - max) underflow to 0 in such a row: subtract "
                       "each row's own maximum (np.max along the axis, keepdims=True).")
NONFINITE_INPUT = N_("The {bad} comes from large inputs: {name} holds values as large as {value} "
                     "in magnitude in every failing case, and nothing else is wrong.")
NONFINITE_HINT = N_("Look for an exp, a log or a division that overflows for large inputs, "
                    "and use a numerically stable formulation.")
NONFINITE_SEEN = N_("The result is {bad} at {count} of {total} values where it should be "
                    "finite, and other values are wrong too, so this is not only an overflow.")
DIFFER_ELEMENTS = N_("In the example shown, {count} of {total} values differ: the error is "
                     "{pattern}.")
SCALARS_SEEN = N_("Over the failing cases, your result over the expected one ranges from {low} "
                  "to {high}: neither a constant ratio, nor a count law, nor a constant offset.")
NONFINITE_CONDITION = N_("The result is {bad} where it should be finite, in every failing case, "
                         "and every other value is right.")
PATTERN_NEITHER = N_("neither a constant ratio nor a constant offset in this example")
PATTERN_RATIO = N_("a constant ratio in this example, but not the same ratio in every failing "
                   "case")
PATTERN_OFFSET = N_("a constant offset in this example, but not the same offset in every "
                    "failing case")


@dataclass(frozen=True)
class Failure:
    """One failing case: the call, the student's result, the reference and the verdict."""

    call: Call
    got: Any
    expected: Any
    verdict: Verdict
    message: str = ""     # what went wrong, as told (an exception: its own message)


@dataclass(frozen=True)
class Claim:
    """A hint and the test that it holds on a failure."""

    id: str
    message: str | Callable[[], str]      # a callable: formatted only when shown
    holds: Callable[[Failure], bool]
    cause: bool = True         # names a cause (False: describes what is observed)


# -- leaves -----------------------------------------------------------------------------------

def leaf(value: Any, where: str) -> Any:
    """The part of ``value`` at a verdict's path (``"[1]"``, ``"['W1']"``), None if absent."""
    try:
        for step in _PATH_STEP.findall(where):
            value = value[ast.literal_eval(step)]
    except (KeyError, IndexError, TypeError, ValueError, SyntaxError):
        return None
    return value


def as_floats(value: Any, sequences: bool = False) -> np.ndarray | None:
    """A numeric scalar or array (with ``sequences``, a list of numbers) as float64, else None."""
    if isinstance(value, (bool, int, float, np.number, np.bool_)):
        return np.asarray(value, dtype=np.float64)
    if type(value) is np.ndarray and value.dtype.kind in "biuf":
        return value.astype(np.float64)
    if sequences and isinstance(value, (list, tuple)) and value \
            and all(as_floats(item) is not None and np.ndim(item) == 0 for item in value):
        return np.array([float(item) for item in value])
    return None


def _pair(failure: Failure, where: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The student's and the reference's leaf at ``where`` as float arrays of one shape."""
    got = as_floats(leaf(failure.got, where), sequences=True)
    expected = as_floats(leaf(failure.expected, where), sequences=True)
    if got is None or expected is None or got.shape != expected.shape:
        return None
    return got, expected


def named_arrays(call: Call, arg_names: Sequence[str]) -> Iterator[tuple[str, np.ndarray]]:
    """Numeric array arguments (dict values included) with their names, in call order."""
    named = [(argument_name(str(i), arg_names), a) for i, a in enumerate(call.args)]
    for name, value in [*named, *call.kwargs.items()]:
        values = value.items() if isinstance(value, dict) else [("", value)]
        for key, item in values:
            array = as_floats(item)
            if array is not None and array.ndim:
                yield (f"{name}[{key!r}]" if key else name), array


def argument_name(position: str, arg_names: Sequence[str]) -> str:
    """The name of argument ``position`` ("0", "1", ... or a keyword name)."""
    if not position.isdigit():
        return position
    index = int(position)
    return arg_names[index] if index < len(arg_names) else f"arg{index}"


def number(value: Any) -> str:
    """A number as shown in a hint."""
    return f"{float(value) + 0.0:.6g}"


# -- the pieces of a numeric claim ------------------------------------------------------------

def _wrong(check: Check, got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Where ``got`` is wrong: nan/inf where the truth is finite, or outside the tolerance."""
    finite = np.isfinite(expected)
    return finite & (~np.isfinite(got) | ~check.tolerance.close(got, np.where(finite, expected, 0)))


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal up to a relative 1e-3 of the larger values (a law, not a tolerance)."""
    scale = max(np.abs(b).max(initial=0), np.abs(a).max(initial=0), 1e-300)
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.all(np.abs(a - b) <= 1e-3 * np.abs(b) + 1e-9 * scale))


def ratio(got: np.ndarray, expected: np.ndarray) -> float | None:
    """``got / expected`` when it is the same for every element (not 1), else None."""
    if not (np.all(np.isfinite(got)) and np.all(np.isfinite(expected))):
        return None
    scale = np.abs(expected).max(initial=0)
    if scale == 0:
        return None
    nonzero = np.abs(expected) > 1e-9 * scale
    if not np.allclose(got[~nonzero], 0, atol=1e-9 * scale):
        return None
    factor = float(np.median(got[nonzero] / expected[nonzero]))
    if factor == 0 or abs(factor - 1) <= 1e-3 or not _close(got, factor * expected):
        return None
    return factor


def offset(got: np.ndarray, expected: np.ndarray) -> float | None:
    """``got - expected`` when it is the same (and not 0) for every element, else None."""
    if not (np.all(np.isfinite(got)) and np.all(np.isfinite(expected))):
        return None
    difference = got - expected
    shift = float(np.median(difference))
    scale = max(np.abs(expected).max(initial=0), abs(shift))
    if scale == 0 or abs(shift) <= 1e-9 * scale:
        return None
    return shift if np.all(np.abs(difference - shift) <= 1e-4 * scale) else None


#: Count laws: (identifier, k, count name, power); ``k * count ** power``.
_COUNTS = ("N", "D", "C", "H", "O", "N·D", "N·C", "N·H", "N·O")
LAWS = tuple((name, k, count, power)
             for count in _COUNTS
             for power in (1, -1)
             for k, name in ((1.0, count if power == 1 else f"1/{count}"),
                             (0.5, f"{count}/2" if power == 1 else f"1/(2·{count})"),
                             (2.0, f"2·{count}" if power == 1 else f"2/{count}")))


def count_value(call: Call, count: str) -> int | None:
    """The value of a count on ``call``: a size that shapes its arrays (else 1); None when the
    call has no sizes."""
    if call.sizes is None:
        return None
    dims = memo.of_case(call, "dims", lambda: frozenset(
        d for _name, a in named_arrays(call, ()) for d in a.shape))
    sizes = {"N": call.sizes.N, "D": call.sizes.D, "C": call.sizes.C, "H": call.sizes.H,
             "O": call.sizes.O}
    value = 1
    for part in count.split("·"):
        size = sizes[part]
        value *= size if size in dims else 1
    return value


def law_value(call: Call, law: str) -> float | None:
    """The factor a law predicts on ``call`` (None: unknown law or no sizes)."""
    for name, k, count, power in LAWS:
        if name == law:
            value = count_value(call, count)
            return None if value is None else k * float(value) ** power
    return None


# -- claims from identifiers ------------------------------------------------------------------

def claim_of(check: Check, identifier: str, arg_names: Sequence[str] = ()) -> Claim | None:
    """The claim an identifier stands for (message left empty), None for one that states no
    checkable content about values (outcomes, neutral descriptions of one example)."""
    from grader.compare.groups import form_of, parts_of

    parts = parts_of(identifier)
    if parts is not None:   # one claim per form of failure (grader.compare.groups)
        claims = {form: claim_of(check, part, arg_names) for form, part in parts}

        def holds(failure: Failure) -> bool:
            form = form_of(failure)
            return form in claims and (claims[form] is None or claims[form].holds(failure))
        first = claims[parts[0][0]]
        cause = first.cause if first is not None else parts[0][1].startswith("outcome:")
        return Claim(identifier, "", holds, cause=cause)
    kind, _sep, rest = identifier.partition(":")
    param, _at, where = rest.partition("@") if kind != "mistake" else (rest, "", "")
    if kind == "rule":     # the contract's rule for the call: true on every call
        return Claim(identifier, "", lambda f: True)
    if kind == "raised-variant":   # the student's exception, reproduced by a variant
        from grader.compare.raised import variant_holds

        return Claim(identifier, "", lambda f: variant_holds(check, param, f))
    if kind == "mistake":
        index = int(param.rpartition(":")[2])
        return Claim(identifier, "", lambda f: _mistake_holds(check, index, f))
    tests: dict[str, Callable[[Failure], bool]] = {
        "sign": lambda f: _sign_holds(check, f, where),
        "factor": lambda f: _law_holds(f, where, param),
        "ratio": lambda f: _ratio_holds(f, where, float(param)),
        "offset": lambda f: _offset_holds(f, where, float(param)),
        "offset-law": lambda f: _offset_law_holds(f, where, param.split(":")[0],
                                                  float(param.split(":", 1)[1])),
        "step": lambda f: _step_holds(check, f, where, param),
        "only": lambda f: _only_holds(check, f, tuple(_split_paths(param))),
        "zero": lambda f: _zero_holds(check, f, where, arg_names),
        "where": lambda f: _region_holds(check, f, where, arg_names, param),
        "negated": lambda f: _changed_holds(check, f, where, param, "negated"),
        "zeroed": lambda f: _changed_holds(check, f, where, param, "zeroed"),
        "axis": lambda f: _axis_holds(check, f, where, int(param)),
        "swapped-results": lambda f: swapped_results_hold(check, f, *map(int, param.split(","))),
        "swapped-arguments": lambda f: swapped_arguments_hold(check, f, where,
                                                              *map(int, param.split(","))),
        "zero-log-zero": lambda f: _zero_log_zero(check, f, where, arg_names) is not None,
        "nonfinite-element": lambda f: _nonfinite_element(check, f, where, arg_names) is not None,
        "nonfinite-row": lambda f: _nonfinite_row(check, f, where, arg_names) is not None,
        "nonfinite-low-row": lambda f: _nonfinite_low_row(f, where, arg_names) is not None,
        "nonfinite-input": lambda f: _nonfinite_input(check, f, where, arg_names) is not None,
        "nonfinite-hint": lambda f: _hint_holds(check, int(param), f, where),
        "nonfinite": lambda f: _nonfinite_only(check, f, where) is not None,
    }
    if kind in ("shape", "length", "raises", "keys") or identifier.startswith(("no-raise@", "outcome:refused")):
        from grader.compare.diagnose import structure

        return Claim(identifier, "", lambda f: structure(f.verdict)[0] == identifier)
    test = tests.get(kind)
    if test is None:
        return None
    neutral = kind == "offset" or kind == "ratio" and abs(float(param)) not in (2.0, 0.5)
    return Claim(identifier, "", test, cause=not neutral)


def _split_paths(text: str) -> list[str]:
    """``"[0],[2]"`` or ``"['W1'],['b1']"`` -> its paths."""
    return re.findall(r"\[[^\[\]]+\]", text)


def _mistake_holds(check: Check, index: int, failure: Failure) -> bool:
    from grader.compare.diagnose import mistake_result

    mistake = check.mistakes[index]
    wrong = mistake_result(mistake, failure.call)
    return wrong is not _NOTHING and compare(failure.got, wrong, check.tolerance).ok


_NOTHING = object()


def _sign_holds(check: Check, failure: Failure, where: str) -> bool:
    pair = _pair(failure, where)
    if pair is None:
        return False
    got, expected = pair
    finite = np.isfinite(expected)
    return bool(np.any(expected[finite] != 0) and np.all(np.isfinite(got[finite]))
                and np.all(check.tolerance.close(-got[finite], expected[finite])))


def _ratio_holds(failure: Failure, where: str, factor: float) -> bool:
    pair = _pair(failure, where)
    return pair is not None and ratio(*pair) is not None and _fits(pair, factor)


def _law_holds(failure: Failure, where: str, law: str) -> bool:
    value = law_value(failure.call, law)
    return value is not None and _ratio_holds(failure, where, value)


def _fits(pair: tuple[np.ndarray, np.ndarray], factor: float | None) -> bool:
    """Whether the first of ``pair`` is ``factor`` times the second (``_ratio_holds`` for a
    pair whose ratio is known to exist)."""
    return factor is not None and _close(pair[0], factor * pair[1])


def _offset_holds(failure: Failure, where: str, shift: float) -> bool:
    pair = _pair(failure, where)
    if pair is None:
        return False
    found = offset(*pair)
    return found is not None and abs(found - shift) <= 1e-4 * max(abs(shift), 1e-12)


def _zero_holds(check: Check, failure: Failure, where: str, arg_names: Sequence[str]) -> bool:
    pair = _pair(failure, where)
    first = next(iter(named_arrays(failure.call, arg_names)), None)
    if pair is None or first is None or first[1].shape != pair[0].shape:
        return False
    wrong, x = _wrong(check, *pair), first[1]
    return bool(wrong.any() and np.array_equal(wrong, x == 0) and _ordinary(x)[~wrong].any())


#: Conditions on the first input that may delimit the wrong elements.
REGIONS = {"<0": lambda x: x < 0, ">0": lambda x: x > 0, "<=0": lambda x: x <= 0,
           ">=0": lambda x: x >= 0}


def _region_holds(check: Check, failure: Failure, where: str, arg_names: Sequence[str],
                  region: str) -> bool:
    """Wrong exactly where the first input (of the result's shape) meets ``region``."""
    pair = _pair(failure, where)
    first = next(iter(named_arrays(failure.call, arg_names)), None)
    if pair is None or first is None or first[1].shape != pair[0].shape:
        return False
    wrong, x = _wrong(check, *pair), first[1]
    inside = REGIONS[region](x)
    got, expected = pair
    exact = Tolerance(check.tolerance.rtol / 100, check.tolerance.atol / 100)
    right_outside = np.all(exact.close(got[~inside], expected[~inside]))   # a branch, not a drift
    return bool(wrong.any() and not (wrong & ~inside).any() and _ordinary(x)[~inside].any()
                and right_outside)


def _ordinary(x: np.ndarray) -> np.ndarray:
    """Inputs of ordinary size, 0 < |x| < 10: there no function saturates, so code wrong
    by a factor or an offset everywhere is wrong there too (a claim about the set of wrong
    elements needs such inputs on both sides)."""
    return (x != 0) & (np.abs(x) < 10)


#: Changes to one argument a claim may name: the reference on the changed argument.
CHANGES = {"negated": lambda a: -a, "zeroed": lambda a: a * 0.0}


def _reference_on(check: Check, call: Call, change: Hashable,
                  changed: Callable[[], tuple[list, dict]]) -> Any:
    """The reference (``check.torch``) on ``call`` with a ``change``, whose arguments
    ``changed()`` gives; ``_NOTHING`` where it cannot run on them. Computed once per case."""
    def compute() -> Any:
        args, kwargs = changed()
        try:
            with np.errstate(all="ignore"):
                return check.torch(*args, **kwargs)
        except Exception:  # the reference cannot run on it
            return _NOTHING
    return memo.of_case(call, ("reference", id(check), change), compute)


def _changed_holds(check: Check, failure: Failure, where: str, position: str, change: str
                   ) -> bool:
    """The result is the reference's with argument ``position`` (an index or a keyword)
    changed by ``CHANGES[change]`` (and that changes the reference's result)."""
    call = failure.call
    args, kwargs = list(call.args), dict(call.kwargs)
    value = args[int(position)] if position.isdigit() and int(position) < len(args) else \
        kwargs.get(position)
    array = as_floats(value)
    if array is None or type(value) is np.ndarray and value.dtype.kind not in "f" or \
            isinstance(value, (bool, np.bool_)) or not np.any(array):
        return False
    def changed_call() -> tuple[list, dict]:
        changed = CHANGES[change](array) if np.ndim(value) else float(CHANGES[change](array))
        if position.isdigit():
            args[int(position)] = changed
        else:
            kwargs[position] = changed
        return args, kwargs

    wrong = _reference_on(check, call, (change, position), changed_call)
    if wrong is _NOTHING:   # the reference cannot run on it: no claim
        return False
    pair = _pair(failure, where)
    other = as_floats(leaf(wrong, where), sequences=True)
    return pair is not None and other is not None and other.shape == pair[0].shape and \
        bool(np.all(np.isfinite(other))) and bool(np.all(check.tolerance.close(pair[0], other)))


def _items(value: Any) -> list[tuple[str, Any]]:
    """The items of a tuple or dict result with their paths (``[0]``, ``['W1']``)."""
    if isinstance(value, dict):
        return [(f"[{key!r}]", item) for key, item in value.items()]
    if isinstance(value, (tuple, list)):
        return [(f"[{index}]", item) for index, item in enumerate(value)]
    return []


def wrong_items(check: Check, failure: Failure) -> tuple[str, ...] | None:
    """The paths of the wrong items of a tuple or dict result (None: not such a result)."""
    expected = _items(failure.expected)
    if not expected or not isinstance(failure.expected, (tuple, dict)):
        return None
    wrong = []
    for path, item in expected:
        got = leaf(failure.got, path)
        if got is None or not compare(got, item, check.tolerance).ok:
            wrong.append(path)
    return tuple(wrong)


def only_items(check: Check, failures: Sequence[Failure]) -> tuple[str, str] | None:
    """The identifier and hint "only these items are wrong", when the same proper subset of
    a tuple or dict result is wrong on every failure (None otherwise)."""
    sets = {wrong_items(check, f) for f in failures}
    if len(sets) != 1:
        return None
    wrong = sets.pop()
    paths = [path for path, _item in _items(failures[0].expected)]
    if not wrong or len(wrong) == len(paths):
        return None
    right = [p for p in paths if p not in wrong]
    return (f"only:{','.join(wrong)}@",
            _(ONLY_ITEMS).format(wrong="result" + " ".join(wrong) if len(wrong) == 1
                                 else ", ".join("result" + w for w in wrong),
                                 right=", ".join("result" + r for r in right)))


def _only_holds(check: Check, failure: Failure, wrong: tuple[str, ...]) -> bool:
    return wrong_items(check, failure) == wrong


def swapped_results_hold(check: Check, failure: Failure, first: int, second: int) -> bool:
    """The result is a tuple whose items ``first`` and ``second`` (swapped) are right."""
    got, expected = failure.got, failure.expected
    if not isinstance(expected, tuple) or not isinstance(got, (tuple, list)) \
            or len(got) != len(expected) or second >= len(got):
        return False
    items = list(got)
    items[first], items[second] = items[second], items[first]
    return compare(tuple(items), expected, check.tolerance).ok


def swapped_arguments_hold(check: Check, failure: Failure, where: str, first: int,
                           second: int) -> bool:
    """The result is the reference's with positional arguments ``first`` and ``second``
    exchanged (arrays of one shape, where that changes the reference's result)."""
    args = list(failure.call.args)
    if second >= len(args) or as_floats(args[first]) is None or as_floats(args[second]) is None \
            or np.shape(args[first]) != np.shape(args[second]):
        return False
    args[first], args[second] = args[second], args[first]
    wrong = _reference_on(check, failure.call, ("swapped", first, second),
                          lambda: (args, failure.call.kwargs))
    if wrong is _NOTHING:   # the reference cannot run on it: no claim
        return False
    if compare(wrong, failure.expected, check.tolerance).ok:
        return False
    pair = _pair(failure, where)
    other = as_floats(leaf(wrong, where), sequences=True)
    return pair is not None and other is not None and other.shape == pair[0].shape and \
        bool(np.all(np.isfinite(other))) and compare(failure.got, wrong, check.tolerance).ok


def _asked_axis(check: Check, call: Call) -> int | None:
    """The call's ``axis`` argument as a non-negative index (None: no such argument)."""
    from grader.checks.common import arguments

    try:
        asked = arguments(check.torch, call).get("axis")
    except TypeError:
        return None
    ndim = np.ndim(call.args[0]) if call.args else 0
    return None if not isinstance(asked, int) or not ndim else asked % ndim


def _axis_holds(check: Check, failure: Failure, where: str, axis: int) -> bool:
    """The result is the reference's along ``axis`` (a non-negative index), which is not
    the axis asked for."""
    from grader.checks.common import arguments

    asked = _asked_axis(check, failure.call)
    if asked is None or axis == asked or axis >= np.ndim(failure.call.args[0]):
        return False
    wrong = _reference_on(check, failure.call, ("axis", axis), lambda: (
        [], {**arguments(check.torch, failure.call), "axis": axis}))
    if wrong is _NOTHING:   # the reference cannot run on it: no claim
        return False
    pair = _pair(failure, where)
    other = as_floats(leaf(wrong, where), sequences=True)
    return pair is not None and other is not None and other.shape == pair[0].shape and \
        bool(np.all(check.tolerance.close(pair[0], other)))


def _zero_log_zero(check: Check, failure: Failure, where: str, arg_names: Sequence[str]
                   ) -> tuple[str, str] | None:
    """The names of two probability-like inputs of one shape, both 0 somewhere, when the
    result is nan (0·log 0) and nothing else is wrong."""
    pair = _pair(failure, where)
    if pair is None or not np.isnan(pair[0][np.isfinite(pair[1])]).any() or \
            (_wrong(check, *pair) & ~np.isnan(pair[0])).any():
        return None
    probabilities = [(name, a) for name, a in named_arrays(failure.call, arg_names)
                     if a.size and a.min() >= 0 and a.max() <= 1]
    for i, (target, t) in enumerate(probabilities):
        for prob, p in probabilities[i + 1:]:
            if t.shape == p.shape and ((t == 0) & (p == 0)).any():
                return target, prob
    return None


def _nonfinite_only(check: Check, failure: Failure, where: str) -> np.ndarray | None:
    """Where the result is nan/inf though the truth is finite, if there are such values and
    every other value is right; else None."""
    pair = _pair(failure, where)
    if pair is None:
        return None
    got, expected = pair
    bad = np.isfinite(expected) & ~np.isfinite(got)
    if not bad.any() or (_wrong(check, got, expected) & ~bad).any():
        return None
    return bad


def _hint_holds(check: Check, index: int, failure: Failure, where: str) -> bool:
    """The check's conditional nan/inf hint ``index`` applies and nan/inf are all that is wrong."""
    hints = check.nonfinite_hint
    return not isinstance(hints, str) and index < len(hints) and \
        hints[index].applies(failure.call) and _nonfinite_only(check, failure, where) is not None


def _nonfinite_element(check: Check, failure: Failure, where: str, arg_names: Sequence[str]
                       ) -> tuple[str, np.ndarray] | None:
    """An input of the result's shape that is large wherever the result is nan/inf."""
    bad = _nonfinite_only(check, failure, where)
    if bad is None or not bad.ndim:
        return None
    for name, array in named_arrays(failure.call, arg_names):
        if array.shape == bad.shape and np.all(np.abs(array[bad]) >= LARGE):
            return name, array
    return None


def _nonfinite_row(check: Check, failure: Failure, where: str, arg_names: Sequence[str]
                   ) -> tuple[str, np.ndarray] | None:
    """An input with a row per result row whose nan/inf rows all reach a large value."""
    bad = _nonfinite_only(check, failure, where)
    if bad is None or not bad.ndim:
        return None
    rows = bad.reshape(bad.shape[0], -1).any(axis=1)
    for name, array in named_arrays(failure.call, arg_names):
        if array.ndim and array.shape[0] == bad.shape[0]:
            reach = np.abs(array.reshape(array.shape[0], -1)).max(axis=1, initial=0)
            if np.all(reach[rows] >= LARGE):
                return name, array
    return None


def _nonfinite_low_row(failure: Failure, where: str, arg_names: Sequence[str]
                       ) -> tuple[str, np.ndarray, np.ndarray] | None:
    """A 2-D input with a row per result row whose nan/inf rows all lie far below its
    maximum (a shift by the global maximum underflows them): name, input, bad rows."""
    pair = _pair(failure, where)
    if pair is None or not pair[0].ndim:
        return None
    got, expected = pair
    bad = np.isfinite(expected) & ~np.isfinite(got)
    if not bad.any():
        return None
    rows = bad.reshape(bad.shape[0], -1).any(axis=1)
    for name, array in named_arrays(failure.call, arg_names):
        if array.ndim == 2 and array.shape[0] == bad.shape[0]:
            tops = array.max(axis=1)
            if np.all(tops[rows] < array.max() - UNDERFLOW_GAP):
                return name, array, rows
    return None


def _nonfinite_input(check: Check, failure: Failure, where: str, arg_names: Sequence[str]
                     ) -> tuple[str, float] | None:
    """The largest input, when it is large and the (scalar) result is only nan/inf."""
    if _nonfinite_only(check, failure, where) is None:
        return None
    arrays = list(named_arrays(failure.call, arg_names))
    if not arrays:
        return None
    name, array = max(arrays, key=lambda item: np.abs(item[1]).max(initial=0))
    largest = float(np.abs(array).max(initial=0))
    return (name, largest) if largest >= LARGE else None


# -- claims from a failure --------------------------------------------------------------------

def value_claims(check: Check, failures: Sequence[Failure], shown: Failure,
                 arg_names: Sequence[str], show_inputs: bool,
                 nonfinite_advice: Callable[[Call], str]) -> Iterator[Claim]:
    """The claims about the numbers at the shown failure's path, most specific first (each
    still to be checked on every failure)."""
    where = shown.verdict.where
    pair = _pair(shown, where)
    if pair is None:
        return
    got, expected = pair
    finite = np.isfinite(expected)
    if (~np.isfinite(got) & finite).any():
        yield from _nonfinite_claims(check, shown, where, arg_names, show_inputs, nonfinite_advice)
        return
    if not _wrong(check, got, expected).any():
        return
    yield _zero_claim(check, shown, where, arg_names)
    message = SIGN_FLIPPED_SQUARED if _derivative(check, where) else SIGN_FLIPPED
    yield Claim(f"sign:@{where}", _(message), lambda f: _sign_holds(check, f, where))
    positions = [str(i) for i in range(len(shown.call.args))] + list(shown.call.kwargs)
    for change, text in (("negated", NEGATED_ARGUMENT), ("zeroed", ZEROED_ARGUMENT)):
        for position in positions:
            yield Claim(f"{change}:{position}@{where}",
                        _(text).format(name=argument_name(position, arg_names)),
                        lambda f, position=position, change=change:
                        _changed_holds(check, f, where, position, change))
    arrays = [i for i, a in enumerate(shown.call.args) if as_floats(a) is not None and np.ndim(a)]
    for first, second in ((i, j) for i in arrays for j in arrays if i < j):
        yield Claim(f"swapped-arguments:{first},{second}@{where}",
                    _(SWAPPED_ARGUMENTS).format(first=argument_name(str(first), arg_names),
                                                second=argument_name(str(second), arg_names)),
                    lambda f, i=first, j=second: swapped_arguments_hold(check, f, where, i, j))
    asked = _asked_axis(check, shown.call)
    if asked is not None:
        defaults = all(len(f.call.args) < 2 and "axis" not in f.call.kwargs for f in failures)
        for axis in range(np.ndim(shown.call.args[0])):
            if axis != asked:
                yield Claim(f"axis:{axis}@{where}",
                            _(OTHER_AXIS_DEFAULT if defaults else OTHER_AXIS).format(
                                axis=axis, asked=asked),
                            lambda f, axis=axis: _axis_holds(check, f, where, axis))
    yield from _step_claims(check, failures, shown, where)
    yield from _factor_claims(check, failures, shown, where)
    yield from _region_claims(check, shown, where, arg_names)
    yield from _offset_claims(failures, shown, where)
    yield from _offset_law_claims(failures, shown, where)


def _region_claims(check: Check, shown: Failure, where: str, arg_names: Sequence[str]
                   ) -> Iterator[Claim]:
    for region in REGIONS:
        def message(region: str = region) -> str:
            got, expected = _pair(shown, where)
            name, x = next(iter(named_arrays(shown.call, arg_names)))
            index = tuple(np.argwhere(_wrong(check, got, expected))[0]) if got.ndim else ()
            return _(WRONG_WHERE).format(name=name, condition=f"{region[:-1]} 0",
                                         value=number(x[index]), got=number(got[index]),
                                         expected=number(expected[index]))
        yield Claim(f"where:{region}@{where}", message,
                    lambda f, region=region: _region_holds(check, f, where, arg_names, region))


def _zero_claim(check: Check, shown: Failure, where: str, arg_names: Sequence[str]) -> Claim:
    def message() -> str:
        got, expected = _pair(shown, where)
        index = tuple(np.argwhere(_wrong(check, got, expected))[0]) if got.ndim else ()
        name = next(iter(named_arrays(shown.call, arg_names)))[0]
        return _(WRONG_AT_ZERO).format(name=name, got=number(got[index]),
                                       expected=number(expected[index]))
    return Claim(f"zero:@{where}", message,
                      lambda f: _zero_holds(check, f, where, arg_names))


def _derivative(check: Check, where: str) -> bool:
    """Whether the result at ``where`` is a derivative of a squared residual (only there do
    hints about the constant 2 and the sign speak of the derivative of a square)."""
    return check.squared_residual and check.derivatives is not None and \
        where.startswith(check.derivatives)


def text_of(claim: Claim) -> str:
    """The claim's message (a lazy one is formatted now, when it is shown)."""
    return claim.message() if callable(claim.message) else claim.message


def _factor_claims(check: Check, failures: Sequence[Failure], shown: Failure, where: str
                   ) -> Iterator[Claim]:
    pairs = [_pair(f, where) for f in failures]
    if any(p is None for p in pairs):
        return
    ratios = [ratio(*p) for p in pairs]
    if any(r is None for r in ratios):
        return
    constant = all(abs(r - ratios[0]) <= 1e-3 * abs(ratios[0]) for r in ratios)
    if not constant:   # _law_holds on every failure, its pair and ratio known by now
        fitted = [law for law, *_rest in LAWS
                  if all(_fits(pair, law_value(f.call, law)) for f, pair in zip(failures, pairs))]
        if fitted:
            law = fitted[0]
            _name, k, count, power = next(item for item in LAWS if item[0] == law)
            value = law_value(shown.call, law) or 1.0
            if power == 1:
                message, shown_law, shown_value = TIMES_LAW, law, value
            else:
                divisor = {1.0: count, 0.5: f"2·{count}", 2.0: f"{count}/2"}[k]
                message, shown_law, shown_value = DIVIDED_BY_LAW, divisor, 1 / value
            yield Claim(f"factor:{law}@{where}",
                        _(message).format(law=shown_law, value=number(shown_value)),
                        lambda f: _law_holds(f, where, law))
        return
    factor = ratios[0]
    if min(abs(abs(factor) - 2) / 2, abs(abs(factor) - 0.5) / 0.5) <= 1e-3:
        exact = float((2.0 if abs(factor) > 1 else 0.5) * np.sign(factor))
        shown_factor = {2.0: "2", 0.5: "1/2", -2.0: "-2", -0.5: "-1/2"}[exact]
        squared = _derivative(check, where)
        message = FACTOR_TWO_SQUARED if squared else FACTOR_TWO
        if exact < 0:
            message = FACTOR_MINUS_TWO_SQUARED if squared else FACTOR_MINUS_TWO
        yield Claim(f"ratio:{exact!r}@{where}", _(message).format(factor=shown_factor),
                    lambda f: _ratio_holds(f, where, exact))
        return
    factor = float(number(factor))   # 6 digits: one identifier for one mistake
    yield Claim(f"ratio:{factor!r}@{where}", _(CONSTANT_RATIO).format(factor=number(factor)),
                lambda f: _ratio_holds(f, where, factor), cause=False)


def _offset_claims(failures: Sequence[Failure], shown: Failure, where: str) -> Iterator[Claim]:
    pairs = [_pair(f, where) for f in failures]
    if any(p is None for p in pairs):
        return
    shifts = [offset(*p) for p in pairs]
    if any(s is None for s in shifts) or \
            any(abs(s - shifts[0]) > 1e-4 * abs(shifts[0]) for s in shifts):
        return
    shift = float(number(shifts[0]))   # 6 digits: one identifier for one mistake
    yield Claim(f"offset:{shift!r}@{where}", _(CONSTANT_OFFSET).format(offset=number(shift)),
                lambda f: _offset_holds(f, where, shift), cause=False)


def _offset_law_claims(failures: Sequence[Failure], shown: Failure, where: str) -> Iterator[Claim]:
    """The difference is ``c · count`` on every failure, with ``count`` (N, D, N·D, …)
    differing between them: every one of ``count`` terms is off by the same ``c``."""
    pairs = [_pair(f, where) for f in failures]
    if len(pairs) < 2 or any(p is None for p in pairs):
        return
    shifts = [offset(*p) for p in pairs]
    if any(s is None for s in shifts):
        return
    fitted = []
    for count in _COUNTS:
        values = [count_value(f.call, count) for f in failures]
        if any(not v for v in values) or len(set(values)) < 2:
            continue
        per_term = [s / v for s, v in zip(shifts, values)]
        if all(abs(p - per_term[0]) <= 1e-4 * abs(per_term[0]) for p in per_term):
            fitted.append((count, float(number(per_term[0]))))
    if len(fitted) != 1:    # none, or a coincidence of sizes: no law is told
        return
    count, c = fitted[0]
    shown_value = number(c * (count_value(shown.call, count) or 1))
    yield Claim(f"offset-law:{count}:{c!r}@{where}",
                _(OFFSET_LAW).format(offset=number(c), count=count, value=shown_value),
                lambda f: _offset_law_holds(f, where, count, c))


def _offset_law_holds(failure: Failure, where: str, count: str, per_term: float) -> bool:
    value = count_value(failure.call, count)
    return bool(value) and _offset_holds(failure, where, per_term * value)


#: Laws in the step h: (name, k, power) for ``k · h^power``.
STEP_LAWS = (("h", 1.0, 1), ("2h", 2.0, 1), ("h/2", 0.5, 1),
             ("1/h", 1.0, -1), ("1/(2h)", 0.5, -1), ("2/h", 2.0, -1),
             ("h²", 1.0, 2), ("4h²", 4.0, 2), ("h²/4", 0.25, 2),
             ("1/h²", 1.0, -2), ("1/(4h²)", 0.25, -2), ("4/h²", 4.0, -2))


def _step(check: Check, call: Call) -> float | None:
    """The call's step ``h`` (a scalar argument of that name), None if it has none."""
    from grader.checks.common import arguments

    try:
        h = arguments(check.torch, call).get("h")
    except TypeError:
        return None
    return float(h) if isinstance(h, (int, float)) and not isinstance(h, bool) and h > 0 else None


def _step_holds(check: Check, failure: Failure, where: str, law: str) -> bool:
    h = _step(check, failure.call)
    k, power = next((k, p) for name, k, p in STEP_LAWS if name == law)
    return h is not None and _ratio_holds(failure, where, k * h ** power)


def _step_claims(check: Check, failures: Sequence[Failure], shown: Failure, where: str
                 ) -> Iterator[Claim]:
    h = _step(check, shown.call)
    if h is None:
        return
    for law, k, power in STEP_LAWS:
        if all(_step_holds(check, f, where, law) for f in failures):
            yield Claim(f"step:{law}@{where}", _(STEP_LAW).format(law=law, value=number(k * h ** power)),
                        lambda f, law=law: _step_holds(check, f, where, law))
            return


def _nonfinite_claims(check: Check, shown: Failure, where: str, arg_names: Sequence[str],
                      show_inputs: bool, advice: Callable[[Call], str]) -> Iterator[Claim]:
    got, expected = _pair(shown, where)
    bad_mask = np.isfinite(expected) & ~np.isfinite(got)
    first = tuple(int(i) for i in np.argwhere(bad_mask)[0]) if got.ndim else ()
    bad = str(got[first])
    names = _zero_log_zero(check, shown, where, arg_names)
    if names is not None:
        yield Claim(f"zero-log-zero:@{where}",
                    _(ZERO_LOG_ZERO).format(target=names[0], prob=names[1]),
                    lambda f: _zero_log_zero(check, f, where, arg_names) is not None)
    if not isinstance(check.nonfinite_hint, str):
        for index, conditional in enumerate(check.nonfinite_hint):
            if _hint_holds(check, index, shown, where):
                yield Claim(f"nonfinite-hint:{index}@{where}", _join(
                    _(NONFINITE_CONDITION).format(bad=bad), _(conditional.message)),
                    lambda f, index=index: _hint_holds(check, index, f, where))
    hint = advice(shown.call)
    if not show_inputs:   # hidden inputs: no claim that quotes them
        yield Claim(f"nonfinite:@{where}", _join(_(NONFINITE_CONDITION).format(bad=bad), hint),
                    lambda f: _nonfinite_only(check, f, where) is not None)
        return
    low = _nonfinite_low_row(shown, where, arg_names)
    if low is not None:
        name, array, rows = low
        row = int(np.flatnonzero(rows)[0])
        shown_values = {"value": number(array[row].max()), "top": number(array.max())}
        yield Claim(f"nonfinite-low-row:@{where}",
                    _(NONFINITE_LOW_ROW).format(bad=bad, row=row, name=name,
                                                gap=number(UNDERFLOW_GAP), **shown_values),
                    lambda f: _nonfinite_low_row(f, where, arg_names) is not None)
    element = _nonfinite_element(check, shown, where, arg_names)
    if element is not None:
        name, array = element
        value = number(array[first])
        yield Claim(f"nonfinite-element:@{where}", _join(
            _(NONFINITE_ELEMENT).format(bad=bad, name=name, index=list(first), value=value,
                                        large=number(LARGE)), hint),
            lambda f: _nonfinite_element(check, f, where, arg_names) is not None)
    row_source = _nonfinite_row(check, shown, where, arg_names)
    if row_source is not None:
        name, array = row_source
        value = number(np.abs(array[first[0]]).max())
        yield Claim(f"nonfinite-row:@{where}", _join(
            _(NONFINITE_ROW).format(bad=bad, name=name, row=first[0], value=value,
                                    large=number(LARGE)), hint),
            lambda f: _nonfinite_row(check, f, where, arg_names) is not None)
    source = _nonfinite_input(check, shown, where, arg_names)
    if source is not None:
        name, largest = source
        yield Claim(f"nonfinite-input:@{where}", _join(
            _(NONFINITE_INPUT).format(bad=bad, name=name, value=number(largest)), hint),
            lambda f: _nonfinite_input(check, f, where, arg_names) is not None)
    yield Claim(f"nonfinite:@{where}", _join(_(NONFINITE_CONDITION).format(bad=bad), hint),
                lambda f: _nonfinite_only(check, f, where) is not None)


def describe(check: Check, failures: Sequence[Failure], shown: Failure) -> str:
    """A neutral description of what is wrong with ``failures`` (cases of one form, ``shown``
    among them), naming at most two numbers: for single numbers, the range of the ratio
    over the cases; for arrays, how many values of the example shown differ and whether the
    error is a ratio or an offset there. A negative ("neither a constant ratio ...") is
    stated only where the claims it denies were checked on exactly these cases."""
    where = shown.verdict.where
    pair = _pair(shown, where)
    if pair is None:
        return ""
    got, expected = pair
    if got.ndim == 0:
        return _describe_numbers(failures, where)
    wrong = _wrong(check, got, expected)
    if not wrong.any():
        return ""
    bad = np.isfinite(expected) & ~np.isfinite(got)
    if bad.any() and (wrong & ~bad).any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        return _(NONFINITE_SEEN).format(bad=str(got[index]), count=int(bad.sum()), total=got.size)
    if ratio(got, expected) is not None:
        pattern = _(PATTERN_RATIO)
    elif offset(got, expected) is not None:
        pattern = _(PATTERN_OFFSET)
    else:
        pattern = _(PATTERN_NEITHER)
    return _(DIFFER_ELEMENTS).format(count=int(wrong.sum()), total=wrong.size, pattern=pattern)


def _describe_numbers(failures: Sequence[Failure], where: str) -> str:
    """Single numbers on several cases: the range of the ratio, and what it is not (checked:
    every case has a ratio and an offset, so the factor and offset claims were tried on
    exactly these cases). One case: nothing beyond "expected X, got Y"."""
    pairs = [_pair(f, where) for f in failures]
    if len(pairs) < 2 or any(p is None or p[0].ndim != 0 for p in pairs):
        return ""
    checked = all(ratio(*p) is not None and offset(*p) is not None for p in pairs)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = [float(g.reshape(-1)[0] / e.reshape(-1)[0]) for g, e in pairs if e.reshape(-1)[0]]
    if not checked or not ratios:
        return ""
    return _(SCALARS_SEEN).format(count=len(pairs), low=number(min(ratios)), high=number(max(ratios)))


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)
