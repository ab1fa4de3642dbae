"""Hostile submissions: each folder under tests/adversarial/ sabotages an honest submission.

A case folder's files named like a contract module are appended to a copy of the honest
module in ``tests/adversarial/_honest/`` (later definitions win, module-level code runs at
import); other files are copied as they are (``*.py.txt`` as ``*.py``: a ``conftest.py``
in the tree would be run by pytest itself). ``@GRADER_CWD@``, ``@REPO@``, ``@SUBMISSION@``
and ``@MARKER@`` in them are replaced by real paths, as an attacker who knows the layout
would write them.

For every case, at the Session level: each sabotaged call ends with the expected kind of
outcome, the honest functions of the same submission still return correct
values, and no process is left behind. End to end (the grader): the sabotaged functions
score 0 and every other function keeps all its marks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pytest

from grader.contract import FROM_SCRATCH, FUNCTIONS, MODULES, module_of
from grader.sandbox import CallOutcome, Limits, Refused, Sandbox, ScalarFunction
from grader.sandbox import confine
from grader.sandbox.session import SandboxFailure
from grader.submission import load

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = ROOT / "tests" / "adversarial"
HIDDEN = (ROOT / "solutions", ROOT / "grader")
#: Where a timeout is the point the hostile code blocks forever, and a short limit keeps the
#: test quick; every other case gets limits far above what it needs on a loaded machine.
QUICK = Limits(call_seconds=1, load_seconds=2, submission_seconds=60,
               memory_bytes=512 * 1024**2, output_chars=500, result_bytes=16 * 1024**2)
GENEROUS = replace(QUICK, call_seconds=30, load_seconds=30, submission_seconds=600)
TIMEOUT_CASES = frozenset({"infinite_loop", "ignore_signals", "fork_bomb", "hang_at_import"})

#: case -> {sabotaged function: the outcomes accepted}. Outcomes: a fault ("timeout",
#: "memory", "crash", "exit", "protocol"), "error" (an exception), "refused" (a value that
#: may not cross), "forbidden" (it used a library its module may not use), "wrong" /
#: "correct" (compared with EXPECTED), "unavailable" (its module could not be loaded).
CASES: dict[str, dict[str, set[str]]] = {
    "infinite_loop": {"losses.cross_entropy": {"timeout"}},
    "ignore_signals": {"activations.tanh": {"timeout"}},
    "memory_hog": {"activations.softmax": {"memory"}},
    "sys_exit": {"linear_regression.gradients": {"exit"}},
    "os_exit": {"linear_regression.gd_step": {"exit"}},
    "kill_self": {"mlp.numerical_gradient": {"crash"}},
    "segfault": {"losses.gaussian_log_likelihood": {"crash"}},
    "exit_at_import": {f"torch_api.{f}": {"unavailable"} for f in MODULES["torch_api"]},
    "hang_at_import": {f"losses.{f}": {"unavailable"} for f in MODULES["losses"]},
    "patch_numpy": {"activations.sigmoid": {"wrong"}},
    "patch_grader": {"linear_regression.loss": {"wrong"}},
    "fake_report": {"losses.mse_loss": {"wrong"}},
    "read_solutions": {"losses.cross_entropy_loss": {"error"}},
    "lying_objects": {f"activations.{f}": {"refused"}
                      for f in ("relu_grad", "sigmoid_grad", "tanh_grad", "log_softmax")},
    "pickle_payload": {"linear_regression.loss": {"refused"},
                       "linear_regression.fit": {"refused"}},
    "frame_inspection": {"mlp.mlp_forward": {"wrong", "error", "refused", "forbidden"}},
    "conftest_sitecustomize": {"activations.tanh": {"exit"}},
    "garbage_returns": {"mlp.linear_backward": {"refused"},
                        "mlp.mlp_backward": {"refused"},
                        "mlp.numerical_gradient": {"refused"},
                        "torch_api.mse_loss_and_grad": {"refused"}},
    "infinite_recursion": {"activations.log_softmax": {"error"},
                           "losses.gaussian_nll_loss": {"crash", "error", "memory", "timeout"}},
    "read_stdin": {"torch_api.legacy_reduction": {"error"}},
    "flood_stdout": {"losses.mse": {"error", "timeout"}},
    "detached_fork": {"activations.sigmoid": {"correct"}},
    "thread_never_ends": {"losses.mse_loss": {"correct"}},
    "fork_bomb": {"linear_regression.gd_step": {"timeout"}},
    # What the parent renders (issue #10): values and text that crashed or forged reports.
    "huge_int": {"losses.mse": {"refused"}, "linear_regression.gd_step": {"refused"},
                 "linear_regression.fit": {"refused"}},
    "surrogate_text": {"activations.relu_grad": {"error"}, "activations.sigmoid_grad": {"error"},
                       "activations.tanh_grad": {"wrong"}, "mlp.mlp_backward": {"wrong"}},
    "long_keys": {"mlp.mlp_backward": {"wrong"}},
    "terminal_escapes": {"mlp.mlp_backward": {"wrong"}, "mlp.linear_backward": {"error"}},
    "forged_lines": {"losses.cross_entropy": {"error"}, "losses.mse_loss": {"correct"}},
    # The sandbox's own blind spots (issue #10): policy, processes, memory, disk.
    "map_torch": {"activations.sigmoid": {"forbidden"}},
    "server_killed": {"activations.sigmoid": {"correct"}},
    "proc_listing": {"losses.mse_loss": {"correct"}},
    "fill_disk": {"linear_regression.loss": {"correct"}},
    "batch_spy": {"mlp.mlp_forward": {"correct"}},
    # The child's channel (issue #22): what the child sends is checked before use.
    "forged_reply": {"losses.mse": {"protocol"}, "losses.mse_loss": {"wrong"}},
    "flood_while_loading": {f"mlp.{f}": {"unavailable"} for f in MODULES["mlp"]},
    # Smaller (issue #22): however a callee is supplied, the reference answers for it; no
    # path of the grading machine reaches the student.
    "lazy_activations": {"activations.tanh": {"wrong"}},
    "import_error_path": {f"losses.{f}": {"unavailable"} for f in MODULES["losses"]},
}
#: Never sabotaged: called after the sabotage in every case that leaves their module alone.
HONEST = ("activations.relu", "linear_regression.predict", "mlp.linear_forward")

rng = np.random.default_rng(7)
X, W, B = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
V, Y = rng.normal(size=6), rng.normal(size=6)
T, T_HAT = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
PARAMS = {"W1": W, "b1": B, "W2": rng.normal(size=(4, 2)), "b2": rng.normal(size=2)}
ONE_HOT = np.eye(3)[[0, 2, 1, 1, 0]]
PROBS = np.exp(X) / np.exp(X).sum(axis=1, keepdims=True)

ARGS: dict[str, tuple[tuple, dict]] = {
    **{f"activations.{f}": ((X,), {}) for f in MODULES["activations"]},
    "linear_regression.predict": ((V, 0.5, -1.0), {}),
    "linear_regression.loss": ((V, Y, 0.5, -1.0), {}),
    "linear_regression.gradients": ((V, Y, 0.5, -1.0), {}),
    "linear_regression.gd_step": ((0.5, -1.0, 0.1, 0.2, 0.1), {}),
    "linear_regression.fit": ((V, Y), {"steps": 5}),
    "mlp.linear_forward": ((X, W, B), {}),
    "mlp.linear_backward": ((rng.normal(size=(5, 4)), X, W), {}),
    "mlp.mlp_forward": ((X, PARAMS), {}),
    "mlp.mlp_backward": ((X, T, PARAMS), {}),
    "mlp.numerical_gradient": ((ScalarFunction("cubic_sin"), X), {}),
    "losses.mse": ((T, T_HAT), {}),
    "losses.mse_loss": ((T, T_HAT), {}),
    "losses.cross_entropy": ((ONE_HOT, PROBS), {}),
    "losses.cross_entropy_loss": ((X, np.array([0, 2, 1, 1, 0])), {}),
    "losses.gaussian_log_likelihood": ((T, T_HAT), {}),
    "losses.gaussian_nll_loss": ((T, T_HAT, 1.0), {}),
    "torch_api.legacy_reduction": ((), {"size_average": False}),
    "torch_api.mse_loss_and_grad": ((T, T_HAT), {}),
}
EXPECTED: dict[str, Any] = {
    "activations.relu": np.maximum(X, 0),
    "activations.sigmoid": 1 / (1 + np.exp(-X)),
    "linear_regression.predict": 0.5 * V - 1.0,
    "linear_regression.loss": float(np.mean((Y - (0.5 * V - 1.0)) ** 2)),
    "mlp.linear_forward": X @ W + B,
    "mlp.mlp_forward": np.maximum(X @ W + B, 0) @ PARAMS["W2"] + PARAMS["b2"],
    "losses.mse_loss": float(np.mean((T - T_HAT) ** 2)),
}


def build(case: str, tmp_path: Path) -> Path:
    """The submission of ``case``: the honest modules with the case's files laid over them."""
    submission = tmp_path / case
    shutil.copytree(CASES_DIR / "_honest", submission)
    marks = {"@GRADER_CWD@": os.getcwd(), "@REPO@": str(ROOT),
             "@SUBMISSION@": str(submission), "@MARKER@": str(tmp_path / "pwned")}
    for source in sorted((CASES_DIR / case).iterdir()):
        text = source.read_text()
        for mark, value in marks.items():
            text = text.replace(mark, value)
        target = submission / source.name.removesuffix(".txt")
        with open(target, "a" if target.exists() else "w") as out:
            out.write(text)
    return submission


def kind(outcome: CallOutcome, function: str) -> str:
    """What a call came to: a fault, "refused", "error", "forbidden", "correct" or "wrong"."""
    if outcome.fault:
        return outcome.fault
    if isinstance(outcome.value, Refused):
        return "refused"
    if outcome.error_type:
        return "error"
    if outcome.forbidden:
        return "forbidden"
    expected, value = EXPECTED.get(function), outcome.value
    if type(value) in (float, np.float64, np.ndarray) and expected is not None \
            and np.shape(value) == np.shape(expected) and np.allclose(value, expected):
        return "correct"
    return "wrong"


def call(session: Any, function: str) -> tuple[str, CallOutcome]:
    if function not in session.available:
        return "unavailable", CallOutcome()
    args, kwargs = ARGS[function]
    outcome = session.call(function, args, kwargs,
                           scratch=module_of(function) in FROM_SCRATCH)
    return kind(outcome, function), outcome


def limits_of(case: str) -> Limits:
    return QUICK if case in TIMEOUT_CASES else GENEROUS


def broken_modules(case: str) -> set[str]:
    return {module_of(f) for f, kinds in CASES[case].items() if kinds == {"unavailable"}}


def leftovers(submission: Path) -> list[str]:
    """Processes that should be gone: anything below this process's fork servers (those it
    launched, and the servers these forked in a PID namespace), anything running as their
    children's uid, anything whose command line or folder names ``submission``."""
    table = {}
    for pid in (int(name) for name in os.listdir("/proc") if name.isdigit()):
        try:
            stat = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
            uid = int(Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[0])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            cwd = ""
        table[pid] = (int(stat[1]), uid, cmdline, cwd, stat[0].decode())
    launchers = {pid for pid, (parent, *_rest) in table.items() if parent == os.getpid()}
    servers = launchers | {pid for pid, (parent, *_rest) in table.items() if parent in launchers
                           and "grader.sandbox.boot" in table[pid][2]}
    uids = {confine.FIRST_UID + server for server in servers}
    left = []
    for pid, (parent, uid, cmdline, cwd, state) in table.items():
        below = parent in servers or uid in uids
        named = str(submission) in cmdline or cwd.startswith(str(submission))
        if (below or named) and pid not in servers:
            left.append(f"{pid} ({state}, uid {uid}, parent {parent}): {cmdline[:80]}")
    return left


def assert_nothing_left(submission: Path) -> None:
    deadline = time.monotonic() + 60  # a generous wait, not a bound under test
    while (left := leftovers(submission)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == []


@pytest.fixture(scope="module")
def sandboxes():
    with Sandbox(QUICK, hidden_paths=HIDDEN) as quick, \
            Sandbox(GENEROUS, hidden_paths=HIDDEN) as generous:
        yield {QUICK: quick, GENEROUS: generous}


@pytest.mark.parametrize("case", sorted(CASES))
def test_session_survives(case: str, sandboxes: dict[Limits, Sandbox], tmp_path: Path,
                          capfd: pytest.CaptureFixture[str]) -> None:
    submission = build(case, tmp_path)
    broken = broken_modules(case)
    with sandboxes[limits_of(case)].open(load(submission)) as session:
        assert set(session.load_errors) == {f"{m}.py" for m in broken}
        for function, accepted in CASES[case].items():
            got, outcome = call(session, function)
            assert got in accepted, (function, outcome)
            assert len(outcome.output) <= QUICK.output_chars + 100
        for function in HONEST:
            if module_of(function) not in broken:
                assert call(session, function)[0] == "correct", function
    assert_nothing_left(submission)
    assert not (tmp_path / "pwned").exists()
    assert capfd.readouterr().out == ""  # nothing reached the grader's own stdout


def test_no_forged_results_file(sandboxes: dict[Limits, Sandbox], tmp_path: Path) -> None:
    submission = build("fake_report", tmp_path)
    targets = [Path.cwd() / "results.json", submission / "results.json",
               Path("/autograder/results/results.json"), Path("/tmp/results.json")]
    before = [p.stat().st_mtime if p.exists() else None for p in targets]
    with sandboxes[GENEROUS].open(load(submission)) as session:
        got, outcome = call(session, "losses.mse_loss")
    assert got == "wrong" and '"score": 100.0' in outcome.output  # kept as the call's output
    assert [p.stat().st_mtime if p.exists() else None for p in targets] == before


def _namespaces_allowed() -> bool:
    """Whether this system gives a fork server PID and mount namespaces (tried in a child)."""
    pid = os.fork()
    if pid == 0:
        os._exit(0 if getattr(confine, "enter_namespaces", lambda: True)() else 1)
    return os.waitpid(pid, 0)[1] == 0


needs_namespaces = pytest.mark.skipif(not _namespaces_allowed(),
                                      reason="this system forbids PID and mount namespaces")


def _serving(box: Sandbox) -> int:
    """The process that serves ``box``: the launcher's child in a namespace, else itself."""
    launcher = box._link.pid
    children = Path(f"/proc/{launcher}/task/{launcher}/children").read_text().split()
    return int(children[0]) if children else launcher


@needs_namespaces
@pytest.mark.parametrize("which", ["launched", "serving"])
def test_a_server_killed_from_outside_leaves_nothing_behind(which: str, tmp_path: Path) -> None:
    submission = build("server_killed", tmp_path)
    with Sandbox(GENEROUS, hidden_paths=HIDDEN) as box, box.open(load(submission)) as session:
        def sabotaged() -> None:
            try:
                call(session, "activations.sigmoid")
            except SandboxFailure:
                pass
        during = threading.Thread(target=sabotaged)
        during.start()
        deadline = time.monotonic() + 60  # a generous wait for the grandchild to start
        while not leftovers(submission) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert leftovers(submission), "the grandchild never started"
        os.kill(box._link.pid if which == "launched" else _serving(box), signal.SIGKILL)
        during.join()
    assert_nothing_left(submission)


@needs_namespaces
def test_a_child_sees_only_the_sandboxs_processes(sandboxes: dict[Limits, Sandbox],
                                                  tmp_path: Path) -> None:
    with sandboxes[GENEROUS].open(load(build("proc_listing", tmp_path))) as session:
        got, outcome = call(session, "losses.mse_loss")
    assert got == "correct"
    seen = re.search(r"PROCESSES (\d+) SELF (\d+)", outcome.output)
    assert seen is not None, outcome.output
    assert int(seen[1]) <= 3, outcome.output   # the server, the child (and a leftover)
    assert "pytest" not in outcome.output


@needs_namespaces
def test_a_submission_cannot_fill_its_folder_nor_tmp(sandboxes: dict[Limits, Sandbox],
                                                     tmp_path: Path) -> None:
    with sandboxes[GENEROUS].open(load(build("fill_disk", tmp_path))) as session:
        got, outcome = call(session, "linear_regression.loss")
    assert got == "correct"
    wrote = re.search(r"WROTE (\d+) MiB FILES (\d+) TMP (\d+)", outcome.output)
    assert wrote is not None, outcome.output
    assert int(wrote[1]) <= GENEROUS.disk_bytes // 2**20, outcome.output
    assert int(wrote[2]) <= confine.WORKDIR_FILES and int(wrote[3]) == 0, outcome.output


def test_a_batch_child_finds_no_classmate_nor_the_seed(tmp_path: Path) -> None:
    """In a batch worker the child used to be forked with the grader's frames: the class's
    entries and the seed were in reach (sys._getframe().f_back, gc)."""
    from grader.classroom.batch import run_batch
    from grader.cli import make_options
    klass = tmp_path / "class"
    shutil.copytree(CASES_DIR / "_honest", klass / "a_zqclassmate")
    shutil.move(build("batch_spy", tmp_path), klass / "b_spy")
    shutil.copytree(CASES_DIR / "_honest", klass / "c_zqclassmate")
    options = make_options(seed=424242, hide_inputs=False, no_solutions=False, timeout=30.0,
                           memory=None)
    out = tmp_path / "out"
    run_batch(klass, out, options, jobs=1, progress=False)   # one worker grades all, in turn
    from grader.classroom import gradebook
    book = {row["submission"]: row for row in gradebook.read(out / "gradebook.csv")}
    assert book["b_spy"]["status"] == "graded", book["b_spy"]["status"]
    assert book["b_spy"]["score"] == book["a_zqclassmate"]["score"] == "100"


def test_solutions_exist_to_be_stolen() -> None:
    """read_solutions is only meaningful while the reference solutions are on disk."""
    assert (ROOT / "solutions" / "losses.py").is_file()


# -- end to end ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graders() -> Iterator[Callable[[Limits], Any]]:
    """A grader with the given limits. Never two at once: a grader's server must be started
    before any expected value exists in the process, so the other one closes first."""
    from grader.grading import Grader, Options
    opened: dict[Limits, Any] = {}

    def grader_with(limits: Limits) -> Any:
        if limits not in opened:
            for other in opened.values():
                other.close()
            opened.clear()
            opened[limits] = Grader(Options(seed=1, limits=limits)).__enter__()
        return opened[limits]

    yield grader_with
    for other in opened.values():
        other.close()


def function_points(report: Any) -> dict[str, tuple[float, float]]:
    totals: dict[str, tuple[float, float]] = {}
    for test in report.tests:
        points, most = totals.get(test.function, (0.0, 0.0))
        totals[test.function] = (points + test.points, most + test.max_points)
    return totals


def test_honest_submission_scores_full_marks(graders: Callable[[Limits], Any]) -> None:
    report = graders(GENEROUS).grade(load(CASES_DIR / "_honest"))
    assert report.score == 100, [(t.name, t.message) for t in report.tests if t.status != "passed"]


@pytest.mark.parametrize("case", sorted(CASES, key=lambda case: (case not in TIMEOUT_CASES, case)))
def test_grading_charges_only_the_sabotage(case: str, graders: Callable[[Limits], Any],
                                           tmp_path: Path) -> None:
    submission = build(case, tmp_path)
    points = function_points(graders(limits_of(case)).grade(load(submission)))
    broken = broken_modules(case)
    zero = {f for f, kinds in CASES[case].items() if "correct" not in kinds}
    zero |= {f for f in FUNCTIONS if module_of(f) in broken}
    assert {f: points[f] for f in zero if points[f][0] != 0} == {}
    assert {f: points[f] for f in FUNCTIONS if f not in zero and points[f][0] != points[f][1]} \
        == {}
    assert_nothing_left(submission)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("case", ["fake_report", "flood_stdout"])
def test_gradescope_output_is_the_graders(case: str, tmp_path: Path) -> None:
    submission = build(case, tmp_path)
    grade = Path(sys.executable).with_name("grade")
    done = subprocess.run([str(grade), "run", str(submission), "--format", "gradescope",
                           "--seed", "1", "--timeout", "30"], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    document = json.loads(done.stdout)
    assert 0 < document["score"] < 100
    assert not (tmp_path / "results.json").exists()
    assert_nothing_left(submission)


def test_no_path_of_the_grading_machine_reaches_the_student(graders: Callable[[Limits], Any],
                                                            tmp_path: Path) -> None:
    from grader.report import FORMATS, render

    submission = build("import_error_path", tmp_path)
    report = graders(GENEROUS).grade(load(submission))
    assert any("not_there_at_all" in note for note in report.notes), report.notes
    for fmt in FORMATS:
        shown = render(report, fmt)
        assert str(tmp_path) not in shown and str(ROOT) not in shown, fmt
