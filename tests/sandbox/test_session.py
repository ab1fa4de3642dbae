"""Calls in the child: errors, faults and recovery, output, mutation, refusals, callees, policy."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from grader.sandbox import Refused, Sandbox, ScalarFunction
from grader.sandbox.session import SandboxFailure
from tests.sandbox.session_support import (HIDDEN, LIMITS, folder, notebook, sandbox,  # noqa: F401
                                           sandbox_processes,
                                           single_file)

ACTIVATIONS = """
    import numpy as np
    def relu(x):
        return np.maximum(x, 0)
    def sigmoid(x):
        raise NotImplementedError("write sigmoid")
    def tanh(x):
        raise ValueError(f"bad input {x!r}")
"""


def call(session, function, *args, scratch=True, callees=None, **kwargs):
    return session.call(function, args, kwargs, scratch=scratch, callees=callees or {})


@pytest.fixture
def session(sandbox, tmp_path):
    with sandbox.open(folder(tmp_path, activations=ACTIVATIONS, losses=LOSSES)) as opened:
        yield opened


LOSSES = """
    import os, sys, time, ctypes, numpy as np
    def mse(y, y_hat):
        if not isinstance(y, str):
            return float(np.mean((y - y_hat) ** 2))
        if y == "loop":
            print("before the loop")
            while True:
                pass
        if y == "exit_later":
            import threading
            threading.Thread(target=lambda: (time.sleep(0.05), os._exit(9))).start()
            return 1.0
        if y == "fork":
            os.fork()
            return float(os.getpid())
        if y == "segfault":
            ctypes.string_at(0)
        if y == "os_exit":
            os._exit(5)
        if y == "sys_exit":
            sys.exit(2)
        if y == "memory":
            return np.ones(2**31)
        if y == "memory_slowly":  # fills its memory, then the clock runs out
            blocks = []
            while True:
                try:
                    blocks.append(np.empty(2**20))  # address space: no page to fill
                except MemoryError:
                    time.sleep(0.1)
        if y == "print":
            print("x" * 1000)
            return 0.0
    def mse_loss(input, target, reduction="mean"):
        print("call", reduction)
        input += 1
        target["w"] = 0
        return 1.0
    def cross_entropy(y, y_hat):
        class MyFloat(float):
            def __eq__(self, other):
                return True
        return {"float": MyFloat(1.0), "objects": np.array([1, None], dtype=object),
                "subclass": np.zeros(2).view(np.matrix), "tuple": (1.0, object())}[y]
    def gaussian_log_likelihood(y, y_hat, var=1.0):
        import torch
        return float(torch.tensor(y).sum())
    def cross_entropy_loss(logits, target, reduction="mean"):
        return logits.sum() + target
"""


def test_values_and_exceptions(session):
    assert call(session, "activations.relu", np.array([-1.0, 2.0])).value.tolist() == [0, 2]
    stub = call(session, "activations.sigmoid", 1.0)
    assert stub.error_type == "NotImplementedError" and stub.value is None
    assert stub.error == "NotImplementedError: write sigmoid (activations.py, line 6)"
    wrong = call(session, "activations.tanh", 1.5)
    assert wrong.error_types[:2] == ("ValueError", "Exception")
    assert wrong.error.startswith("ValueError: bad input 1.5")
    missing = call(session, "activations.softmax", 1.0)
    assert missing.error_type == "NameError"


@pytest.mark.parametrize("trigger, fault, detail", [
    ("loop", "timeout", f"exceeded {LIMITS.call_seconds:g} s"),
    ("segfault", "crash", "killed by signal 11 (SIGSEGV)"),
    ("os_exit", "exit", "exit code 5"),
    ("sys_exit", "exit", "exit code 2"),
    ("memory", "memory", "MemoryError"),
    ("memory_slowly", "memory", "at its memory limit when time ran out"),
])
def test_a_fault_costs_one_call_and_the_next_call_works(session, trigger, fault, detail):
    outcome = call(session, "losses.mse", trigger, 0.0)
    assert (outcome.fault, outcome.fault_detail) == (fault, detail)
    assert outcome.output == ("before the loop\n" if trigger == "loop" else "")
    assert call(session, "losses.mse", np.ones(2), np.zeros(2)).value == 1.0
    assert call(session, "activations.relu", -1.0).value == 0.0


def test_a_forked_copy_of_the_child_cannot_answer(session):
    first = call(session, "losses.mse", "fork", None).value
    second = call(session, "losses.mse", "fork", None).value
    assert first == second  # both from the child itself, none from its forked copies
    assert call(session, "losses.mse", np.ones(2), np.zeros(2)).value == 1.0


def test_a_child_that_ends_between_calls_is_replaced_silently(session):
    assert call(session, "losses.mse", "exit_later", None).value == 1.0
    time.sleep(0.3)
    replaced = call(session, "losses.mse", np.ones(2), np.zeros(2))
    assert replaced.value == 1.0 and replaced.fault is None


def test_output_is_captured_per_call_and_cut(session):
    first = call(session, "losses.mse_loss", np.ones(1), {"w": 1})
    assert first.output == "call mean\n"
    second = call(session, "losses.mse_loss", np.ones(1), {"w": 1}, reduction="sum")
    assert second.output == "call sum\n"
    flood = call(session, "losses.mse", "print", 0.0)
    assert flood.output == "x" * LIMITS.output_chars + "\n... [truncated]"
    assert call(session, "activations.relu", 1.0).output == ""


def test_in_place_mutation_is_detected(session):
    outcome = call(session, "losses.mse_loss", np.ones(2), {"w": 1.0}, reduction="none")
    assert outcome.mutated == ("0", "1")
    assert call(session, "losses.mse", np.ones(2), np.ones(2)).mutated == ()


@pytest.mark.parametrize("kind, type_name", [
    ("float", "MyFloat"), ("objects", "object array"), ("subclass", "ndarray subclass matrix"),
    ("tuple", "object"),
])
def test_objects_that_are_not_plain_data_are_refused(session, kind, type_name):
    outcome = call(session, "losses.cross_entropy", kind, None)
    assert outcome.error == "" and outcome.value == Refused(type_name, outcome.value.why)


def test_forbidden_libraries_are_noticed_in_scratch_calls_only(session):
    scratch = call(session, "losses.gaussian_log_likelihood", [1.0, 2.0], None)
    assert scratch.value == 3.0 and "torch.tensor" in scratch.forbidden
    allowed = call(session, "losses.gaussian_log_likelihood", [1.0], None, scratch=False)
    assert allowed.value == 1.0 and allowed.forbidden == ()
    assert call(session, "activations.relu", np.ones(3)).forbidden == ()


def test_numpy_scalars_and_scalar_functions_cross(sandbox, tmp_path):
    submission = folder(tmp_path, mlp="""
        import numpy as np
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + h
                up = f(x)
                x[i] = old - h
                down = f(x)
                x[i] = old
                grad[i] = (up - down) / (2 * h)
            return grad
    """)
    x = np.random.default_rng(0).normal(size=(2, 3))
    with sandbox.open(submission) as session:
        outcome = call(session, "mlp.numerical_gradient", ScalarFunction("cubic_sin"), x)
    assert outcome.mutated == () and outcome.value.shape == (2, 3)
    assert np.allclose(outcome.value, x**2 + 1 + np.cos(x), rtol=1e-8)


def test_the_parent_stdout_stays_clean(sandbox, tmp_path, capfd):
    submission = single_file(tmp_path, """
        import os, sys
        print("at import")
        os.write(1, b"raw fd 1\\n")
        os.write(2, b"raw fd 2\\n")
        def relu(x):
            print("in call")
            sys.stderr.write("err in call\\n")
            os.system("echo from a shell")
            return x
    """)
    with sandbox.open(submission) as session:
        outcome = call(session, "activations.relu", 1.0)
        assert "in call" in outcome.output and "err in call" in outcome.output
        assert "at import" in session.load_output and "raw fd 2" in session.load_output
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_a_session_ends_its_child_and_descendants(sandbox, tmp_path):
    submission = single_file(tmp_path, """
        import os, subprocess
        def relu(x):
            return subprocess.Popen(["sleep", "60"], start_new_session=True).pid
    """)
    with sandbox.open(submission) as session:
        pid = call(session, "activations.relu", 1.0).value
    assert type(pid) is int   # as the child sees it (in the sandbox's PID namespace)
    deadline = time.monotonic() + 60  # a generous wait, not a bound under test
    while pid in sandbox_processes(sandbox) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid not in sandbox_processes(sandbox)


def test_what_a_call_starts_ends_with_the_call(sandbox, tmp_path):
    submission = single_file(tmp_path, """
        import os, subprocess
        def relu(x):
            for _ in range(5):
                subprocess.Popen(["sleep", "60"], start_new_session=True)
            if os.fork() == 0:  # a double fork: the sleeper's parent exits at once
                subprocess.Popen(["sleep", "60"], start_new_session=True)
                os._exit(0)
            return x
    """)
    with sandbox.open(submission) as session:
        # 6 processes a call, 32 allowed: without cleaning up, the 6th call cannot fork
        outcomes = [call(session, "activations.relu", 1.0) for _ in range(12)]
    assert [o.error for o in outcomes] == [""] * 12
    assert [o.value for o in outcomes] == [1.0] * 12


def test_the_session_budget_bounds_everything(sandbox, tmp_path):
    submission = single_file(tmp_path, """
        def relu(x):
            while True:
                pass
    """)
    with sandbox.open(submission) as session:
        session._deadline = time.monotonic() + 0.3
        first = call(session, "activations.relu", 1.0)
        second = call(session, "activations.relu", 1.0)
    assert first.fault == second.fault == "timeout"
    assert "used up its time" in second.fault_detail


def test_floats_put_back_by_arithmetic_count_as_unchanged(sandbox, tmp_path):
    submission = folder(tmp_path, mlp="""
        import numpy as np
        np.array_equal = lambda *a, **k: True          # cannot switch the check off
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                x[i] += h
                up = f(x)
                x[i] -= 2 * h
                down = f(x)
                x[i] += h
                grad[i] = (up - down) / (2 * h)
            return grad
        def linear_forward(x, W, b):
            x *= 1.001
            return x @ W + b
    """)
    x = np.random.default_rng(1).normal(size=(2, 3))
    with sandbox.open(submission) as session:
        restored = call(session, "mlp.numerical_gradient", ScalarFunction("cubic_sin"), x)
        changed = call(session, "mlp.linear_forward", x, np.ones((3, 1)), np.zeros(1))
    assert restored.mutated == () and restored.error == ""
    assert changed.mutated == ("0",)


def test_after_a_fault_cells_that_raised_run_again(sandbox, tmp_path):
    submission = notebook(
        tmp_path,
        "import numpy as np\ndef relu(x):\n    return np.maximum(x, 0)\nraise ValueError('half')",
        "def tanh(x):\n    import os\n    os._exit(3)",
        "def sigmoid(x):\n    return x\nimport ctypes\nctypes.string_at(0)",
    )
    with sandbox.open(submission) as session:
        errors = dict(session.load_errors)
        assert list(errors) == ['cell "import numpy as np"', 'cell "def sigmoid(x):"']
        assert session.available == {"activations.relu", "activations.tanh"}
        assert call(session, "activations.tanh", 1.0).fault == "exit"
        again = call(session, "activations.relu", np.array([-1.0, 2.0]))
        assert session.load_errors == errors
        assert session.available == {"activations.relu", "activations.tanh"}
    assert again.error == "" and again.value.tolist() == [0.0, 2.0]


@pytest.mark.parametrize("when", ["between calls", "during a call"])
def test_a_dead_server_is_the_graders_failure_not_a_fault_of_the_call(tmp_path, when):
    """Killed from outside, the server takes the child with it: that is no crash of the
    student's function, and no call may be charged for it."""
    submission = single_file(tmp_path, """
        import time

        def relu(x):
            time.sleep(0.3)
            return x
    """)
    with Sandbox(LIMITS, hidden_paths=HIDDEN) as box, box.open(submission) as opened:
        assert opened.call("activations.relu", (1.0,), {}, scratch=False).value == 1.0
        killer = threading.Timer(0.1 if when == "during a call" else 0.0, os.kill,
                                 (opened._link.pid, signal.SIGKILL))
        killer.start()
        if when == "between calls":
            killer.join()
        with pytest.raises(SandboxFailure):
            for _attempt in range(20):   # the kill lands during one of these calls
                opened.call("activations.relu", (1.0,), {}, scratch=False)
        killer.join()
        with pytest.raises(SandboxFailure):   # and no later call is charged either
            opened.call("activations.relu", (1.0,), {}, scratch=False)


EXCHANGE = """
    import json, os, signal, stat, struct, time
    ran = []
    def predict(x, w, b):
        time.sleep(x)
        ran.append(x)
        return float(len(ran))
    def loss(x, y, w, b):
        while x == "hang":
            pass
        return float(x)
    def gradients(x, y, w, b):
        head = json.dumps({"op": "result", "value": 0.5, "error": None, "fault": None,
                           "output": "", "cut": False, "_b": []}).encode()
        for fd in range(3, 256):
            try:
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.write(fd, struct.pack("!IQ", len(head), 0) + head)
            except OSError:
                pass
        if x == "stop":
            os.kill(os.getpid(), signal.SIGSTOP)
        os._exit(0)
"""


@pytest.fixture
def exchanging(sandbox, tmp_path):
    with sandbox.open(folder(tmp_path, linear_regression=EXCHANGE)) as opened:
        yield opened


def test_the_cases_of_one_exchange_each_run_on_their_own_clock(exchanging):
    cases = [((0.5 * LIMITS.call_seconds, 0, 0), {})] * 3   # 1.5 call_seconds in all
    outcomes = list(exchanging.calls("linear_regression.predict", cases, scratch=False))
    assert [(o.value, o.fault) for o in outcomes] == [(1.0, None), (2.0, None), (3.0, None)]


def test_a_fault_ends_the_exchange_and_the_next_one_works(exchanging):
    cases = [((1.0, 0, 0, 0), {}), (("hang", 0, 0, 0), {}), ((2.0, 0, 0, 0), {})]
    outcomes = list(exchanging.calls("linear_regression.loss", cases, scratch=False))
    assert [(o.value, o.fault) for o in outcomes] == [(1.0, None), (None, "timeout")]
    assert call(exchanging, "linear_regression.loss", 3.0, 0, 0, 0).value == 3.0


def test_an_exchange_closed_early_stops_the_child_after_its_case(exchanging):
    outcomes = exchanging.calls("linear_regression.predict", [((0.2, 0, 0), {})] * 10,
                                scratch=False)
    assert next(outcomes).value == 1.0
    outcomes.close()
    after = call(exchanging, "linear_regression.predict", 0.0, 0, 0, scratch=False)
    assert 2.0 <= after.value < 11.0   # the same child, which did not run every case


@pytest.mark.parametrize("then", ["stop", "exit"])
def test_a_child_gone_before_it_takes_the_next_cases_costs_them_nothing(exchanging, then):
    """A reply forged on the child's channel, then a child that stops or ends before (or
    while) the next exchange is sent: a fresh child takes it, nothing is charged."""
    assert call(exchanging, "linear_regression.gradients", then, 0, 0, 0).value == 0.5
    after = call(exchanging, "linear_regression.loss", 3.0, 0, 0, 0)
    assert (after.value, after.fault) == (3.0, None)


def test_a_stop_read_while_the_last_case_waits_for_a_callee_ends_the_exchange(sandbox, tmp_path):
    """The stop comes before the answer to the last case's callee request: the child says it
    stopped, and the same child takes the next exchange."""
    mlp = """
        from activations import relu
        ran = []
        def mlp_forward(x, params, activation="relu"):
            ran.append(x)
            return relu(x) if x else float(len(ran))
    """
    with sandbox.open(folder(tmp_path, activations=ACTIVATIONS, mlp=mlp)) as session:
        outcomes = session.calls("mlp.mlp_forward", [((0.0, {}), {}), ((1.0, {}), {})],
                                 scratch=False, callees={"activations.relu": abs})
        assert next(outcomes).value == 1.0
        time.sleep(0.5)     # the last case starts, asks for relu, waits: the stop comes first
        outcomes.close()
        after = call(session, "mlp.mlp_forward", 0.0, {}, scratch=False)
    assert after.value in (2.0, 3.0)   # the same child (3: it ran the last case too)
