"""Fork servers: independent per thread, holding none of the grader's open files."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
import threading

import numpy as np
import pytest

from grader.sandbox import Sandbox, confine
from grader.sandbox.server import ForkServer
from tests.sandbox.session_support import LIMITS, single_file

RELU = """
    import numpy as np
    def relu(x):
        return np.maximum(x, 0)
    def sigmoid(fd):
        import os
        try:
            os.write(fd, b"forged result")
        except OSError as error:
            return type(error).__name__
        return "written"
"""


def test_an_open_file_of_the_grader_is_out_of_reach(tmp_path):
    report = open(tmp_path / "report.json", "w")
    try:
        with Sandbox(LIMITS) as sandbox, sandbox.open(single_file(tmp_path, RELU)) as session:
            session.call("activations.sigmoid", (report.fileno(),), {}, scratch=False)
    finally:
        report.close()
    assert (tmp_path / "report.json").read_text() == ""


def test_sandboxes_in_threads_are_independent(tmp_path):
    submission = single_file(tmp_path, RELU)
    first, second = Sandbox(LIMITS), Sandbox(LIMITS)
    first.start()
    second.start()
    results: list[float] = []

    def grade(sandbox: Sandbox) -> None:
        with sandbox.open(submission) as session:
            for value in range(-50, 50):
                results.append(session.call("activations.relu", (float(value),), {},
                                            scratch=True).value)

    threads = [threading.Thread(target=grade, args=(box,)) for box in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted([float(max(v, 0)) for v in range(-50, 50)] * 2)
    # the second server holds no copy of the first one's socket (closing it reaches the first)
    theirs = f"socket:[{os.fstat(first._link.sock.fileno()).st_ino}]"
    held = {os.readlink(f"/proc/{second._link.pid}/fd/{fd}")
            for fd in os.listdir(f"/proc/{second._link.pid}/fd")}
    assert theirs not in held
    first.close()
    with second.open(submission) as session:
        assert session.call("activations.relu", (np.ones(2),), {}, scratch=True).value.sum() == 2
    second.close()


def test_one_session_at_a_time(tmp_path):
    submission = single_file(tmp_path, RELU)
    sandbox = Sandbox(LIMITS)
    with pytest.raises(RuntimeError):
        sandbox.open(submission)
    with sandbox:
        assert isinstance(sandbox.warnings, list)
        with sandbox.open(submission):
            with pytest.raises(RuntimeError):
                sandbox.open(submission)
        with sandbox.open(submission) as session:
            assert session.available == {"activations.relu", "activations.sigmoid"}


def test_a_child_that_cannot_be_forked_leaves_nothing_behind(tmp_path, monkeypatch):
    ours, theirs = socket.socketpair()
    server = ForkServer(theirs, LIMITS, ())
    server.confine = confine
    workdir = tmp_path / "work"
    monkeypatch.setattr(confine, "make_workdir", lambda: workdir.mkdir() or workdir)
    descriptors = sorted(os.listdir("/proc/self/fd"))

    def no_fork() -> int:
        raise OSError(errno.EAGAIN, "no more processes")

    monkeypatch.setattr(os, "fork", no_fork)
    with pytest.raises(OSError):
        server._spawn()
    assert not workdir.exists() and sorted(os.listdir("/proc/self/fd")) == descriptors
    ours.close()
    theirs.close()


def test_waiting_for_a_server_ends_when_it_ends_or_at_the_time_limit():
    """``_wait`` (how a closed server is waited for) returns once the process has ended,
    and raises ``TimeoutExpired`` at the limit when it has not (the caller then kills it)."""
    import subprocess
    import sys

    from grader.sandbox.server import _wait

    done = subprocess.Popen([sys.executable, "-c", "pass"])
    _wait(done, 60)
    assert done.returncode == 0
    stuck = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            _wait(stuck, 0.2)
        assert stuck.poll() is None
    finally:
        stuck.kill()
        stuck.wait()


def test_start_launches_the_server_before_this_process_imports_torch():
    """The server's import of torch and this process's overlap (a notebook's first check())."""
    code = """
import subprocess, sys
launched_with_torch = []
popen = subprocess.Popen.__init__
def spy(self, args, *rest, **options):
    launched_with_torch.append("torch" in sys.modules)
    popen(self, args, *rest, **options)
subprocess.Popen.__init__ = spy
from grader.sandbox import Sandbox
with Sandbox() as sandbox:
    print(launched_with_torch, "torch" in sys.modules, isinstance(sandbox.warnings, list))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.stdout.split() == ["[False]", "True", "True"], done.stderr
