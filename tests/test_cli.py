"""``grade``: exit codes, one-line errors, ``--seed`` reproducibility and every format."""

from __future__ import annotations

import base64
import copy
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader.cli import main
from grader.i18n import set_language
from grader.report.model import Report

ROOT = Path(__file__).resolve().parent.parent
GRADE = [sys.executable, "-c", "from grader.command import main; main()"]
#: Small limits keep the tests quick.
LIMITS = ["--timeout", "2"]
BUG = '''

def mse(y, y_hat):
    """Divides by N*D instead of N: a typical bug."""
    import numpy as np
    print("debugging mse")
    return float(np.mean((np.asarray(y) - np.asarray(y_hat)) ** 2))
'''


@pytest.fixture(scope="module")
def buggy(tmp_path_factory) -> Path:
    """The reference solutions with a wrong ``losses.mse``."""
    folder = tmp_path_factory.mktemp("subs") / "buggy"
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__*"))
    with (folder / "losses.py").open("a") as handle:
        handle.write(BUG)
    return folder


@pytest.fixture(autouse=True)
def default_language(monkeypatch):
    monkeypatch.delenv("GRADER_LANG", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    yield
    set_language(None)


def grade(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``grade`` in this process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grade: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def broken_notebook(tmp_path) -> Path:
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    return path


@pytest.mark.parametrize("args, says", [
    (["run", "no/such/folder"], "no such file or folder"),
    (["run", "BROKEN"], "not a valid notebook"),
    (["run", "SUB", "--sed", "1"], "No such option"),
    (["run", "SUB", "--format", "pdf"], "--format"),
    (["run", "SUB", "--lang", "fr"], "--lang"),
    (["batch", "SUB", "-o", "OUT", "--shard", "3/2"], "K/N"),
    (["batch", "SUB", "-o", "OUT", "--shard", "1/2"], "--seed"),
    (["batch", "SUB", "-o", "OUT", "--shard", "x"], "K/N"),
    (["batch", "SUB"], "--out"),
    (["merge", "SUB", "-o", "OUT"], "no gradebook.csv"),
    (["frobnicate"], "No such command"),
    (["run", "SUB", "--only", "activ"], "activations, linear_regression, mlp, losses, torch_api"),
    (["run", "SUB", "--only", "losses.mes"], "losses has mse, mse_loss"),
    (["watch", "no/such/folder"], "no such file or folder"),
    (["watch", "SUB", "--only", ""], "empty name"),
])
def test_bad_usage_or_input_is_one_line_and_exit_2(capsys, tmp_path, buggy, broken_notebook,
                                                   args, says):
    paths = {"BROKEN": broken_notebook, "SUB": buggy, "OUT": tmp_path / "out"}
    code, out, err = grade(capsys, *[paths.get(a, a) for a in args])
    assert code == 2 and out == ""
    assert says in one_error_line(err)


def test_console_script_reports_errors_the_same_way(tmp_path):
    done = subprocess.run(GRADE + ["run", str(tmp_path / "missing")], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 2 and done.stdout == ""
    assert one_error_line(done.stderr).endswith(str(tmp_path / "missing"))


@pytest.fixture(scope="module")
def seeded(buggy, tmp_path_factory) -> list[dict]:
    """Two JSON reports of the buggy submission with the same seed."""
    reports = []
    for _ in range(2):
        out = tmp_path_factory.mktemp("json") / "report.json"
        with pytest.raises(SystemExit) as exit_info:
            main(["run", str(buggy), "--seed", "7", "--format", "json", "-o", str(out), *LIMITS])
        assert exit_info.value.code == 0
        reports.append(json.loads(out.read_text(encoding="utf-8")))
    return reports


@pytest.fixture
def graded(monkeypatch, seeded):
    """``grade run`` answers with the real report of ``seeded`` instead of grading again
    (each real run starts sandboxes and draws every case: seconds)."""
    report = Report.from_dict(seeded[0])

    class Cached:
        warnings: list[str] = []

        def __init__(self, options):
            self.seed = options.seed

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

        def grade(self, submission, only=None):
            return copy.deepcopy(report)

        def close_meanwhile(self):
            return lambda: None

    monkeypatch.setattr("grader.grading.Grader", Cached)


def test_same_seed_same_report(seeded):
    first, second = ([(t["name"], t["points"], t["status"], t["message"]) for t in r["tests"]]
                     for r in seeded)
    assert first == second and seeded[0]["seed"] == seeded[1]["seed"] == 7
    assert seeded[0]["score"] == seeded[1]["score"] < 100
    assert seeded[0]["max_score"] == 100
    failed = {t["function"] for t in seeded[0]["tests"] if t["status"] != "passed"}
    assert failed == {"losses.mse"}


def test_fail_under(graded, capsys, buggy, seeded):
    score = seeded[0]["score"]
    code, out, err = grade(capsys, "run", buggy, "--seed", "7", "--format", "markdown",
                           "--fail-under", score + 1, *LIMITS)
    assert code == 1 and "fail-under" in err
    lines = out.splitlines()
    assert lines[2].startswith("| ") and any(line.startswith("| `losses.mse` |") for line in lines)
    assert f"Seed: 7" in out


def test_text_is_the_default_and_prints_the_seed(graded, capsys, buggy):
    code, out, err = grade(capsys, "run", buggy, "--seed", "7", *LIMITS)
    assert code == 0 and "losses.mse" in out and "--seed 7" in out
    assert "Score:" in out and "debugging mse" in out and "\x1b[" not in out


def test_gradescope_to_file(graded, capsys, buggy, tmp_path):
    target = tmp_path / "results.json"
    code, out, err = grade(capsys, "run", buggy, "--format", "gradescope", "-o", target, *LIMITS)
    assert code == 0 and out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["score"] == sum(t["score"] for t in data["tests"])
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output"}
        assert test["status"] in ("passed", "failed")
        assert test["name"].split(":")[0].count(".") == 1
    assert sum(t["max_score"] for t in data["tests"]) == 100


def test_junit(graded, capsys, buggy):
    code, out, err = grade(capsys, "run", buggy, "--format", "junit", *LIMITS)
    suite = ET.fromstring(out.encode()).find("testsuite")
    failed = [c for c in suite.findall("testcase") if c.find("failure") is not None]
    assert code == 0 and failed and {c.get("classname") for c in failed} == {"losses.mse"}
    assert all(c.find("failure").get("message") for c in failed)


def runner_results(lines: str) -> dict[str, dict]:
    """The decoded runner results of ``NAME=VALUE`` lines (stdout or $GITHUB_OUTPUT)."""
    pairs = [line.split("=", 1) for line in lines.splitlines() if line.startswith("dlgrade")]
    return {name: json.loads(base64.b64decode(value)) for name, value in pairs}


def test_github_result_and_step_summary(graded, capsys, buggy, tmp_path, monkeypatch):
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    code, out, err = grade(capsys, "run", buggy, "--format", "github", *LIMITS)
    results = runner_results(outputs.read_text())
    assert code == 0 and {r["status"] for r in results.values()} >= {"fail"}
    assert sum(r["max_score"] for r in results.values()) == 100
    assert 0 < sum(t["score"] for r in results.values() for t in r["tests"]) < 100
    # In Actions the step's log is the terminal report; the results go to $GITHUB_OUTPUT.
    assert not runner_results(out) and "Score: " in out and "Smallest failing example" in out
    assert "| `losses.mse` |" in summary.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["github", "gradescope", "junit", "json"])
def test_machine_formats_report_an_ungradable_submission(capsys, tmp_path, fmt, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    code, out, err = grade(capsys, "run", "empty", "--format", fmt, "--seed", "4")
    assert code == 2 and "no exercise modules found" in one_error_line(err)
    assert str(tmp_path) not in out          # the submission is named as given
    if fmt == "github":
        results = runner_results(out)
        assert {r["status"] for r in results.values()} == {"error"}
        assert sum(r["max_score"] for r in results.values()) == 100
    elif fmt == "gradescope":
        document = json.loads(out)
        assert document["score"] == 0 and "no exercise modules found" in document["output"]
        assert sum(t["max_score"] for t in document["tests"]) == 100
    elif fmt == "junit":
        assert ET.fromstring(out).find("testsuite").get("errors") != "0"
    else:
        assert json.loads(out)["status"] == "error"


def test_visibility_rules_reach_gradescope(graded, capsys, buggy):
    code, out, err = grade(capsys, "run", buggy, "--format", "gradescope", *LIMITS,
                           "--visibility", "losses.*=hidden",
                           "--visibility", "*±1e4*=after_due_date")
    levels = {t["name"]: t["visibility"] for t in json.loads(out)["tests"]}
    assert levels["losses.cross_entropy_loss: logits of ±1e4"] == "after_due_date"
    assert levels["losses.mse: (N, D) arrays"] == "hidden"
    assert levels["activations.relu: random values of any shape"] == "visible"
    code, out, err = grade(capsys, "run", buggy, "--format", "gradescope",
                           "--visibility", "losses.*=secret")
    assert code == 2 and "PATTERN=LEVEL" in one_error_line(err)


def test_korean(graded, capsys, buggy):
    code, out, err = grade(capsys, "run", buggy, "--lang", "ko", *LIMITS)
    assert code == 0 and "시드" in out and "점수" in out


def test_release_and_gradescope_call_their_builders(capsys, monkeypatch, tmp_path):
    built = []
    languages = []
    monkeypatch.setattr("grader.classroom.release.build_release",
                        lambda target, lang, **_options: (built.append(target),
                                                          languages.append(lang)))
    monkeypatch.setattr("grader.classroom.gradescope.build_bundle",
                        lambda target, visibility, lang, **_options: (built.append(target),
                                                                      languages.append(lang)))
    assert grade(capsys, "release", tmp_path / "release")[0] == 0
    assert grade(capsys, "release", tmp_path / "release", "--lang", "en")[0] == 0
    assert grade(capsys, "gradescope", tmp_path / "bundle.zip")[0] == 0
    assert grade(capsys, "gradescope", tmp_path / "bundle.zip", "--lang", "en")[0] == 0
    assert built == [tmp_path / "release"] * 2 + [tmp_path / "bundle.zip"] * 2
    assert languages == ["ko", "en", "ko", "en"]   # Korean by default: this course's bundles

    def refuse(out, lang="ko", **_options):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("grader.classroom.release.build_release", refuse)
    code, out, err = grade(capsys, "release", tmp_path / "release")
    assert code == 2 and "Permission denied" in one_error_line(err)


SAID = "Graded only: losses.mse, activations.relu"


@pytest.mark.parametrize("fmt", ["text", "json", "gradescope", "junit", "github", "markdown"])
def test_only_is_scored_out_of_the_selection_and_said_in_every_format(capsys, buggy, fmt):
    code, out, err = grade(capsys, "run", buggy, "--only", "losses.mse,relu", "--seed", "3",
                           "--format", fmt, *LIMITS)
    assert code == 0 and "activations.sigmoid" not in out and "losses.mse_loss" not in out
    out_of = 5   # relu's 2 points and mse's 3
    if fmt == "json":
        data = json.loads(out)
        assert data["max_score"] == out_of
        assert data["selected"] == ["losses.mse", "activations.relu"]
    elif fmt == "gradescope":
        data = json.loads(out)
        assert sum(t["max_score"] for t in data["tests"]) == out_of and SAID in data["output"]
    elif fmt == "junit":
        properties = {p.get("name"): p.get("value")
                      for p in ET.fromstring(out.encode()).iter("property")}
        assert properties["max_score"] == "5.0"
        assert properties["selected"] == "losses.mse,activations.relu"
    elif fmt == "github":
        assert sum(r["max_score"] for r in runner_results(out).values()) == out_of
    else:
        assert f" / {out_of}" in out and SAID in out


def test_python_m_grader_is_grade(buggy, tmp_path):
    module = [sys.executable, "-m", "grader"]
    done = subprocess.run(module + ["run", str(tmp_path / "missing")], capture_output=True,
                          text=True, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert one_error_line(done.stderr).endswith(str(tmp_path / "missing"))
    done = subprocess.run(module + ["run", str(buggy), "--only", "relu", "--format", "json"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout)["score"] == 2
    done = subprocess.run(module + ["--help"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and "python -m grader" in done.stdout and "watch" in done.stdout


@pytest.fixture(scope="module")
def bundled_grader(tmp_path_factory) -> dict[str, str]:
    """The environment of a student bundle's grader: its own copy, no solutions anywhere."""
    from grader.classroom.release import build_release
    import sysconfig

    out = tmp_path_factory.mktemp("bundle")
    build_release(out)
    # -S: no site processing, so the editable install (grader and solutions) is not seen
    path = [str(out / ".grader"), sysconfig.get_paths()["purelib"]]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path), "GRADER_LANG": "en",
            "BUNDLE": str(out)}


@pytest.mark.parametrize("args", [["release", "OUT"], ["gradescope", "OUT.zip"],
                                  ["merge", "BUNDLE", "-o", "OUT"]])
def test_instructor_commands_in_the_student_bundle_say_so(bundled_grader, tmp_path, args):
    paths = {"OUT": str(tmp_path / "out"), "OUT.zip": str(tmp_path / "out.zip"),
             "BUNDLE": bundled_grader["BUNDLE"]}
    command = [sys.executable, "-S", "-m", "grader", *[paths.get(a, a) for a in args]]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path,
                          env=bundled_grader)
    assert done.returncode == 2 and done.stdout == ""
    assert "is an instructor command" in one_error_line(done.stderr)
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.zip").exists()


def test_the_student_bundle_still_grades(bundled_grader, tmp_path):
    exercises = Path(bundled_grader["BUNDLE"]) / "exercises"
    done = subprocess.run([sys.executable, "-S", "-m", "grader", "run", str(exercises),
                           "--only", "activations"], capture_output=True, text=True,
                          cwd=tmp_path, env=bundled_grader)
    assert done.returncode == 0 and "Score: 0 / 23" in done.stdout
    assert done.stdout.count("not implemented yet") == 8
