"""The release's GitHub Classroom workflow, run for real: its own ``run:`` lines with a
simulated ``GITHUB_*`` environment, then its reporter step's inputs decoded as the reporter
decodes them (in Python and, where ``node`` is installed, under Node).

For a correct, a partial, a noisy (prints in every function), an empty and an unloadable
submission: one score everywhere (the reporter's console, its recorded notice, the step
summary and ``grade run``), a result in every case, under the size budget, and error lines
that name their function and test.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import solutions
from grader.classroom.release import build_release
from grader.contract import MODULES
from grader.report import github
from tests.classroom.classroom_reporter import NODE_DECODER, Reported, report

SOLUTIONS = Path(solutions.__file__).parent
BIN = Path(sys.executable).parent
#: ``A || 'literal'`` and ``A || (B == 'value' && 'literal' || 'literal')``: the only
#: expressions the workflow's values use.
EXPRESSION = re.compile(r"^\$\{\{\s*([\w.-]+)\s*\|\|\s*'([^']*)'\s*\}\}$")
CHOICE = re.compile(r"^\$\{\{\s*([\w.-]+)\s*\|\|\s*\(\s*([\w.-]+)\s*==\s*'([^']*)'\s*&&\s*"
                    r"'([^']*)'\s*\|\|\s*'([^']*)'\s*\)\s*\}\}$")
SCORE = re.compile(r"(?:Score|점수): ([\d.]+) / ([\d.]+)")
SEED = re.compile(r"--seed (\d+)")
#: Every line the reporter prints for a test names it: "module.function: label".
NAMED = re.compile(r"^(✅ |❌ |Error: )[a-z_]+\.[a-z_]+: \S")

NOISY = '''

import functools as _functools


def _noisy(function):
    @_functools.wraps(function)
    def noisy(*args, **kwargs):
        print(locals())
        print("x" * 3000)
        return function(*args, **kwargs)
    return noisy


for _name in {names!r}:
    globals()[_name] = _noisy(globals()[_name])
'''


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release")
    build_release(out)
    return out


@pytest.fixture(scope="module")
def workflow(release: Path) -> dict:
    return yaml.safe_load((release / ".github" / "workflows" / "classroom.yml").read_text())


def submission(release: Path, tmp_path: Path, kind: str) -> Path:
    """A student's repository: the release with ``exercises/`` filled in as ``kind`` says."""
    repo = shutil.copytree(release, tmp_path / "repo")
    shutil.rmtree(repo / "notebooks")
    exercises = repo / "exercises"
    for module in MODULES:
        target = exercises / f"{module}.py"
        source = (SOLUTIONS / f"{module}.py").read_text(encoding="utf-8")
        if kind == "empty":
            target.unlink()
        elif kind == "unloadable":
            target.write_text(source + "\ndef broken(:\n", encoding="utf-8")
        elif kind == "noisy":
            target.write_text(source + NOISY.format(names=MODULES[module]), encoding="utf-8")
        elif kind == "partial" and module == "activations":
            target.write_text(source + "\n\ndef relu(x):\n    return x\n", encoding="utf-8")
        elif kind == "partial" and module == "losses":
            target.write_text(source + "\n\ndef mse(y, y_hat):\n    raise "
                              "ValueError('broken on purpose')\n", encoding="utf-8")
        else:
            target.write_text(source, encoding="utf-8")
    return repo


def evaluate(value: str, context: dict[str, str]) -> str:
    """A workflow value: ``${{ A || 'literal' }}`` or ``${{ A || (B == 'v' && 'x' || 'y')
    }}`` with A and B looked up in ``context``."""
    choice = CHOICE.match(value.strip())
    if choice:
        first, name, wanted, then, otherwise = choice.groups()
        return context.get(first) or (then if context.get(name) == wanted else otherwise)
    match = EXPRESSION.match(value.strip())
    if not match:
        assert "${{" not in value, value
        return value
    return context.get(match.group(1)) or match.group(2)


def run_workflow(workflow: dict, repo: Path, tmp_path: Path,
                 variables: dict[str, str]) -> tuple[dict[str, str], str, str, str, int]:
    """Run the grading step's ``run:`` lines as Actions would; return the reporter step's
    environment, its ``runners`` input, the step's log and summary, and its exit code."""
    (job,) = workflow["jobs"].values()
    context = {f"vars.{name}": value for name, value in variables.items()}
    env = {name: evaluate(str(value), context) for name, value in job["env"].items()}
    context.update({f"env.{name}": value for name, value in env.items()})
    outputs, summary = tmp_path / "github_output", tmp_path / "step_summary"
    base = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path),
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(repo),
            "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(tmp_path), **env}
    (grading,) = [step for step in job["steps"] if step.get("id") == "dlgrade"]
    assert grading["shell"] == "bash"
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", grading["run"]], cwd=repo,
                          env=base, capture_output=True, text=True, timeout=600)
    for line in outputs.read_text().splitlines() if outputs.exists() else []:
        name, value = line.split("=", 1)
        context[f"steps.dlgrade.outputs.{name}"] = value
    (reporter,) = [step for step in job["steps"] if "autograding-grading-reporter" in
                   step.get("uses", "")]
    assert reporter["if"] == "${{ !cancelled() }}"   # it reports even when grading failed
    reporter_env = {name: evaluate(value, context) for name, value in reporter["env"].items()}
    log = done.stdout + done.stderr
    return (reporter_env, reporter["with"]["runners"], log,
            summary.read_text(encoding="utf-8") if summary.exists() else "", done.returncode)


def under_node(runners: str, env: dict[str, str]) -> Reported | None:
    node = shutil.which("node")
    if node is None:
        return None
    done = subprocess.run([node, "-e", NODE_DECODER], env={**env, "RUNNERS": runners},
                          capture_output=True, text=True, timeout=60, check=True)
    return Reported(**json.loads(done.stdout))


def grade_text(repo: Path, seed: str) -> tuple[float, float]:
    done = subprocess.run([str(BIN / "grade"), "run", ".", "--seed", seed], cwd=repo,
                          capture_output=True, text=True, timeout=600)
    score, most = SCORE.search(done.stdout).groups()
    return float(score), float(most)


@pytest.mark.parametrize("kind", ["correct", "partial", "noisy", "empty", "unloadable"])
def test_one_score_in_every_case(kind, release, workflow, tmp_path):
    repo = submission(release, tmp_path, kind)
    env, runners, log, summary, code = run_workflow(workflow, repo, tmp_path,
                                                    {"GRADER_LANG": "en"})
    assert runners.split(",") == list(github.runners())
    assert code == (2 if kind == "empty" else 0), log[-2000:]
    encoded = sum(len(env[f"{name.upper()}_RESULTS"]) for name in runners.split(","))
    assert encoded < github.BUDGET
    reported = report(runners, env)
    assert reported.max_points == 100
    assert reported.console_total == pytest.approx(reported.points, abs=0.01)
    for name, total in reported.runner_totals.items():   # "Total points for X" lines
        tests = json.loads(base64.b64decode(env[f"{name.upper()}_RESULTS"]))
        assert total == pytest.approx(sum(t["score"] for t in tests["tests"]), abs=0.01)
    assert all(NAMED.match(line) for line in reported.lines), \
        [line for line in reported.lines if not NAMED.match(line)][:3]
    shown, most = (float(x) for x in SCORE.search(summary).groups())
    assert (shown, most) == (pytest.approx(reported.points, abs=0.01), 100)
    node = under_node(runners, env)
    if node is not None:
        assert node == reported
    expected = {"correct": 100, "noisy": 100, "empty": 0, "unloadable": 0}
    if kind in expected:
        assert reported.points == pytest.approx(expected[kind], abs=0.01)
    else:
        assert 0 < reported.points < 100
    assert reported.failed == (kind not in ("correct", "noisy"))
    if kind == "empty":
        assert any("no exercise modules found" in line for line in reported.lines)
    else:
        seed = SEED.search(summary).group(1)
        assert grade_text(repo, seed) == (pytest.approx(reported.points, abs=0.01), 100)
    if kind == "partial":
        errors = [line for line in reported.lines if line.startswith("Error:")]
        assert errors and all(line.startswith("Error: losses.mse: ") for line in errors)
        assert all("broken on purpose" in line or "(" in line for line in errors)
        assert any("broken on purpose" in line for line in errors)


def test_the_feedback_language_comes_from_a_repository_variable(release, workflow, tmp_path):
    (job,) = workflow["jobs"].values()
    assert evaluate(job["env"]["GRADER_LANG"], {}) == "ko"          # the bundle's language
    repo = submission(release, tmp_path, "partial")
    for variables, heading in (({"GRADER_LANG": "en"}, "Grading report"), ({}, "채점")):
        folder = tmp_path / (variables.get("GRADER_LANG") or "default")
        folder.mkdir()
        env, runners, log, summary, code = run_workflow(workflow, repo, folder, variables)
        assert code == 0 and heading in summary


@pytest.mark.parametrize("variables, words", [({}, "채점 단계"),
                                              ({"GRADER_LANG": "en"}, "grading step"),
                                              ({"GRADER_LANG": "ko"}, "채점 단계")])
def test_a_missing_result_falls_back_to_an_error_worth_nothing(workflow, variables, words):
    """In the run's feedback language (the repository variable, else the bundle's)."""
    (job,) = workflow["jobs"].values()
    context = {f"vars.{name}": value for name, value in variables.items()}
    context.update({f"env.{name}": evaluate(str(value), context)
                    for name, value in job["env"].items()})
    (reporter,) = [step for step in job["steps"] if "reporter" in step.get("uses", "")]
    env = {name: evaluate(value, context) for name, value in reporter["env"].items()}
    reported = report(reporter["with"]["runners"], env)
    assert (reported.points, reported.max_points, reported.failed) == (0, 100, True)
    assert all(words in line for line in reported.lines if line.startswith("Error:"))


def messages_of(repo: Path, seed: str, lang: str) -> dict[str, list[str]]:
    """``grade run --format json``'s failing tests: name -> the lines of its message."""
    done = subprocess.run([str(BIN / "grade"), "run", ".", "--seed", seed, "--format", "json",
                           "--lang", lang], cwd=repo, capture_output=True, text=True,
                          timeout=600)
    tests = json.loads(done.stdout)["tests"]
    return {t["name"]: t["message"].splitlines() for t in tests if t["status"] == "failed"}


@pytest.mark.parametrize("lang, example", [("en", "Smallest failing example:"),
                                           ("ko", "실패하는 가장 작은 예:")])
def test_every_failing_tests_hint_and_example_reach_the_student(lang, example, release,
                                                                 workflow, tmp_path):
    """The reporter prints nothing of a wrong answer but its name and its test code: there
    are its hint, its smallest failing example and the command that repeats it. The grading
    step's log and the step summary hold them too."""
    repo = submission(release, tmp_path, "partial")
    env, runners, log, summary, code = run_workflow(workflow, repo, tmp_path,
                                                    {"GRADER_LANG": lang})
    assert code == 0
    seed = SEED.search(summary).group(1)
    wrong = messages_of(repo, seed, lang)
    assert wrong and all(name.startswith("activations.relu: ") for name in wrong)
    console = report(runners, env).console
    node = under_node(runners, env)
    if node is not None:
        assert node.console == console
    command = f"grade run . --seed {seed} --only activations.relu\n"
    assert sum(command in line for line in console) == 1
    for name, message in wrong.items():
        index = console.index(f"❌ {name}")
        shown = console[index + 1]
        assert shown.startswith("Test code:\n"), shown
        assert (message[0] in shown and example in shown) or shown.endswith(
            ("same as above\n", "위와 같음\n"))
        assert message[0] in log and message[0] in summary
    assert not re.search(r"^dlgrade\d+=", log, re.MULTILINE)


def test_workflow_is_valid_for_actionlint_and_the_schema(release):
    path = release / ".github" / "workflows" / "classroom.yml"
    for command in ([str(BIN / "actionlint"), str(path)],
                    [str(BIN / "check-jsonschema"), "--builtin-schema",
                     "vendor.github-workflows", str(path)]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr


def test_workflow_triggers_like_classroom_and_installs_cpu_torch(workflow):
    assert set(workflow["on"]) >= {"push", "repository_dispatch", "workflow_dispatch"}
    (job,) = workflow["jobs"].values()
    assert job["if"] == "github.actor != 'github-classroom[bot]'"
    install = "\n".join(step.get("run", "") for step in job["steps"])
    assert "--index-url https://download.pytorch.org/whl/cpu" in install
    assert "grade run . --format github" in install


def test_the_workflow_spends_minutes_sparingly(release, workflow):
    """pip's cache keyed on the bundled grader's requirements (a file the release holds), and
    a newer push to the same branch cancels the superseded run (whose reporter then does not
    run, so only the newest push reports)."""
    assert workflow["concurrency"]["cancel-in-progress"] is True
    assert "github.ref" in workflow["concurrency"]["group"]
    (job,) = workflow["jobs"].values()
    (setup,) = [step for step in job["steps"] if "setup-python" in step.get("uses", "")]
    assert setup["with"]["cache"] == "pip"
    assert (release / setup["with"]["cache-dependency-path"]).is_file()
    install = "\n".join(step.get("run", "") for step in job["steps"])
    assert "--upgrade pip" not in install
