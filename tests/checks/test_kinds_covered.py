"""Coverage never depends on the seed: every kind a test declares is in its cases on every seed.

For seeds 0-199, every test of every check: each declared kind of each axis is assigned to at
least one drawn case, and every case assigned a kind really is of that kind (its ``holds``).
"""

from __future__ import annotations

import pytest

from grader.checks import CHECK, CHECKS

SEEDS = range(200)


def missing_kinds(function: str, seed: int) -> list[str]:
    """``"label: axis=kind"`` for every declared kind absent from the drawn cases."""
    check = CHECK[function]
    missing = []
    for test in check.tests:
        calls = test.draw(seed, function)
        for axis in test.kinds:
            for kind in axis.kinds:
                mine = [c for c in calls if c.kinds.get(axis.name) == kind.name]
                if not mine or not all(kind.holds(c) for c in mine):
                    missing.append(f"{test.label}: {axis.name}={kind.name}")
    return missing


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_every_declared_kind_is_drawn_on_every_seed(check):
    for seed in SEEDS:
        assert not missing_kinds(check.function, seed), (seed, missing_kinds(check.function, seed))


def test_a_kind_the_cases_do_not_deliver_is_reported():
    """The check above can fail: a kind whose cases are not of it is missing."""
    import dataclasses

    from grader.cases import Axis, Kind
    from grader.checks import spec

    test = CHECK["activations.relu"].tests[0]
    wrong = Axis("shape", tuple(Kind(k.name, k.value, lambda call: False) for k in test.kinds[0].kinds))
    broken = dataclasses.replace(CHECK["activations.relu"], tests=(dataclasses.replace(test, kinds=(wrong,)),))
    original = CHECK["activations.relu"]
    CHECK["activations.relu"] = broken
    try:
        assert missing_kinds("activations.relu", 0) == [
            f"{test.label}: shape={k.name}" for k in test.kinds[0].kinds]
    finally:
        CHECK["activations.relu"] = original
    assert isinstance(broken, spec.Check)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_every_kind_names_its_axis_once(check):
    for test in check.tests:
        axes = [axis.name for axis in test.kinds]
        assert len(set(axes)) == len(axes), test.label
        for axis in test.kinds:
            names = [kind.name for kind in axis.kinds]
            assert names and len(set(names)) == len(names), (test.label, axis.name)
