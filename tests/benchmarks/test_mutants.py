"""The mutation benchmark's pieces: where it mutates, its operators, stable ids, the verdict."""

from __future__ import annotations

import ast
import textwrap

import pytest

from benchmarks import mutants as mb
from grader.checks import CHECK
from grader.report import model
from grader.report.model import Report

MODULE = textwrap.dedent('''\
    import numpy as np


    def f(x, axis=-1):
        """Docstring."""
        untouched = x + 1
        # BEGIN SOLUTION
        z = x - np.max(x, axis=axis, keepdims=True)
        if z.shape == x.shape:
            z = z * 2
        return np.sum(np.exp(z), axis=axis) / 0.5
        # END SOLUTION
    ''')


def replacements(operator: str, code: str) -> list[str]:
    node = ast.parse(code, mode="eval").body
    return sorted("<drop>" if new is None else ast.unparse(new) for new, _ in mb.OPERATORS[operator](node))


def test_mutations_stay_between_the_markers():
    assert mb.solution_lines(MODULE) == [(8, 11)]
    found = list(mb._mutants_of("m", MODULE))
    assert found and all(8 <= m.line <= 11 for m in found)
    assert all("untouched = x + 1" in m.source for m in found)
    for m in found:
        compile(m.source, "m.py", "exec")
        assert m.source != MODULE and m.function == "m.f" and m.module == "m"


def test_ids_are_unique_and_survive_unrelated_edits():
    first = [m.id for m in mb._mutants_of("m", MODULE)]
    again = [m.id for m in mb._mutants_of("m", MODULE)]
    shifted = [m.id for m in mb._mutants_of("m", "# a comment\n\n" + MODULE)]
    assert first == again == shifted and len(set(first)) == len(first)


def test_a_compound_statement_changes_its_header_only():
    header = [m for m in mb._mutants_of("m", MODULE) if m.operator == "compare" and m.line == 9]
    assert [m.description for m in header] == ["== -> !="]
    assert "    if z.shape != x.shape:\n        z = z * 2\n" in header[0].source


@pytest.mark.parametrize("operator, code, expected", [
    ("arith", "a - b", ["a + b"]),
    ("arith", "a @ b", ["a * b"]),
    ("compare", "a > 0", ["a < 0", "a >= 0"]),
    ("compare", "a is None", ["a is not None"]),
    ("constant", "0.5", ["1.0"]),
    ("constant", "2", ["1", "3"]),
    ("constant", "0", ["1"]),
    ("constant", "True", ["False"]),
    ("sign", "-a", ["a"]),
    ("numpy", "np.sum(a)", ["np.mean(a)"]),
    ("numpy", "np.maximum(a, 0)", ["np.minimum(a, 0)"]),
    ("numpy", "a.max(axis=1)", ["a.min(axis=1)"]),
    ("numpy", "np.log(a)", ["np.log1p(a)"]),
    ("axis", "np.max(a, axis=1, keepdims=True)",
     ["np.max(a, axis=0, keepdims=True)", "np.max(a, axis=1)", "np.max(a, keepdims=True)"]),
    ("drop", "x - np.max(x)", ["x"]),
    ("drop", "np.array(x, dtype=float)", ["x"]),
    ("drop", "x.copy()", ["x"]),
    ("swap-args", "f(a, b)", ["f(b, a)"]),
    ("swap-args", "np.maximum(a, b)", []),
    ("swap-keys", "'mean'", ["'sum'"]),
    ("swap-keys", "{'a': 1, 'b': 2}", ["{'a': 2, 'b': 1}"]),
])
def test_operators(operator, code, expected):
    assert replacements(operator, code) == sorted(expected)


def test_statements_are_dropped_and_values_negated():
    statement = ast.parse("x[k] = saved").body[0]
    assert [new for new, _ in mb.drop(statement)] == [None]
    negated = [ast.unparse(new) for new, _ in mb.negate(ast.parse("return a, b").body[0])]
    assert negated == ["return (-a, b)", "return (a, -b)"]


def test_every_solution_module_has_mutants_that_compile():
    found = mb.generate()
    assert {m.module for m in found} == set(mb.module_names())
    assert set(mb.OPERATORS) == {m.operator for m in found}
    assert len({m.id for m in found}) == len(found)


def test_listed_equivalents_exist_and_give_a_reason():
    known = mb.equivalents()
    ids = {m.id for m in mb.generate()}
    assert known and set(known) <= ids
    assert all(reason for reason in known.values())


def report_with(scores: dict[str, float]) -> Report:
    return Report("m", 1, tests=[model.TestResult(f, "t", CHECK[f].points, points=p) for f, p in scores.items()])


def test_killed_means_the_function_lost_points():
    mutant = mb.Mutant("id", "losses", "losses.mse", "arith", 1, "", "")
    full = {f: c.points for f, c in CHECK.items()}
    assert not mb.killed(mutant, report_with(full))
    assert mb.killed(mutant, report_with({**full, "losses.mse": 0.5}))
    assert not mb.killed(mutant, report_with({**full, "losses.mse_loss": 0.0}))
    helper = mb.Mutant("id", "losses", "losses._reduce", "arith", 1, "", "")
    assert mb.killed(helper, report_with({**full, "losses.mse_loss": 0.0}))
    assert not mb.killed(helper, report_with({**full, "mlp.mlp_forward": 0.0}))
    assert mb.killed(mutant, Report("m", 1, status="error"))


def test_a_mutant_submission_holds_the_modules_it_imports(tmp_path):
    mutant = next(m for m in mb.generate(["mlp"]))
    folder = mb.submission(mutant, tmp_path / "s")
    assert sorted(p.name for p in folder.iterdir()) == ["activations.py", "mlp.py"]
    assert (folder / "mlp.py").read_text() == mutant.source


def test_grading_in_one_batch_kills_a_bug_and_spares_an_equivalent():
    found = {m.id: m for m in mb.generate(["torch_api"])}
    equivalent = found["torch_api.mse_loss_and_grad:swap-args:f63317c3"]
    bug = next(m for m in found.values() if m.description == "'none' -> 'mean'")
    reports = mb.grade([equivalent, bug], seed=1)
    assert set(reports) == {equivalent.id, bug.id}
    assert all(isinstance(r, Report) and r.status == "graded" for r in reports.values())
    assert not mb.killed(equivalent, reports[equivalent.id])
    assert mb.killed(bug, reports[bug.id])


def test_scores_that_differ_between_seeds_are_reported():
    assert mb.unstable_scores({"a": [90.0, 90.0, 90.0], "b": [90.0, 89.5, 90.0]}) == {
        "b": [90.0, 89.5, 90.0]}


def test_the_checks_of_var_s_shape_are_killed_now_that_unlisted_shapes_must_raise():
    """Issue 21: SPEC says a var of a shape it does not list raises ValueError, so the three
    mutants that drop or invert the solution's check of var's shape lose points."""
    ids = ("losses.gaussian_nll_loss:compare:1e0f396f", "losses.gaussian_nll_loss:drop:ec8208a6",
           "losses.gaussian_nll_loss:drop:93e03004")
    found = [m for m in mb.generate(["losses"]) if m.id in ids]
    assert len(found) == 3 and not set(ids) & set(mb.equivalents())
    reports = mb.grade(found, seed=1)
    assert all(mb.killed(m, reports[m.id]) for m in found)
