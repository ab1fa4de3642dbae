"""``--only`` on ``grade release`` and ``grade gradescope``: a week's assignment as its own
bundle, whose CI and autograder grade only it, out of its points."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

from grader.classroom.assignment import points_of
from grader.classroom.gradescope import build_bundle
from grader.classroom.release import build_release
from grader.contract import MODULES
from grader.selection import select
from tests.classroom.test_gradescope_bundle import _run, _solutions

ACTIVATIONS = tuple(f"activations.{f}" for f in MODULES["activations"])


@pytest.fixture(scope="module")
def week1(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "week1"
    build_release(out, "en", select("activations"))
    return out


def test_the_bundle_holds_only_the_assignment(week1):
    assert sorted(p.name for p in (week1 / "exercises").glob("*.py")) == [
        "__init__.py", "activations.py"]
    assert sorted(p.name for p in (week1 / "notebooks").iterdir()) == ["activations.ipynb"]
    readme = (week1 / "README.md").read_text(encoding="utf-8")
    assert "grade run exercises/ --only activations" in readme
    assert "activations (23 points)" in readme or f"({points_of(ACTIVATIONS):g} points)" in readme


def test_its_workflow_grades_only_the_assignment_out_of_its_points(week1):
    workflow = yaml.safe_load((week1 / ".github" / "workflows" / "classroom.yml").read_text())
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    grading = next(s for s in steps if s.get("id") == "dlgrade")
    assert grading["run"] == "grade run . --format github --only activations"
    reporter = next(s for s in steps if "autograding-grading-reporter" in s.get("uses", ""))
    fallbacks = [json.loads(base64.b64decode(re.search(r"\|\| '([^']+)'", value).group(1)))
                 for value in reporter["env"].values()]
    assert sum(f["max_score"] for f in fallbacks) == points_of(ACTIVATIONS)


def test_its_grader_grades_the_assignment_when_not_told(week1, tmp_path):
    """``grade run exercises/`` in the bundle, without ``--only``, grades the assignment
    (not every module, most of which the bundle does not hold), and installing the bundle's
    grader keeps that."""
    env = {**os.environ, "GRADER_LANG": "en",
           "PYTHONPATH": os.pathsep.join([str(week1 / ".grader"),
                                          sysconfig.get_paths()["purelib"]])}
    done = subprocess.run([sys.executable, "-S", "-m", "grader", "run", "exercises/",
                           "--format", "json"], capture_output=True, text=True, cwd=week1,
                          env=env, timeout=600)
    report = json.loads(done.stdout)
    assert report["selected"] == ["activations"], done.stderr
    assert {t["function"] for t in report["tests"]} == set(ACTIVATIONS)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(week1 / ".grader")], check=True,
                   capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    assert zipfile.ZipFile(wheel).read("grader/locale/assignment").decode().strip() == \
        "activations"


def test_a_module_that_imports_another_brings_its_stub(tmp_path):
    build_release(tmp_path / "week3", "en", select("mlp"))
    assert sorted(p.name for p in (tmp_path / "week3" / "exercises").glob("*.py")) == [
        "__init__.py", "activations.py", "mlp.py"]


def test_gradescope_autograder_grades_only_the_assignment(tmp_path):
    bundle = tmp_path / "week1.zip"
    build_bundle(bundle, (), selection=select("activations"))
    with zipfile.ZipFile(bundle) as archive:
        assert "--only activations" in archive.read("run_autograder").decode()
    results = _run(bundle, tmp_path / "root", _solutions())
    assert {t["name"].split(":")[0] for t in results["tests"]} == set(ACTIVATIONS)
    assert results["score"] == points_of(ACTIVATIONS)
    assert sum(t["max_score"] for t in results["tests"]) == points_of(ACTIVATIONS)


def test_the_cli_takes_only(tmp_path, capsys):
    from grader.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["release", str(tmp_path / "r"), "--only", "losses", "--lang", "en"])
    assert exit_info.value.code == 0
    assert sorted(p.name for p in (tmp_path / "r" / "exercises").glob("*.py")) == [
        "__init__.py", "losses.py"]
    with pytest.raises(SystemExit) as exit_info:
        main(["gradescope", str(tmp_path / "g.zip"), "--only", "nonsense"])
    assert exit_info.value.code == 2
    assert "unknown module or function nonsense" in capsys.readouterr().err


def test_an_autograder_that_cannot_start_scores_out_of_the_assignment(tmp_path):
    bundle = tmp_path / "week1.zip"
    build_bundle(bundle, (), selection=select("activations"))
    results = _run(bundle, tmp_path / "root", _solutions(), broken=True)
    assert results["score"] == 0
    assert [t["max_score"] for t in results["tests"]] == [points_of(ACTIVATIONS)]
