"""Shrinking finds a smaller failing input; examples are rendered compactly."""

from __future__ import annotations

import numpy as np
import pytest

from grader.cases import Call, Draw, Sizes
from grader.checks import CHECK, CHECKS, spec
from grader.checks.spec import FLOAT32
from grader.compare.expect import expect
from grader.compare.shrink import render, render_example, shrink_candidates
from grader.compare.verdict import Raises, compare
from grader.i18n import set_language
from grader.sandbox import CallOutcome, Refused

MSE = spec.Test(label="random inputs", points=1,
           make=lambda d: d.call(d.normal(d.N, d.D), d.normal(d.N, d.D)))


def mse(y, y_hat):
    return float(np.sum((y - y_hat) ** 2) / y.shape[0])


def mse_over_all_elements(y, y_hat):
    return float(np.mean((y - y_hat) ** 2))


def fails(call: Call) -> bool:
    return not compare(mse_over_all_elements(*call.args), mse(*call.args), FLOAT32).ok


def elements(call: Call) -> int:
    return sum(np.size(a) for a in call.args)


def test_a_smaller_failing_input_is_found():
    original = next(c for c in MSE.draw(7, "losses.mse") if fails(c))
    candidates = shrink_candidates(MSE, 7, "losses.mse")
    smallest = next(c for c in candidates if fails(c))
    assert elements(smallest) < elements(original)
    assert not fails(candidates[0])   # D = 1: dividing by N·D is dividing by N, no failure
    assert smallest.sizes.D > 1


def test_smallest_first_and_simple_values_before_ordinary_ones():
    candidates = shrink_candidates(MSE, 3, "losses.mse")
    sizes = [elements(c) for c in candidates]
    assert sizes == sorted(sizes) and len(candidates) == 14
    first = candidates[0].args[0]
    assert np.array_equal(first, np.round(first))        # simple mode: small integers
    assert not np.array_equal(candidates[1].args[0], np.round(candidates[1].args[0]))


def test_deterministic_given_the_seed():
    def values(seed):
        return [np.concatenate([a.ravel() for a in c.args])
                for c in shrink_candidates(MSE, seed, "losses.mse")]

    again = values(11)
    assert all(np.array_equal(a, b) for a, b in zip(values(11), again))
    assert not all(np.array_equal(a, b) for a, b in zip(values(12), again))


def test_no_candidates_where_the_sizes_are_the_test():
    fixed = spec.Test(label="fixed sizes", points=1, make=MSE.make, shrink=False)
    assert shrink_candidates(fixed, 1, "losses.mse") == []


def test_sizes_a_test_cannot_draw_are_skipped():
    def needs_two_rows(d: Draw) -> Call:
        if d.N < 2:
            raise ValueError("needs N >= 2")
        return d.call(d.normal(d.N, d.D))

    candidates = shrink_candidates(spec.Test("rows", 1, needs_two_rows), 1, "losses.mse")
    assert candidates and all(c.sizes.N >= 2 for c in candidates)


# Rendering ----------------------------------------------------------------------------------

def test_inputs_by_argument_name_including_keywords():
    y = np.array([[1.0, 2.123456], [0.0, -1e-9]])
    example = render_example(Call((y, y), {"reduction": "sum"}, Sizes(2, 2, 1, 2, 1)),
                             1.0, 2.5, ("input", "target"))
    assert list(example.inputs) == ["input", "target", "reduction"]
    assert example.inputs["input"] == "[[ 1.    ,  2.1235],\n [ 0.    , -0.    ]]  # shape (2, 2)"
    assert example.inputs["reduction"] == "'sum'  # passed by keyword"
    assert (example.expected, example.got) == ("1", "2.5")


def test_the_example_shows_dtype_shape_and_how_each_argument_was_passed():
    x = np.array([[1.0]], dtype=np.float32)
    example = render_example(Call(("f", x, 0.01), {}, Sizes(1, 1, 1, 2, 1)), 1.0, 2.5,
                             ("f", "x", "h"), required=2)
    assert example.inputs["x"] == "[[1.]]  # shape (1, 1), float32"
    assert example.inputs["h"] == "0.01  # optional, passed as argument 3"
    assert example.inputs["f"] == "'f'"


def test_large_arrays_are_summarised():
    shown = render(np.arange(200.0).reshape(20, 10))
    assert "..." in shown and all(len(line) <= 70 for line in shown.splitlines())


def test_values_that_look_alike_get_more_digits():
    example = render_example(Call((), {}), 1.00000001, 1.00001, ())
    assert example.expected != example.got


@pytest.mark.parametrize("value, shown", [
    ((0.5, np.float64(-2.0)), "(0.5, -2)"),
    ([1.0, 2.0, 3.0], "[1., 2., 3.]"),
    ([0.5] * 100, "[0.5, 0.5, 0.5, ..., 0.5, 0.5, 0.5]"),
    (np.array([-0.0, 1.0]), "[0., 1.]"),
    (-0.0, "0"),
    ({"W1": np.ones((1, 2)), "b1": np.zeros(2)}, "{'W1': [[1., 1.]], 'b1': [0., 0.]}"),
    (np.int64(3), "3"),
    (np.array(2.0), "2"),
    ("mean", "'mean'"),
    (None, "None"),
])
def test_render(value, shown):
    assert render(value) == shown


def test_long_tuples_one_item_per_line():
    shown = render((np.ones((3, 4)), np.zeros(4)))
    assert shown.startswith("[0] [[1., 1., 1., 1.],\n     [1.")
    assert shown.endswith("\n[1] [0., 0., 0., 0.]")


@pytest.mark.parametrize("lang, raises, refused", [
    ("en", "raises ValueError", "a MyFloat (not accepted: a float subclass)"),
    ("ko", "ValueError 예외 발생", "MyFloat 값 (받을 수 없음: a float subclass)"),
])
def test_raises_and_refused_in_both_languages(lang, raises, refused):
    set_language(lang)
    try:
        assert render(Raises("ValueError")) == raises
        assert render(ValueError("bad reduction")) == raises
        assert render(CallOutcome(error_type="ValueError", error_types=("ValueError",))) == raises
        assert render(Refused("MyFloat", "a float subclass")) == refused
    finally:
        set_language(None)


# With the real checks -----------------------------------------------------------------------

def test_real_check_shrinks_to_a_smaller_failing_case():
    check = CHECK["losses.mse"]
    test = check.tests[0]

    def fails_mse(call: Call) -> bool:
        got = float(np.mean((call.args[0] - call.args[1]) ** 2))   # divides by N·D
        return not compare(got, expect(check, call).value, check.tolerance).ok

    original = next(c for c in test.draw(5, check.function)
                    if fails_mse(c))
    smallest = next(c for c in shrink_candidates(test, 5, check.function) if fails_mse(c))
    assert elements(smallest) < elements(original)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_every_test_of_every_check_has_candidates(check):
    for test in check.tests:
        candidates = shrink_candidates(test, 2, check.function)
        assert bool(candidates) == test.shrink
        again = shrink_candidates(test, 2, check.function)
        assert [render(c.args) for c in candidates] == [render(c.args) for c in again]
