"""``grade gradescope``: the bundle's ``run_autograder`` grades a submission end to end."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

import solutions
from grader.classroom.gradescope import build_bundle
from grader.contract import MODULES
from grader.report import gradescope

SOLUTIONS = Path(solutions.__file__).parent
SCHEMA = json.loads((Path(__file__).with_name("gradescope_results.schema.json")).read_text())
#: Instructor rules: the ±1e4 tests hidden until the due date, torch_api hidden.
RULES = (("*±1e4*", "after_due_date"), ("torch_api.*", "hidden"))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_zip = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    build_bundle(out_zip, RULES, "en")
    return out_zip


def _run(bundle: Path, root: Path, submission: dict[str, str | bytes],
         links: dict[str, str] = {}, broken: bool = False,
         metadata: dict | None = None) -> dict:
    """Unpack ``bundle`` as Gradescope does, run ``run_autograder``, return results.json
    (checked against Gradescope's specification, with no absolute path of this machine).
    ``submission``: relative path -> text or bytes; ``links``: entries of the submission made
    links (``@SOURCE@``: the unpacked bundle); ``metadata``: submission_metadata.json."""
    if not (root / "source").exists():
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(root / "source")
    if broken:  # the grader itself cannot start
        (root / "source" / "grader" / "cli.py").write_text("raise SystemExit('broken')\n")
    (root / "submission").mkdir(exist_ok=True)
    for name, content in submission.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    for name, target in links.items():
        (root / "submission" / name).symlink_to(target.replace("@SOURCE@", str(root / "source")))
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "PYTHON": sys.executable}
    env.pop("GRADER_LANG", None)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                   capture_output=True, timeout=300, check=True)
    text = (root / "results" / "results.json").read_text(encoding="utf-8")
    results = json.loads(text)
    jsonschema.validate(results, SCHEMA)
    assert str(root) not in text and "/tmp/" not in text
    assert len(text.encode("utf-8")) < gradescope.BUDGET
    return results


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
    # The same score as grade run's, and as the sum of the tests.
    seed = re.search(r"--seed (\d+)", results["output"]).group(1)
    done = subprocess.run([sys.executable, "-c", "from grader.cli import main; main()", "run",
                           str(tmp_path / "submission"), "--seed", seed, "--lang", "en"],
                          capture_output=True, text=True, timeout=300)
    score = float(re.search(r"Score: ([\d.]+) / 100", done.stdout).group(1))
    assert results["score"] == pytest.approx(score, abs=0.01)
    assert sum(t["score"] for t in results["tests"]) == pytest.approx(score, abs=0.01)


def test_ungradable_submission_still_gets_results(bundle: Path, tmp_path: Path) -> None:
    """0 / 100, the reason said once, and no seed line (nothing was drawn)."""
    results = _run(bundle, tmp_path, {"notes.txt": "nothing to grade"})
    assert results["score"] == 0
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(100)
    assert results["output"].count("no exercise modules found") == 1
    assert "seed" not in results["output"].lower()
    assert not [t for t in results["tests"] if t["output"]]


def _buggy() -> dict[str, str]:
    """The solutions with relu returning x and mse raising."""
    sources = _solutions()
    sources["activations.py"] = sources["activations.py"].replace(
        "return np.maximum(x, 0.0)", "return x")
    sources["losses.py"] += "\n\ndef mse(y, y_hat):\n    raise ValueError('no')\n"
    return sources


def _zipped(files: dict[str, str], prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(prefix + name, text)
    return buffer.getvalue()


def _grade_run(submission: Path, seed: int) -> float:
    done = subprocess.run([sys.executable, "-c", "from grader.cli import main; main()", "run",
                           str(submission), "--seed", str(seed), "--lang", "en"],
                          capture_output=True, text=True, timeout=300)
    return float(re.search(r"Score: ([\d.]+) / 100", done.stdout).group(1))


@pytest.mark.parametrize("layout", ["zipped folder", "repository", "raw zip"])
def test_a_submission_is_found_wherever_a_student_put_it(layout: str, bundle: Path,
                                                         tmp_path: Path) -> None:
    """A zip of a folder (Gradescope unpacks it to submission/heidi/), a repository with
    exercises/ one level down, a .zip left as it is: the score of grade run on the files."""
    files = _buggy()
    submission = {"zipped folder": {f"heidi/{n}": t for n, t in files.items()},
                  "repository": {f"hw1-victor/exercises/{n}": t for n, t in files.items()}
                  | {"hw1-victor/README.md": "# hw1\n"},
                  "raw zip": {"hw1.zip": _zipped(files, "hw1/")}}[layout]
    metadata = {"id": 123456}
    results = _run(bundle, tmp_path / "gradescope", submission, metadata=metadata)
    seed = results["extra_data"]["seed"]
    flat = tmp_path / "flat"
    flat.mkdir()
    for name, text in files.items():
        (flat / name).write_text(text, encoding="utf-8")
    expected = _grade_run(flat, seed)
    assert 0 < expected < 100
    assert results["score"] == pytest.approx(expected, abs=0.01)
    assert _grade_run(tmp_path / "gradescope" / "submission", seed) == pytest.approx(expected,
                                                                                    abs=0.01)


def test_a_regrade_gives_the_same_results(bundle: Path, tmp_path: Path) -> None:
    """The seed comes from the submission's id, else from its content: never drawn afresh."""
    by_id = [_run(bundle, tmp_path / f"id{i}", _buggy(), metadata={"id": 987654321})
             for i in range(2)]
    assert by_id[0]["tests"] == by_id[1]["tests"] and by_id[0]["score"] == by_id[1]["score"]
    assert by_id[0]["extra_data"]["seed"] == by_id[1]["extra_data"]["seed"]
    by_content = [_run(bundle, tmp_path / f"content{i}", _buggy()) for i in range(2)]
    assert by_content[0]["extra_data"]["seed"] == by_content[1]["extra_data"]["seed"]
    assert by_content[0]["tests"] == by_content[1]["tests"]
    # (another id gives another seed: tests/classroom/test_regrade.py)


@pytest.mark.parametrize("lang, words", [(None, "점수"), ("en", "Score")])
def test_the_feedback_is_in_the_course_language_unless_told(lang: str | None, words: str,
                                                            tmp_path: Path) -> None:
    """grade gradescope defaults to Korean, like grade release; --lang en gives English."""
    out_zip = tmp_path / "autograder.zip"
    command = [sys.executable, "-c", "from grader.cli import main; main()", "gradescope",
               str(out_zip)] + (["--lang", lang] if lang else [])
    env = {k: v for k, v in os.environ.items() if k != "GRADER_LANG"}
    subprocess.run(command, check=True, capture_output=True, timeout=300, env=env)
    results = _run(out_zip, tmp_path / "root", _buggy())
    assert words in results["output"]
    failing = [t for t in results["tests"] if t["score"] < t["max_score"]]
    korean = [t for t in failing if re.search("[가-힣]", t["output"])]
    assert len(korean) == (len(failing) if lang is None else 0)


@pytest.mark.parametrize("target", ["@SOURCE@/solutions", str(SOLUTIONS)])
def test_an_exercises_link_to_the_solutions_scores_nothing(bundle: Path, tmp_path: Path,
                                                          target: str) -> None:
    results = _run(bundle, tmp_path, {}, links={"exercises": target})
    assert results["score"] == 0 and all(t["score"] == 0 for t in results["tests"])
    assert "exercises is a symbolic link" in results["output"]
    assert str(SOLUTIONS) not in json.dumps(results)


def test_module_links_to_the_solutions_score_nothing_and_the_rest_counts(bundle: Path,
                                                                        tmp_path: Path) -> None:
    honest = _solutions()
    del honest["losses.py"]
    results = _run(bundle, tmp_path, honest, links={"losses.py": "@SOURCE@/solutions/losses.py"})
    lost = {t["name"].split(":")[0] for t in results["tests"] if t["score"] < t["max_score"]}
    assert lost == {f"losses.{f}" for f in MODULES["losses"]}
    assert all(t["score"] == 0 for t in results["tests"] if t["name"].startswith("losses."))


def test_results_declare_their_formats_and_visibility(bundle: Path, tmp_path: Path) -> None:
    results = _run(bundle, tmp_path, _solutions())
    assert (results["output_format"], results["stdout_visibility"]) == ("md", "hidden")
    levels = {t["name"]: t["visibility"] for t in results["tests"]}
    assert levels["activations.softmax: logits of ±1e4"] == "after_due_date"
    assert {v for k, v in levels.items() if k.startswith("torch_api.")} == {"hidden"}
    assert levels["activations.relu: random values of any shape"] == "visible"


def test_the_schema_rejects_what_gradescope_would(tmp_path: Path) -> None:
    for bad in ({"score": "100"}, {"tests": [{"name": "x"}]}, {"score": 1, "output_fromat": "md"},
                {"score": 1, "tests": [{"score": 1, "visibility": "later"}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, SCHEMA)


def test_a_noisy_submission_stays_within_budget(bundle: Path, tmp_path: Path) -> None:
    noisy = "\n\nimport builtins as _b\n_b.print('x' * 100000)\n"
    sources = {name: text + noisy for name, text in _solutions().items()}
    sources["losses.py"] += "\n\ndef mse(y, y_hat):\n    print('y' * 100000)\n    return 0.0\n"
    results = _run(bundle, tmp_path, sources)
    assert 0 < results["score"] < 100


def test_a_grader_that_cannot_start_still_writes_valid_results(bundle: Path,
                                                               tmp_path: Path) -> None:
    results = _run(bundle, tmp_path, _solutions(), broken=True)
    assert results["score"] == 0 and results["tests"][0]["max_score"] == 100
    assert "broken" in results["output"]
