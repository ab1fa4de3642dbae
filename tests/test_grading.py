"""The orchestrator end to end: real sandboxes, real oracles, small submissions."""

from __future__ import annotations

import dataclasses
import os
import signal
import shutil
import textwrap
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from grader.checks import CHECK, CHECKS
from grader.contract import FUNCTIONS, MODULES
import grader.grading as grading
from grader.grading import FAULT_BUDGET, Grader, Options
from grader.report.model import ERROR, FAILED, INTERNAL, NOT_IMPLEMENTED, PASSED
from grader.sandbox import Limits, Session
from grader.selection import SelectionError
from grader.submission import load

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"


@pytest.fixture(scope="module")
def grader():
    with Grader(Options(seed=5, limits=Limits(call_seconds=20, load_seconds=30))) as grader:
        yield grader


def solutions_copy(folder: Path, **overrides: str) -> Path:
    """The reference modules in ``folder``, with code appended to some (a later def wins)."""
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    for module, code in overrides.items():
        with open(folder / f"{module}.py", "a") as file:
            file.write("\n\n" + textwrap.dedent(code))
    return folder


def scores(report) -> dict[str, float]:
    return report.function_scores()


def test_solutions_score_100_and_names_start_with_the_function(grader, tmp_path):
    report = grader.grade(load(solutions_copy(tmp_path / "s")))
    assert report.score == report.max_score == 100
    assert {t.function for t in report.tests} == set(FUNCTIONS)
    assert all(t.name.startswith(t.function + ": ") for t in report.tests)
    assert report.oracle == "solutions+torch"


def test_stubs_score_0_and_say_not_implemented(grader):
    report = grader.grade(load(ROOT / "exercises"))
    assert report.score == 0
    assert all(t.status == ERROR for t in report.tests)
    assert "implemented" in report.tests[0].message


def test_a_bug_costs_only_its_function_and_is_diagnosed(grader, tmp_path):
    folder = solutions_copy(tmp_path / "s", losses="""
        def mse(y, y_hat):
            return float(np.mean((y - y_hat) ** 2))
    """)
    report = grader.grade(load(folder))
    lost = {f for f, s in scores(report).items() if s < CHECK[f].points}
    assert lost == {"losses.mse"}
    failed = [t for t in report.tests if t.status == FAILED]
    assert any("N·D" in t.message for t in failed)
    assert all(t.example is not None for t in failed)


def test_smaller_cases_run_first_alone_and_the_rest_only_if_asked_for(monkeypatch):
    """The smallest case usually shows the mistake: the child then runs none of the others."""
    exchanges = []

    def calls(self, session, check, cases, callees):
        exchanges.append(list(cases))
        return (f"outcome of {case}" for case in cases)
    monkeypatch.setattr(grading.Grader, "_calls", calls)
    cases = [SimpleNamespace(call=f"call {i}") for i in range(4)]
    tried = Grader(Options(seed=1))._first_then_rest(None, None, cases, {})
    assert next(tried) == (cases[0], "outcome of call 0")
    tried.close()
    assert exchanges == [["call 0"]]
    exchanges.clear()
    every = list(Grader(Options(seed=1))._first_then_rest(None, None, cases, {}))
    assert every == [(case, f"outcome of {case.call}") for case in cases]
    assert exchanges == [["call 0"], ["call 1", "call 2", "call 3"]]


def test_a_hint_holds_on_every_failing_case_not_only_the_example(grader, tmp_path):
    """(N/2)x the truth is a law across the cases' sizes, never "exactly 1/2" read off a
    tiny example; relu_grad returning 1 everywhere is not told "use x > 0"."""
    folder = solutions_copy(tmp_path / "s", losses="""
        def mse(y, y_hat):
            return float(np.sum((y - y_hat) ** 2) / 2)
    """, activations="""
        def relu_grad(x):
            return np.ones_like(x)
    """)
    report = grader.grade(load(folder), only="losses.mse,activations.relu_grad")
    mse = [t for t in report.tests if t.function == "losses.mse" and t.status == FAILED]
    assert mse and all(t.diagnosis == "factor:N/2@" for t in mse), [t.diagnosis for t in mse]
    assert all("exactly" not in t.message and "N/2 times" in t.message for t in mse)
    relu_grad = [t for t in report.tests if t.function == "activations.relu_grad"]
    assert all(t.status == FAILED for t in relu_grad)
    assert not any("x > 0" in t.message for t in relu_grad), [t.message for t in relu_grad]
    assert all(t.diagnosis in ("where:<=0@", "where:<0@", "differ") for t in relu_grad)


def test_a_wrong_activation_is_charged_once_not_again_in_mlp(grader, tmp_path):
    folder = solutions_copy(tmp_path / "s", activations="""
        def relu(x):
            return np.abs(x)
        def sigmoid(x):
            return np.tanh(x)
    """)
    report = grader.grade(load(folder))
    lost = {f for f, s in scores(report).items() if s < CHECK[f].points}
    assert lost == {"activations.relu", "activations.sigmoid"}
    assert any("mlp.mlp_forward" in note and "activations.relu" in note for note in report.notes)


def test_torch_in_a_from_scratch_module_scores_that_function_0(grader, tmp_path):
    folder = solutions_copy(tmp_path / "s", activations="""
        import torch
        def tanh(x):
            return torch.tanh(torch.as_tensor(x)).numpy()
    """)
    report = grader.grade(load(folder))
    assert scores(report)["activations.tanh"] == 0
    assert "torch" in next(t for t in report.tests if t.function == "activations.tanh").message
    assert report.score == 100 - CHECK["activations.tanh"].points


def test_a_module_that_fails_to_import_costs_only_its_functions(grader, tmp_path):
    folder = solutions_copy(tmp_path / "s")
    (folder / "losses.py").write_text("def mse(y, y_hat)\n    return 0\n")
    report = grader.grade(load(folder))
    losses = [t for t in report.tests if t.function.startswith("losses.")]
    assert all(t.points == 0 and "SyntaxError" in t.message for t in losses)
    assert report.score == 100 - sum(CHECK[f"losses.{f}"].points for f in MODULES["losses"])


def test_a_function_in_a_cell_that_fails_to_load_could_not_be_loaded(grader, tmp_path):
    """Not "not found": the broken cell defines it; a function no cell defines is missing."""
    import nbformat

    cells = [nbformat.v4.new_code_cell("def relu(x)\n    return x\n"),
             nbformat.v4.new_code_cell((SOLUTIONS / "activations.py").read_text().replace(
                 "def relu(", "def _not_relu("))]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "nb.ipynb")
    report = grader.grade(load(tmp_path / "nb.ipynb"))
    relu = next(t for t in report.tests if t.function == "activations.relu")
    assert relu.diagnosis == "outcome:load-error" and "SyntaxError" in relu.message
    predict = next(t for t in report.tests if t.function == "linear_regression.predict")
    assert predict.diagnosis == "outcome:missing" and "not found" in predict.message


def test_a_missing_function_scores_0_for_itself_only(grader, tmp_path):
    folder = solutions_copy(tmp_path / "s")
    source = (folder / "torch_api.py").read_text()
    (folder / "torch_api.py").write_text(source.replace("def legacy_reduction", "def _gone"))
    report = grader.grade(load(folder))
    assert scores(report)["torch_api.legacy_reduction"] == 0
    assert report.score == 100 - CHECK["torch_api.legacy_reduction"].points
    assert "not found" in next(t.message for t in report.tests
                               if t.function == "torch_api.legacy_reduction")


def test_a_notebook_with_every_function_scores_100(grader, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline\nimport numpy as np\nimport torch")]
    for module in MODULES:
        source = (SOLUTIONS / f"{module}.py").read_text()
        source = "\n".join(line for line in source.splitlines()
                           if not line.startswith("from .activations"))
        nb.cells.append(nbformat.v4.new_code_cell(source))
    nb.cells.append(nbformat.v4.new_code_cell("!grade run this.ipynb"))
    path = tmp_path / "homework.ipynb"
    nbformat.write(nb, str(path))
    assert grader.grade(load(path)).score == 100


@pytest.mark.parametrize("style", ["from activations import ", "from .activations import ",
                                   "from exercises.activations import "])
def test_the_three_import_styles_of_mlp(grader, tmp_path, style):
    folder = solutions_copy(tmp_path / "s")
    source = (folder / "mlp.py").read_text()
    assert "from .activations import " in source, "the solution imports them relatively"
    (folder / "mlp.py").write_text(source.replace("from .activations import ", style))
    report = grader.grade(load(folder))
    assert all(scores(report)[f"mlp.{f}"] == CHECK[f"mlp.{f}"].points for f in MODULES["mlp"])
    assert not report.notes


def test_oracles_that_disagree_never_charge_the_student(tmp_path, monkeypatch):
    check = CHECK["activations.relu"]
    broken = dataclasses.replace(check, torch=lambda x: x * 0 + 7.0)
    patched = tuple(broken if c is check else c for c in CHECKS)
    monkeypatch.setattr(grading, "CHECKS", patched)
    monkeypatch.setattr(grading, "CHECK", {c.function: c for c in patched})
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "activations.py").write_text("import numpy as np\ndef relu(x):\n"
                                           "    return np.maximum(x, 0)\n")
    with Grader(Options(seed=1)) as isolated:
        report = isolated.grade(load(folder))
    relu = [t for t in report.tests if t.function == "activations.relu"]
    assert all(t.status == INTERNAL and t.points == t.max_points for t in relu)
    assert "internal error" in relu[0].message


def test_without_solutions_the_grade_is_against_torch_alone(tmp_path):
    with Grader(Options(seed=3, use_solutions=False)) as torch_only:
        report = torch_only.grade(load(solutions_copy(tmp_path / "s")))
    assert report.score == 100 and report.oracle == "torch"


def test_the_seed_repeats_a_run_exactly(grader, tmp_path):
    folder = load(ROOT / "examples" / "buggy_submission")
    first, second = grader.grade(folder), grader.grade(folder)
    strip = lambda r: [(t.name, t.points, t.message, t.example) for t in r.tests]  # noqa: E731
    assert strip(first) == strip(second)
    with Grader(Options(seed=6)) as other:
        third = other.grade(folder)
    examples = lambda r: [t.example for t in r.tests if t.example]  # noqa: E731
    assert examples(third) != examples(first)


def test_typical_mistakes_lose_points_where_they_are(grader):
    report = grader.grade(load(ROOT / "examples" / "buggy_submission"))
    status = {t.name: t.status for t in report.tests}
    assert status["activations.relu: random values of any shape"] == PASSED
    assert status["activations.relu_grad: exact zeros"] == FAILED
    assert status["mlp.mlp_backward: ReLU, the default activation"] == PASSED  # invisible
    assert status["mlp.mlp_backward: sigmoid"] == FAILED
    assert 0 < report.score < 100


def test_a_function_that_keeps_timing_out_is_given_up(tmp_path):
    folder = solutions_copy(tmp_path / "s", activations="""
        def softmax(x, axis=-1):
            while True:
                pass
    """)
    limits = Limits(call_seconds=0.5, load_seconds=30)
    with Grader(Options(seed=2, limits=limits)) as strict:
        report = strict.grade(load(folder))
    softmax = [t for t in report.tests if t.function == "activations.softmax"]
    assert len(softmax) > FAULT_BUDGET and all(t.points == 0 for t in softmax)
    assert [t.message.startswith("not run:") for t in softmax] == \
        [False] * FAULT_BUDGET + [True] * (len(softmax) - FAULT_BUDGET)
    assert report.score == 100 - CHECK["activations.softmax"].points


def test_hidden_inputs_are_never_shown(tmp_path):
    folder = load(ROOT / "examples" / "buggy_submission")
    with Grader(Options(seed=5, hide_inputs=True)) as hiding:
        report = hiding.grade(folder)
    failed = [t for t in report.tests if t.example is not None]
    assert failed and all(t.example.inputs == {} for t in failed)
    sigmoid = next(t for t in report.tests if t.name == "activations.sigmoid: x = ±1000")
    assert "overflow" in sigmoid.message and "comes from the input" not in sigmoid.message


def test_torch_api_must_use_torch_nn(grader, tmp_path):
    folder = solutions_copy(tmp_path / "s", torch_api="""
        import numpy as np
        def mse_loss_and_grad(input, target, reduction="mean"):
            if reduction not in ("mean", "sum", "none"):
                raise ValueError(reduction)
            diff = input - target
            grad = 2 * diff / (diff.size if reduction == "mean" else 1)
            loss = {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](diff ** 2)
            return (float(loss) if reduction != "none" else loss), grad
    """)
    report = grader.grade(load(folder))
    numpy_only = [t for t in report.tests if t.function == "torch_api.mse_loss_and_grad"]
    assert any("torch.nn" in t.message for t in numpy_only)
    assert report.score < 100
    assert {f for f, s in scores(report).items() if s < CHECK[f].points} == \
        {"torch_api.mse_loss_and_grad"}


def test_a_module_that_is_a_link_costs_only_its_functions_and_says_why(grader, tmp_path):
    folder = solutions_copy(tmp_path / "sub")
    (folder / "losses.py").unlink()
    (folder / "losses.py").symlink_to(SOLUTIONS / "losses.py")
    report = grader.grade(load(folder))
    got = scores(report)
    assert {f for f in FUNCTIONS if got[f] != CHECK[f].points} == set(
        f"losses.{f}" for f in MODULES["losses"])
    assert all(got[f"losses.{f}"] == 0 for f in MODULES["losses"])
    lost = [t for t in report.tests if t.function.startswith("losses.")]
    assert all("symbolic link" in t.message and t.diagnosis == "outcome:load-error"
               for t in lost)
    assert any("losses.py is a symbolic link" in note for note in report.notes)


def test_a_dead_sandbox_server_fails_the_grader_not_the_submission(tmp_path):
    from grader.sandbox.session import SandboxFailure

    submission = load(solutions_copy(tmp_path / "sub"))
    with Grader(Options(seed=5, limits=Limits(call_seconds=2))) as fresh:
        os.kill(fresh.sandbox._link.pid, signal.SIGKILL)
        with pytest.raises(SandboxFailure):
            fresh.grade(submission)


def test_a_bug_in_one_kind_of_input_is_shown_on_that_kind(grader, tmp_path):
    """Every seed draws every declared kind, and the smallest example keeps the failing kind."""
    folder = solutions_copy(tmp_path / "s", activations="""
        def relu(x):
            return np.maximum(x, 0) if x.ndim != 1 else x
    """)
    report = grader.grade(load(folder))
    failed = [t for t in report.tests if t.status == FAILED]
    assert [(t.function, t.label) for t in failed] == [("activations.relu", "random values of any shape")]
    assert failed[0].example.inputs["x"].count("[") == 1     # a 1-D array


def test_only_grades_the_selection_and_scores_out_of_its_points(grader, tmp_path, monkeypatch):
    called, expected = set(), set()
    real_calls, real_expect = Session.calls, grading.expect

    def calls(self, function, *args, **kwargs):
        called.add(function)
        return real_calls(self, function, *args, **kwargs)

    def expect(check, *args, **kwargs):
        expected.add(check.function)
        return real_expect(check, *args, **kwargs)

    monkeypatch.setattr(Session, "calls", calls)
    monkeypatch.setattr(grading, "expect", expect)
    with Grader(Options(seed=8)) as fresh:
        report = fresh.grade(load(solutions_copy(tmp_path / "s")), only="losses,activations.relu")
    chosen = {"activations.relu"} | {f"losses.{f}" for f in MODULES["losses"]}
    assert {t.function for t in report.tests} == chosen == called == expected
    assert report.score == report.max_score == sum(CHECK[f].points for f in chosen)
    assert report.selected == ["losses", "activations.relu"]


def test_a_caller_graded_alone_uses_reference_callees_without_a_note(grader, tmp_path):
    report = grader.grade(load(solutions_copy(tmp_path / "s")), only=["mlp.mlp_forward"])
    assert report.score == report.max_score == CHECK["mlp.mlp_forward"].points
    assert not report.notes


def test_selected_scores_are_those_of_a_full_run(grader):
    buggy = load(ROOT / "examples" / "buggy_submission")
    full = grader.grade(buggy).function_scores()
    alone = grader.grade(buggy, only="activations").function_scores()
    assert alone == {f: s for f, s in full.items() if f.startswith("activations.")}


def test_stubs_are_diagnosed_as_not_implemented(grader):
    report = grader.grade(load(ROOT / "exercises"), only="torch_api")
    assert report.tests and all(t.diagnosis == NOT_IMPLEMENTED for t in report.tests)


def test_an_unknown_name_fails_before_anything_runs(grader):
    with pytest.raises(SelectionError, match="did you mean activations"):
        grader.grade(load(ROOT / "exercises"), only="activ")


def test_a_sandbox_closed_meanwhile_has_ended_once_waited_for() -> None:
    with Grader(Options(seed=1)) as grader:
        report = grader.grade(load(str(SOLUTIONS)), only="activations.relu")
        assert report.score == report.max_score
        server = grader.sandbox._link.process
        closed = grader.close_meanwhile()
        assert grader.sandbox is None   # the block's end closes nothing more
        closed()
        assert server.poll() is not None
