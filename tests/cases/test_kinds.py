"""Kinds are assigned to cases deterministically: every kind of every axis, on every seed."""

from __future__ import annotations

import numpy as np

from grader.cases import Axis, Call, Kind, draw_cases
from grader.cases.kinds import assignments, dtypes, edge, keyword, shapes


def axis(name: str, *kinds: str) -> Axis:
    return Axis(name, tuple(Kind(k, k, lambda call: True) for k in kinds))


def names(assigned: list[dict[str, Kind]]) -> list[dict[str, str]]:
    return [{a: k.name for a, k in case.items()} for case in assigned]


def test_no_axes_keep_the_count():
    assert assignments((), 3) == [{}, {}, {}]


def test_each_kind_of_each_axis_at_least_once_even_beyond_the_count():
    got = names(assignments((axis("shape", "1", "2", "3"), axis("dtype", "a", "b")), 2))
    assert got == [{"shape": "1", "dtype": "a"}, {"shape": "2", "dtype": "b"},
                   {"shape": "3", "dtype": "a"}]


def test_every_combination_enumerates_the_product():
    got = names(assignments((axis("shape", "1", "2"), axis("axis", "0", "-1")), 3, every_combination=True))
    assert sorted(tuple(c.values()) for c in got) == [("1", "-1"), ("1", "0"), ("2", "-1"), ("2", "0")]


def test_cases_carry_their_kinds_and_the_seed_changes_values_only():
    shape = shapes("1-D", "2-D")

    def make(d):
        return d.call(d.normal(*(d.N, d.D)[:d.kind("shape")]))

    for seed in range(20):
        calls = draw_cases(seed, "f", make, "label", 1, (shape,))
        assert [c.kinds for c in calls] == [{"shape": "1-D"}, {"shape": "2-D"}]
        assert [np.ndim(c.args[0]) for c in calls] == [1, 2]
    assert not np.array_equal(draw_cases(0, "f", make, "l", 1, (shape,))[0].args[0],
                              draw_cases(1, "f", make, "l", 1, (shape,))[0].args[0])


def test_shared_kinds_recognise_their_calls():
    one_d, two_d = shapes("1-D", "2-D").kinds
    assert one_d.holds(Call((np.zeros(3),))) and not one_d.holds(Call((np.zeros((3, 2)),)))
    assert two_d.holds(Call((np.zeros((3, 2)),)))
    f64, f32 = dtypes("float64", "float32", position=1).kinds
    assert f32.holds(Call((None, np.zeros(2, np.float32)))) and not f64.holds(Call((None, np.zeros(2, np.float32))))
    (given,) = keyword("reduction", "reduction", ("sum",)).kinds
    assert not given.holds(Call(())) and given.holds(Call((), {"reduction": "sum"})) and not given.holds(Call((), {"reduction": "mean"}))
    (zero,) = edge("zero", lambda call: call.args[0] == 0).kinds
    assert zero.holds(Call((0,))) and not zero.holds(Call((1,)))
