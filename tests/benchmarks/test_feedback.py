"""The feedback benchmark's claim checking, on a handful of mutants graded for real."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks import feedback as fb
from benchmarks import mutants as mb
from grader.grading import Plan

#: Mutants of activations with a known kind of hint (description -> what it must claim).
PICKED = {
    ("activations.relu_grad", "> -> >="): "mistake:activations.relu_grad:0",
    ("activations.tanh", "np.tanh(x) -> -(np.tanh(x))"): "sign:@",
    ("activations.log_softmax",
     "z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True)) -> z"): "mistake:activations.log_softmax:1",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    found = [m for m in mb.generate(["activations"]) if (m.function, m.description) in PICKED]
    assert len(found) == len(PICKED)
    reports = mb.grade(found, seed=1)
    folder = tmp_path_factory.mktemp("feedback")
    modules = {m.id: fb.load(m, folder / f"t{i}") for i, m in enumerate(found)}
    return found, reports, modules, Plan(1, use_solutions=True)


def test_true_claims_hold_on_every_failing_case(graded):
    found, reports, modules, plan = graded
    for mutant in found:
        findings = fb.audit(mutant, reports[mutant.id], 1, modules[mutant.id], plan)
        assert PICKED[mutant.function, mutant.description] in {f.diagnosis for f in findings}
        assert all(f.holds for f in findings if f.diagnosis.startswith(("mistake:", "sign:"))), findings
        assert fb.classify(findings) == fb.CAUSE


@pytest.mark.parametrize("false_claim", ["ratio:2.0@", "factor:N@", "zero:@", "where:<0@",
                                         "mistake:activations.tanh:0", "nonfinite:@"])
def test_a_false_claim_is_found_misleading(graded, false_claim):
    found, reports, modules, plan = graded
    mutant = next(m for m in found if m.function == "activations.tanh")
    report = reports[mutant.id]
    lied = dataclasses.replace(report, tests=[
        dataclasses.replace(t, diagnosis=false_claim) if t.diagnosis == "sign:@" else t
        for t in report.tests])
    findings = fb.audit(mutant, lied, 1, modules[mutant.id], plan)
    assert any(f.holds is False for f in findings), findings
    assert fb.classify(findings) == fb.MISLEADING


def test_neutral_descriptions_and_outcomes_are_not_checked_as_claims():
    assert fb.classify([fb.Finding("t", "differ", False, None)]) == fb.NEUTRAL
    assert fb.classify([fb.Finding("t", "outcome:raised:ValueError", True, None),
                        fb.Finding("u", "differ", False, None)]) == fb.CAUSE
