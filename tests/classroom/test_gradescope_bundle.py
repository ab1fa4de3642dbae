"""``grade gradescope``: the bundle's ``run_autograder`` grades a submission end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import solutions
from grader.classroom.gradescope import build_bundle
from grader.contract import MODULES

SOLUTIONS = Path(solutions.__file__).parent


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_zip = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    build_bundle(out_zip)
    return out_zip


def _run(bundle: Path, root: Path, submission: dict[str, str],
         links: dict[str, str] = {}) -> dict:
    """Unpack ``bundle`` as Gradescope does, run ``run_autograder``, return results.json.
    ``links``: entries of the submission made links (``@SOURCE@``: the unpacked bundle)."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    for name, text in submission.items():
        (root / "submission" / name).write_text(text, encoding="utf-8")
    for name, target in links.items():
        (root / "submission" / name).symlink_to(target.replace("@SOURCE@", str(root / "source")))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "PYTHON": sys.executable}
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                   capture_output=True, timeout=300, check=True)
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def _solutions() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in SOLUTIONS.glob("*.py")
            if p.name != "__init__.py"}


def test_bundle_layout(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        for script in ("setup.sh", "run_autograder"):
            assert archive.getinfo(script).external_attr >> 16 & 0o111, script
    assert {"setup.sh", "run_autograder", "requirements.txt", "grader/__init__.py",
            "solutions/activations.py"} <= names
    assert not [n for n in names if "__pycache__" in n]


def test_solutions_score_100(bundle: Path, tmp_path: Path) -> None:
    results = _run(bundle, tmp_path, _solutions())
    assert results["score"] == pytest.approx(100)
    assert all(t["score"] == t["max_score"] for t in results["tests"])


def test_buggy_submission_loses_points(bundle: Path, tmp_path: Path) -> None:
    source = _solutions()["activations.py"]
    correct = "return np.maximum(x, 0.0)"
    assert correct in source
    results = _run(bundle, tmp_path, {"activations.py": source.replace(correct, "return x")})
    assert 0 < results["score"] < 100
    lost = {name: False for name in ("activations.relu", "activations.sigmoid")}
    for test in results["tests"]:
        function = test["name"].split(":")[0]
        if function in lost:
            lost[function] |= test["score"] < test["max_score"]
    assert lost == {"activations.relu": True, "activations.sigmoid": False}


def test_ungradable_submission_still_gets_results(bundle: Path, tmp_path: Path) -> None:
    results = _run(bundle, tmp_path, {"notes.txt": "nothing to grade"})
    assert results["score"] == 0
    assert results["output"]


@pytest.mark.parametrize("target", ["@SOURCE@/solutions", str(SOLUTIONS)])
def test_an_exercises_link_to_the_solutions_scores_nothing(bundle: Path, tmp_path: Path,
                                                          target: str) -> None:
    results = _run(bundle, tmp_path, {}, links={"exercises": target})
    assert results["score"] == 0 and results["tests"] == []
    assert "exercises is a symbolic link" in results["output"]


def test_module_links_to_the_solutions_score_nothing_and_the_rest_counts(bundle: Path,
                                                                        tmp_path: Path) -> None:
    honest = _solutions()
    del honest["losses.py"]
    results = _run(bundle, tmp_path, honest, links={"losses.py": "@SOURCE@/solutions/losses.py"})
    lost = {t["name"].split(":")[0] for t in results["tests"] if t["score"] < t["max_score"]}
    assert lost == {f"losses.{f}" for f in MODULES["losses"]}
    assert all(t["score"] == 0 for t in results["tests"] if t["name"].startswith("losses."))
