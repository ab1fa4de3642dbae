"""The student bundle's grader talks to a student: its help lists the student's commands,
its defaults are the bundle's, grading against PyTorch alone (normal there) is not warned
about, a notebook given to ``grade run`` grades the module it is for without its ``check()``
cells, and what installing the grader leaves is ignored by git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

from grader.checks import CHECK
from grader.contract import MODULES


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from grader.classroom.release import build_release

    out = tmp_path_factory.mktemp("bundle")
    build_release(out)   # Korean, the course's language
    return out


def student(bundle: Path, *args: str, cwd: Path, lang: str | None = None
            ) -> subprocess.CompletedProcess:
    """``python -m grader ARGS`` with the bundle's grader only (-S: the editable install of
    grader and solutions is not seen)."""
    env = {k: v for k, v in os.environ.items() if k != "GRADER_LANG"}
    env["PYTHONPATH"] = os.pathsep.join([str(bundle / ".grader"),
                                         sysconfig.get_paths()["purelib"]])
    if lang:
        env["GRADER_LANG"] = lang
    return subprocess.run([sys.executable, "-S", "-m", "grader", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600)


def test_help_lists_the_students_commands_in_the_bundles_language(bundle, tmp_path):
    done = student(bundle, "--help", cwd=tmp_path)
    assert done.returncode == 0
    commands = done.stdout.split("Commands:")[-1].split("명령:")[-1]
    listed = {line.split()[0] for line in commands.splitlines() if line.startswith("  ")}
    assert listed == {"run", "watch"}, done.stdout
    assert "참조 답안" not in done.stdout   # no word of solutions a student does not have
    run_help = student(bundle, "run", "--help", cwd=tmp_path).stdout
    assert "없으면 ko" in run_help and "--no-solutions" not in run_help
    english = student(bundle, "run", "--help", cwd=tmp_path, lang="en").stdout
    assert "else ko" in english


def test_a_run_in_the_bundle_does_not_warn_about_the_missing_solutions(bundle, tmp_path):
    done = student(bundle, "run", str(bundle / "exercises"), "--only", "relu", cwd=tmp_path,
                   lang="en")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "PyTorch alone" not in done.stdout and "Score: 0 / " in done.stdout


def test_a_notebook_is_graded_as_its_module_without_its_check_cells(bundle, tmp_path):
    """As the notebook's own check("losses") cell does: the score is out of losses' points;
    the student's own check() calls are not load failures."""
    notebooks = shutil.copytree(bundle / "notebooks", tmp_path / "notebooks")
    path = notebooks / "losses.ipynb"
    book = nbformat.read(path, as_version=4)
    book.cells.insert(len(book.cells) - 1, nbformat.v4.new_code_cell(
        'check("mse")\nresult = check("losses.mse_loss")'))
    book.cells.insert(len(book.cells) - 1, nbformat.v4.new_code_cell(
        'def mse(y, y_hat):\n    return ((y - y_hat) ** 2).sum(axis=-1).mean()\n\n'
        'check("mse")'))
    nbformat.write(book, str(path))
    done = student(bundle, "run", "notebooks/losses.ipynb", "--format", "json", "--seed", "3",
                   cwd=tmp_path, lang="en")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["selected"] == ["losses"]
    assert {t["function"] for t in report["tests"]} == {f"losses.{f}" for f in MODULES["losses"]}
    assert report["max_score"] == sum(CHECK[f"losses.{f}"].points for f in MODULES["losses"])
    assert not report["unloaded"] and not [n for n in report["notes"] if "loaded" in n]
    mse = [t for t in report["tests"] if t["function"] == "losses.mse"]
    assert any(t["status"] == "passed" for t in mse), mse   # the cell's mse, not the stub
    assert "check(..., seed=" not in done.stdout
    chosen = student(bundle, "run", "notebooks/losses.ipynb", "--only", "losses.mse",
                     "--format", "json", cwd=tmp_path, lang="en")
    assert json.loads(chosen.stdout)["selected"] == ["losses.mse"]


def test_what_installing_the_grader_leaves_is_ignored(bundle, tmp_path):
    repo = shutil.copytree(bundle, tmp_path / "repo")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "wheels"), "./.grader"], cwd=repo, check=True,
                   capture_output=True, timeout=600)
    left = {p.relative_to(repo).as_posix() for p in (repo / ".grader").iterdir()
            if p.name == "build" or p.name.endswith(".egg-info")}
    assert left, "pip left nothing to ignore: the test proves nothing"
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=repo, capture_output=True, text=True, check=True).stdout
    assert not [line for line in status.splitlines()
                if "/build/" in line or ".egg-info" in line], status
