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


def fake_run(counts, misleading=()):
    def run(seed, mutants, jobs, verbose=False):
        return {"activations": dict(counts)}, list(misleading), 0.1
    return run


@pytest.mark.parametrize("counts, code", [
    ({fb.MISLEADING: 0, fb.CAUSE: 8, fb.NEUTRAL: 2}, 0),
    ({fb.MISLEADING: 0, fb.CAUSE: 7, fb.NEUTRAL: 3}, 1),     # 70% named: under the target
])
def test_the_run_prints_the_named_share_and_fails_under_80_percent(monkeypatch, capsys, counts, code):
    monkeypatch.setattr(fb, "run", fake_run(counts))
    monkeypatch.setattr(fb.mb, "generate", lambda modules=None: [])
    assert fb.main(["--seeds", "1", "2"]) == code
    out = capsys.readouterr().out
    share = 100 * counts[fb.CAUSE] / sum(counts.values())
    assert f"named a cause: {share:.1f}% of {2 * sum(counts.values())} killed mutants" in out


def test_a_misleading_hint_fails_the_run_whatever_the_share(monkeypatch, capsys):
    mutant = mb.Mutant("m", "activations", "activations.relu", "arith", 1, "d", "")
    finding = fb.Finding("t", "sign:@", True, False, "expected 1, got 2")
    monkeypatch.setattr(fb, "run", fake_run({fb.MISLEADING: 1, fb.CAUSE: 99, fb.NEUTRAL: 0},
                                            [(mutant, [finding])]))
    monkeypatch.setattr(fb.mb, "generate", lambda modules=None: [])
    assert fb.main(["--seeds", "1"]) == 1
    assert "MISLEADING m" in capsys.readouterr().out


def test_a_compound_hint_is_checked_group_by_group(graded):
    """A hint about several forms of failure is false when its claim about one form is."""
    found, reports, modules, plan = graded
    mutant = next(m for m in found if m.function == "activations.tanh")
    report = reports[mutant.id]
    for claim, holds in (("values~sign:@;raised~outcome:raised:ValueError", True),
                         ("values~ratio:2.0@;raised~outcome:raised:ValueError", False),
                         ("raised~outcome:raised:ValueError;form~shape:transposed@", False)):
        told = dataclasses.replace(report, tests=[
            dataclasses.replace(t, diagnosis=claim) if t.diagnosis == "sign:@" else t
            for t in report.tests])
        findings = fb.audit(mutant, told, 1, modules[mutant.id], plan)
        assert (fb.classify(findings) != fb.MISLEADING) is holds, (claim, findings)
