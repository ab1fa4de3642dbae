"""Say what is wrong with a failing test: one specific, translated hint that is a checked claim.

``explain`` looks at every failing case of a test (``claims.Failure``): the check's declared
mistakes first (the most specific), then the form of the result (shapes, lengths, exceptions),
then claims about the numbers (0·log 0, where nan/inf come from, wrong only at 0, a flipped
sign, a factor law across cases, a constant offset). The first claim that holds on every
failure is shown, with its identifier; when none holds, a neutral description of what is
observed. ``diagnose`` is ``explain`` of a single failing case.
``diagnose_outcome`` explains a call that did not return a usable value (not implemented,
forbidden library, time or memory limit, crash, exception, input modified in place).
"""

from __future__ import annotations

import copy
import inspect
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.cases import Call
from grader.checks.spec import Check, Mistake
from grader.compare import memo
from grader.compare.claims import (_NOTHING, NONFINITE_HINT, SWAPPED_RESULTS, Claim, Failure,
                                   _mistake_holds, argument_name, as_floats, describe,
                                   only_items, swapped_results_hold, text_of, value_claims)
from grader.compare.groups import RAISED, compound, form_of, grouped, raised_text, scope
from grader.compare.raised import raised_claims
from grader.compare.verdict import Raises, Verdict, raised_names
from grader.i18n import N_, _
from grader.sandbox import CallOutcome, Refused

SHAPE_TRANSPOSED = N_("The result has shape {got} but should have {expected}: the same "
                      "dimensions in reverse order. Is a matrix transposed (x @ W, not W @ x)?")
SHAPE_REVERSED = N_("The result has shape {got} but should have {expected}: the same "
                    "dimensions in reverse order (its transpose is not the right result either).")
SHAPE_ONES = N_("The result has shape {got} but should have {expected}: they differ only in "
                "axes of length 1 (reshaped, it is not the right result either).")
SCALAR_EXPECTED_OTHER = N_("The result is an array of shape {got} where a single number is "
                           "expected (neither its sum nor its mean is the expected number).")
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
KEYS_WRONG = N_("The dict returned has the wrong keys: missing {missing}, unexpected {extra}. "
                "Return a dict with exactly the keys {keys}.")
LENGTH_OFF_BY_ONE = N_("The result has {got} entries but should have {expected}: one too many "
                       "or too few. Check where your loop starts and ends (off by one).")
RAISE_OTHER = N_("These arguments must raise {expected}, not {got}.")
NO_RAISE = N_("These arguments must raise {expected} (invalid arguments are an error); "
              "your function returned a value instead.")
REFUSED = N_("Your function returned a {type} ({why}): return a numpy array or a float.")

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


@dataclass(frozen=True)
class Explanation:
    """A hint, its identifier (``TestResult.diagnosis``; "" when nothing is known) and whether
    it names a cause (else it describes what is observed)."""

    message: str = ""
    id: str = ""
    cause: bool = False


def diagnose(check: Check, call: Call, got: Any, expected: Any, verdict: Verdict,
             arg_names: Sequence[str] = (), show_inputs: bool = True) -> str:
    """A translated hint for one failing case ("" if none applies)."""
    failure = Failure(call, got, expected, verdict)
    return explain(check, [failure], failure, arg_names, show_inputs).message


def explain(check: Check, failures: Sequence[Failure], shown: Failure,
            arg_names: Sequence[str] = (), show_inputs: bool = True) -> Explanation:
    """What went wrong on ``failures`` (``shown``, the example shown with the hint, among
    them), group by group (``grader.compare.groups``): for each form of failure, the first
    claim that holds on every case of that form, else a neutral description of it; with
    more than one group, each part says which cases it speaks of.

    ``arg_names`` name the inputs in hints; by default, the parameters of ``check.torch``.
    Without ``show_inputs`` (hidden tests), no hint quotes an input value.
    """
    arg_names = arg_names or argument_names(check)
    everything = list(failures) if any(f is shown for f in failures) else [*failures, shown]
    groups = grouped(everything, shown)
    if len(groups) == 1 and groups[0][0] == RAISED:
        return explain_raised(check, everything, shown)
    if len(groups) == 1:
        return _explain_group(check, everything, shown, arg_names, show_inputs)
    texts, parts, causes = [], [], []
    for form, members in groups:
        others = [f for f in everything if all(f is not m for m in members)]
        first = shown if form == form_of(shown) else members[0]
        if form == RAISED:
            told = explain_raised(check, members, first)
        else:
            told = _explain_group(check, members, first, arg_names, show_inputs)
        texts.append(_join_lines(scope(members, others), told.message))
        parts.append((form, told.id or "differ"))
        causes.append(told.cause)
    return Explanation("\n".join(texts), compound(parts), causes[0])


def explain_raised(check: Check, failures: Sequence[Failure], shown: Failure) -> Explanation:
    """What ``failures`` (cases that raised, ``shown`` among them) raised, with the variant
    that raises the same error on every one of them when there is one
    (``grader.compare.raised``)."""
    told = raised_text(shown)
    for claim in raised_claims(check, shown):
        if all(_holds(claim, f) for f in [*failures, shown]):
            return Explanation(f"{told} {text_of(claim)}", claim.id, True)
    return Explanation(told, f"outcome:raised:{raised_names(shown.got)[0]}", True)


def _explain_group(check: Check, failures: list[Failure], shown: Failure,
                   arg_names: Sequence[str], show_inputs: bool) -> Explanation:
    """The first claim that holds on every one of ``failures`` (cases of one form), else a
    neutral description of them."""
    observed = None
    for claim in _claims(check, failures, shown, arg_names, show_inputs):
        if all(_holds(claim, f) for f in failures):
            if claim.cause:
                return Explanation(text_of(claim), claim.id, True)
            observed = observed or claim
    described = text_of(observed) if observed is not None else describe(check, failures, shown)
    located = only_items(check, failures)
    if located is not None:   # where the error is, then what is observed there
        return Explanation(_join_lines(located[1], described), located[0], True)
    if observed is not None:
        return Explanation(described, observed.id, False)
    return Explanation(described, "differ" if described else "", False)


def _join_lines(scope_text: str, message: str) -> str:
    return f"{scope_text} {message}" if message else scope_text


def _holds(claim: Claim, failure: Failure) -> bool:
    """Whether the claim holds on the failure (a test that cannot run on it: it does not)."""
    try:
        return bool(claim.holds(failure))
    except Exception:  # a result of an unexpected form: the claim is not shown
        return False


def _claims(check: Check, failures: Sequence[Failure], shown: Failure,
            arg_names: Sequence[str], show_inputs: bool) -> Iterator[Claim]:
    """Candidate claims, most specific first."""
    fields = _size_fields(shown.call)
    for index, mistake in enumerate(check.mistakes):
        if mistake_result(mistake, shown.call) is not _NOTHING:
            yield Claim(f"mistake:{check.function}:{index}",
                        lambda mistake=mistake: _(mistake.message).format(**fields),
                        lambda f, index=index: _mistake_holds(check, index, f))
    if check.rule is not None:
        yield Claim(f"rule:{check.function}", lambda: check.rule(shown.call), lambda f: True)
    if isinstance(shown.expected, tuple):
        for first, second in itertools.combinations(range(len(shown.expected)), 2):
            yield Claim(f"swapped-results:{first},{second}@",
                        _(SWAPPED_RESULTS).format(first=first + 1, second=second + 1),
                        lambda f, i=first, j=second: swapped_results_hold(check, f, i, j))
    kind, message = structure(shown.verdict)
    if kind:
        yield Claim(kind, message, lambda f: structure(f.verdict)[0] == kind)
        return
    yield from value_claims(check, failures, shown, arg_names, show_inputs, _nonfinite_advice(check))


def outcome_kind(outcome: CallOutcome, policy_exempt: bool = False) -> str:
    """The identifier of a call that went wrong before comparison ("" if none): the
    ``TestResult.diagnosis`` of what ``diagnose_outcome`` explains."""
    if outcome.fault in ("timeout", "crash", "exit") or outcome.fault == "memory":
        return f"outcome:{outcome.fault}"
    if outcome.error_type == "MemoryError":
        return "outcome:memory"
    if outcome.fault:
        return "outcome:unreadable"
    if outcome.forbidden and not policy_exempt:
        return "outcome:forbidden"
    if outcome.error_type == "NotImplementedError":
        return "outcome:not-implemented"
    if outcome.error_type:
        return f"outcome:raised:{outcome.error_type}"
    if outcome.mutated:
        return "outcome:mutated"
    if isinstance(outcome.value, Refused):
        return "outcome:refused"
    return ""


def mistake_result(mistake: Mistake, call: Call) -> Any:
    """What code with ``mistake`` returns on ``call`` (``claims._NOTHING`` where the mistake
    does not apply or its variant cannot run on the call); computed once per case."""
    def variant() -> Any:
        try:
            if not mistake.applies(call):
                return _NOTHING
            return mistake.variant(copy.deepcopy(call))
        except Exception:  # a variant that cannot run on this case does not apply
            return _NOTHING
    return memo.of_case(call, ("variant", id(mistake)), variant)


def _nonfinite_advice(check: Check) -> Callable[[Call], str]:
    """The check's unconditional hint for nan/inf (the generic one if it has none)."""
    hint = check.nonfinite_hint if isinstance(check.nonfinite_hint, str) else ""
    return lambda call: _(hint or NONFINITE_HINT)


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
        names = ", ".join(argument_name(m, arg_names) for m in outcome.mutated)
        return _(MUTATED).format(names=names)
    if isinstance(outcome.value, Refused):
        return _refused(outcome.value)
    return ""


def structure(verdict: Verdict) -> tuple[str, str]:
    """The identifier and hint of a result of the wrong form (type, shape, length,
    exception), ``("", "")`` if the form is right or nothing is known."""
    got, expected = verdict.got, verdict.expected
    at = f"@{verdict.where}"
    if isinstance(got, Refused):
        return "outcome:refused" + at, _refused(got)
    if verdict.kind == "no-raise":
        return "no-raise" + at, _(NO_RAISE).format(expected=expected.exception)
    if verdict.kind == "raises" and isinstance(expected, Raises):
        return f"raises:{raised_names(got)[0]}" + at, _(RAISE_OTHER).format(
            expected=expected.exception, got=raised_names(got)[0])
    if verdict.kind == "length" and abs(len(got) - len(expected)) == 1:
        return f"length:{len(got) - len(expected):+d}" + at, _(LENGTH_OFF_BY_ONE).format(
            got=len(got), expected=len(expected))
    if verdict.kind == "keys" and isinstance(expected, dict) and isinstance(got, dict):
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        return "keys:" + at, _(KEYS_WRONG).format(keys=", ".join(map(str, expected)),
                                                 missing=", ".join(map(str, missing)) or "-",
                                                 extra=", ".join(map(str, extra)) or "-")
    if verdict.kind in ("type", "shape"):
        kind, message = _shape(got, expected)
        return (f"shape:{kind}" + at, message) if message else ("", "")
    return "", ""


def _shape(got: Any, expected: Any) -> tuple[str, str]:
    """The kind and hint of a result of the wrong shape or kind."""
    if isinstance(expected, tuple):
        return "tuple", _(TUPLE_EXPECTED).format(count=len(expected))
    if isinstance(expected, dict):
        return "dict", _(DICT_EXPECTED).format(keys=", ".join(map(str, expected)))
    got_shape, want = _shape_of(got), _shape_of(expected)
    if got_shape is None or want is None or got_shape == want:
        return "", ""
    fields = {"got": got_shape, "expected": want}
    if not want:
        if _same_values(np.sum(as_floats(got)), expected) or _same_values(np.mean(as_floats(got)), expected):
            return "scalar-expected", _(SCALAR_EXPECTED).format(**fields)
        return "scalar-expected-other", _(SCALAR_EXPECTED_OTHER).format(**fields)
    if not got_shape:
        if len(want) == 1:
            return "lost-axis", _(SHAPE_LOST_AXIS).format(**fields)
        return "array-expected", _(ARRAY_EXPECTED).format(**fields)
    if len(got_shape) > 1 and got_shape == want[::-1]:
        if _same_values(as_floats(got).T, expected):
            return "transposed", _(SHAPE_TRANSPOSED).format(**fields)
        return "reversed", _(SHAPE_REVERSED).format(**fields)
    if _without_ones(got_shape) == _without_ones(want):
        if _same_values(as_floats(got).reshape(want), expected):
            return "keepdims", _(SHAPE_KEEPDIMS).format(**fields)
        return "ones", _(SHAPE_ONES).format(**fields)
    if got_shape in _without_one_axis(want):
        return "lost-axis", _(SHAPE_LOST_AXIS).format(**fields)
    if want in _without_one_axis(got_shape):
        return "extra-axis", _(SHAPE_EXTRA_AXIS).format(**fields)
    return "other", _(SHAPE_OTHER).format(**fields)


def _same_values(got: Any, expected: Any) -> bool:
    """Whether ``got`` (rearranged as a hint's advice says) has the expected values: the
    advice is shown only where following it gives the right result."""
    want = as_floats(expected)
    have = as_floats(got)
    if want is None or have is None or have.shape != want.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.isclose(have, want, rtol=1e-4, atol=1e-6)))


def argument_names(check: Check) -> tuple[str, ...]:
    """The positional parameter names of the check's reference: the contract's signature."""
    try:
        parameters = inspect.signature(check.torch).parameters.values()
    except (TypeError, ValueError):
        return ()
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in parameters if p.kind in positional)


def required_count(check: Check) -> int | None:
    """How many leading parameters of the contract's signature have no default."""
    try:
        parameters = inspect.signature(check.torch).parameters.values()
    except (TypeError, ValueError):
        return None
    return sum(1 for p in parameters if p.default is inspect.Parameter.empty
               and p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD))


def _shape_of(value: Any) -> tuple[int, ...] | None:
    """The shape of a numeric value (``()`` for a scalar), None for anything else."""
    array = as_floats(value)
    return None if array is None else array.shape


def _without_one_axis(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """``shape`` with each one of its axes removed."""
    return [shape[:i] + shape[i + 1:] for i in range(len(shape))]


def _without_ones(shape: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` without its axes of length 1: (N, 1) and (N,) agree."""
    return tuple(d for d in shape if d != 1)


def _refused(value: Refused) -> str:
    return _(REFUSED).format(type=value.type_name, why=value.why)


def _size_fields(call: Call) -> dict[str, int]:
    """``{N}``, ``{D}``, ``{H}``, ``{C}``, ``{O}`` (alias ``{D_out}``) for mistake messages."""
    if call.sizes is None:
        return {}
    return {**call.sizes.as_dict(), "D_out": call.sizes.O}
