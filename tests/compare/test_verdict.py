"""compare(): structure and exact shape first, then finiteness, then the tolerance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader.checks.spec import FLOAT32, Tolerance
from grader.compare.verdict import Raises, compare
from grader.sandbox import CallOutcome, Refused

A = np.arange(6.0).reshape(3, 2)


def kind(got, expected, tolerance=FLOAT32) -> str:
    verdict = compare(got, expected, tolerance)
    assert verdict.ok == (verdict.kind == ""), verdict
    return verdict.kind


def test_exact_shape_no_broadcasting():
    column = np.arange(3.0)
    assert kind(column, column) == ""
    assert kind(column[:, None], column) == "shape"
    assert kind(column, column[:, None]) == "shape"
    verdict = compare(A.T, A, FLOAT32)
    assert verdict.message == "expected shape (3, 2), got (2, 3)"


@pytest.mark.parametrize("got", [2.5, np.float64(2.5), np.float32(2.5), np.array(2.5), np.array(2.5, np.float32)])
def test_scalar_forms_accepted(got):
    assert kind(got, 2.5) == ""


@pytest.mark.parametrize("got", [np.array([2.5]), "2.5", None, True, [2.5]])
def test_scalar_forms_refused(got):
    assert kind(got, 2.5) in ("shape", "type")


def test_integers_are_numbers():
    assert kind(3, 3.0) == ""
    assert kind(np.array([1, 0]), np.array([1.0, 0.0])) == ""
    assert kind(np.array([True, False]), np.array([1.0, 0.0])) == ""


def test_array_must_be_an_array():
    assert kind([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], A) == "type"
    assert kind(A.astype(object), A) == "type"


def test_tuple_as_list_accepted_elementwise():
    expected = (1.0, A)
    assert kind((1.0, A), expected) == ""
    assert kind([np.float32(1.0), A.astype(np.float32)], expected) == ""
    assert kind((1.0,), expected) == "length"
    assert kind(A, expected) == "type"
    verdict = compare((1.0, A.T), expected, FLOAT32)
    assert (verdict.kind, verdict.where) == ("shape", "[1]")
    assert verdict.message == "in result[1]: expected shape (3, 2), got (2, 3)"


def test_sequence_as_list_tuple_or_1d_array():
    expected = [3.0, 2.0, 1.0]
    for got in ([3.0, 2.0, 1.0], (3, 2, 1), np.array([3.0, 2.0, 1.0]), [np.float64(3.0), np.array(2.0), 1.0]):
        assert kind(got, expected) == "", got
    assert kind([3.0, 2.0], expected) == "length"
    assert kind(np.array([[3.0, 2.0, 1.0]]), expected) == "shape"
    assert kind([3.0, "2", 1.0], expected) == "type"
    assert kind([3.0, 2.5, 1.0], expected) == "value"


def test_dict_keys_and_values():
    expected = {"W1": A, "b1": np.zeros(2)}
    assert kind({"b1": np.zeros(2), "W1": A}, expected) == ""
    assert kind({"W1": A}, expected) == "keys"
    assert kind({"W1": A, "b1": np.zeros(2), "db": 0.0}, expected) == "keys"
    verdict = compare((0.5, {"W1": A, "b1": np.ones(2)}), (0.5, expected), FLOAT32)
    assert (verdict.kind, verdict.where) == ("value", "[1]['b1']")


def test_strings():
    assert kind("mean", "mean") == ""
    assert kind("sum", "mean") == "string"
    assert kind(None, "mean") == "type"


def test_nonfinite_before_tolerance():
    expected = np.array([0.0, 1.0, 2.0])
    verdict = compare(np.array([0.0, np.nan, 2.0]), expected, FLOAT32)
    assert verdict.kind == "nonfinite" and np.isnan(verdict.got) and verdict.expected == 1.0
    assert "(1,)" in verdict.message
    assert kind(np.array([0.0, np.inf, 2.0]), expected) == "nonfinite"
    assert kind(float("nan"), 1.0) == "nonfinite"


def test_nonfinite_reference_must_be_matched():
    expected = np.array([np.inf, -np.inf, np.nan])
    assert kind(expected.copy(), expected) == ""
    assert kind(np.array([np.inf, np.inf, np.nan]), expected) == "value"
    assert kind(np.array([np.inf, -np.inf, 1e300]), expected) == "value"


def test_tolerance_is_relative_and_absolute():
    tolerance = Tolerance(rtol=1e-4, atol=1e-6)
    assert kind(1000.05, 1000.0, tolerance) == ""
    assert kind(1000.2, 1000.0, tolerance) == "value"
    assert kind(5e-7, 0.0, tolerance) == ""
    assert kind(5e-6, 0.0, tolerance) == "value"
    verdict = compare(np.array([1.0, 2.0, 3.5]), np.array([1.0, 2.0, 3.0]), tolerance)
    assert "1 of 3 values differ" in verdict.message and "(2,)" in verdict.message


def test_float32_arithmetic_accepted():
    x = np.random.default_rng(0).normal(size=(5, 4))
    expected = np.tanh(x) @ x.T
    got = np.tanh(x.astype(np.float32)) @ x.T.astype(np.float32)
    assert kind(got, expected) == ""


def test_refused_is_a_failure():
    refused = Refused("MyFloat", "a float subclass")
    assert kind(refused, 1.0) == "refused"
    assert kind((1.0, refused), (1.0, 2.0)) == "refused"
    assert "MyFloat" in compare(refused, 1.0, FLOAT32).message


def test_raises():
    expected = Raises("ValueError")
    assert kind(ValueError("bad"), expected) == ""
    assert kind(UnicodeError("bad"), expected) == ""            # a subclass
    assert kind(Raises("ValueError"), expected) == ""
    outcome = CallOutcome(error_type="UnicodeError", error_types=("UnicodeError", "ValueError", "Exception"))
    assert kind(outcome, expected) == ""
    assert kind(KeyError("mean"), expected) == "raises"
    assert kind(2.5, expected) == "no-raise"
    assert kind(CallOutcome(value=2.5), expected) == "no-raise"
    assert kind(ValueError("bad"), 2.5) == "raises"


def _element_ok(got: float, expected: float, tolerance: Tolerance) -> bool:
    """The rule compare() follows, one element at a time, in plain Python floats."""
    if math.isfinite(expected):
        return math.isfinite(got) and abs(got - expected) <= \
            tolerance.atol + tolerance.rtol * abs(expected)
    return got == expected or (math.isnan(got) and math.isnan(expected))


ELEMENTS = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from([0.0, 1.0, 1.00001, 1e308, -1e308, math.inf, -math.inf,
                                      math.nan]))


@given(st.lists(st.tuples(ELEMENTS, ELEMENTS), min_size=0, max_size=6))
@example([(1.0, math.inf)])            # a finite value where infinity is expected
@example([(1e308, -1e308)])            # a difference that overflows
@example([(math.nan, math.nan), (1.0, 1.00001)])
def test_every_value_is_judged_by_the_one_rule(pairs):
    got = np.array([g for g, _e in pairs], dtype=np.float64)
    expected = np.array([e for _g, e in pairs], dtype=np.float64)
    rule = all(_element_ok(g, e, FLOAT32) for g, e in pairs)
    assert compare(got, expected, FLOAT32).ok == rule
