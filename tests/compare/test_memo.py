"""Values derived from a case alone, computed once per case (grader/compare/memo.py)."""

from __future__ import annotations

import numpy as np

from grader.cases import Call
from grader.compare import memo


def test_a_value_is_computed_once_per_case_and_what():
    computed = []

    def compute(value):
        def run():
            computed.append(value)
            return value
        return run

    first, second = Call((np.ones(2),)), Call((np.ones(2),))
    assert memo.of_case(first, "a", compute(1)) == 1
    assert memo.of_case(first, "a", compute(2)) == 1          # kept
    assert memo.of_case(first, "b", compute(3)) == 3          # another value of the case
    assert memo.of_case(second, "a", compute(4)) == 4         # an equal but other case
    assert computed == [1, 3, 4]


def test_an_entry_keeps_its_call_so_a_new_call_never_gets_its_value():
    for index in range(50):   # calls made and dropped: none may inherit an earlier id's value
        assert memo.of_case(Call((index,)), "ids", lambda index=index: index) == index


def test_past_the_limit_everything_is_dropped(monkeypatch):
    monkeypatch.setattr(memo, "KEPT", 3)
    monkeypatch.setattr(memo, "_VALUES", {})
    calls = [Call((i,)) for i in range(4)]
    for index, call in enumerate(calls):
        memo.of_case(call, "x", lambda index=index: index)
    assert len(memo._VALUES) == 1
    assert memo.of_case(calls[0], "x", lambda: "again") == "again"
