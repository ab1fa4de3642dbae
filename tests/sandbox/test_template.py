"""The template server: the sandboxes started while it is shared get their servers forked from
it (sharing its numpy and torch), each server and child holds no socket but its own, and a
sandbox still starts, and a forked one still serves, when the template is gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.sandbox import Sandbox, template as templates
from tests.sandbox.session_support import HIDDEN, LIMITS, single_file

RELU = """
    import numpy as np
    def relu(x):
        return np.maximum(x, 0)
"""
#: Memory a forked server shares with the template before it has a child (kB): most of
#: torch's heap (about 140 MiB); a server launched on its own shares almost none.
SHARED_KB = 64 * 1024


@pytest.fixture
def template():
    shared = templates.share()
    assert shared is not None, "this system cannot start a template server"
    try:
        yield shared
    finally:
        shared.close()
    assert templates._shared is None


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[1])


def tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        for task in os.listdir(f"/proc/{pid}/task"):
            todo += map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split())
    return found


def descriptors(pid: int) -> list[str]:
    """What each descriptor of process ``pid`` refers to (``socket:[inode]``, a path...)."""
    links = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            links.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:   # closed meanwhile
            pass
    return links


def sockets(pid: int) -> set[str]:
    """The sockets process ``pid`` holds (``socket:[inode]``)."""
    return {link for link in descriptors(pid) if link.startswith("socket:")}


def socket_of(sock) -> str:
    return f"socket:[{os.fstat(sock.fileno()).st_ino}]"


def serving(box: Sandbox) -> int:
    """The server of ``box``: its launcher's child in namespaces of its own, else the launcher."""
    launcher = box._link.pid
    children = Path(f"/proc/{launcher}/task/{launcher}/children").read_text().split()
    return int(children[0]) if children else launcher


def shared_kb(pid: int) -> int:
    """Memory (kB) process ``pid`` has written and shares with another process."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except PermissionError:
        pytest.skip("reading a server's memory map needs root here")
    return int(rollup.split("Shared_Dirty:")[1].split()[0])


def relu_works(box: Sandbox, tmp_path: Path) -> bool:
    tmp_path.mkdir()
    with box.open(single_file(tmp_path, RELU)) as session:
        return session.call("activations.relu", (-2.0,), {}, scratch=True).value == 0.0


def test_servers_are_forks_of_the_template_and_share_its_torch(template, tmp_path):
    with Sandbox(LIMITS, HIDDEN) as first, Sandbox(LIMITS, HIDDEN) as second:
        assert isinstance(first.warnings, list) and isinstance(second.warnings, list)  # ready
        assert parent_of(first._link.pid) == parent_of(second._link.pid) \
            == template.process.pid
        assert all(shared_kb(serving(box)) > SHARED_KB for box in (first, second))
        assert relu_works(first, tmp_path / "first") and relu_works(second, tmp_path / "second")
    template.close()
    with Sandbox(LIMITS, HIDDEN) as alone:   # the control: a server launched on its own
        assert isinstance(alone.warnings, list)
        assert parent_of(alone._link.pid) == os.getpid()
        assert shared_kb(serving(alone)) < SHARED_KB


def test_no_server_nor_child_holds_the_templates_or_anothers_socket(template, tmp_path):
    submission = single_file(tmp_path, RELU)
    with Sandbox(LIMITS, HIDDEN) as first, Sandbox(LIMITS, HIDDEN) as second, \
            first.open(submission) as one, second.open(submission) as other:
        for session in (one, other):   # each has a child now
            assert session.call("activations.relu", (1.0,), {}, scratch=True).value == 1.0
        template_sockets = sockets(template.process.pid) | {socket_of(template.control)}
        for box, another in ((first, second), (second, first)):
            held = {pid: sockets(pid) for pid in tree(box._link.pid)}
            assert len(held) >= 2                         # the launcher, the server (a child)
            out_of_reach = template_sockets | {socket_of(another._link.sock)} \
                | set().union(*(sockets(pid) for pid in tree(another._link.pid)))
            assert {pid: found & out_of_reach for pid, found in held.items()} \
                == {pid: set() for pid in held}


def test_a_sandbox_starts_and_serves_when_the_template_is_gone(template, tmp_path):
    with Sandbox(LIMITS, HIDDEN) as forked:
        assert isinstance(forked.warnings, list)
        template.process.kill()
        template.process.wait()
        assert relu_works(forked, tmp_path / "forked")   # a forked server outlives it
        with Sandbox(LIMITS, HIDDEN) as alone:
            assert parent_of(alone._link.pid) == os.getpid()   # launched on its own
            assert relu_works(alone, tmp_path / "alone")


def test_the_template_dies_with_the_process_that_started_it():
    starter = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from grader.sandbox import template\n"
         "print(template.share().process.pid, flush=True)\ntime.sleep(600)"],
        stdout=subprocess.PIPE, text=True)
    try:
        pid = int(starter.stdout.readline())
    finally:
        starter.kill()
        starter.wait()
    deadline = time.monotonic() + 60   # a generous wait
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the template outlived the process that started it")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state != b"Z"


def pidfds(pid: int) -> int:
    """How many pidfds process ``pid`` holds."""
    return descriptors(pid).count("anon_inode:[pidfd]")


def test_a_grading_process_is_a_fork_of_the_template_and_ends_with_its_worker(template):
    """The template forks a server's launcher, then the grading process, which keeps its
    worker's socket, its server's and a pidfd of the launcher, nothing of the template's
    (and watches its worker through a pidfd);
    it grades what is relayed to it, and ends (closing its sandbox) when its worker does."""
    from multiprocessing.connection import Connection

    from grader.cli import make_options

    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    forked, sock = template.fork_grading()
    channel = Connection(sock.detach())
    try:
        assert parent_of(forked.pid) == template.process.pid
        launchers = [pid for pid in map(int, Path(
            f"/proc/{template.process.pid}/task/{template.process.pid}/children")
            .read_text().split()) if pid != forked.pid]
        options = make_options(seed=3, hide_inputs=False, no_solutions=False, timeout=5.0,
                               memory=None)
        channel.send((options, "en", worker.pid, sys.path, os.getcwd()))
        assert channel.recv()[0] == "ready"
        assert len(launchers) == 1 and pidfds(launchers[0]) == 0
        assert pidfds(forked.pid) == 2         # its server's launcher, its worker
        assert len(sockets(forked.pid)) == 2   # its worker's, its server's
        assert not sockets(forked.pid) & (sockets(template.process.pid)
                                          | {socket_of(template.control)})
        assert channel.recv() == ("next", None)
        channel.send((0, str(HIDDEN[0]), None, "solutions"))
        assert channel.recv() == ("start", (worker.pid, 0))
        kind, (_worker, _index, report, text, reason, _digest) = channel.recv()
        assert (kind, reason, text.splitlines()[0].split()[-1]) == ("done", "", "solutions")
        assert sum(t["points"] for t in report["tests"]) == 100
        assert channel.recv() == ("next", None)
        below = tree(forked.pid)
        worker.kill()
        worker.wait()
        deadline = time.monotonic() + 60   # a generous wait
        while any(map(_alive, below + launchers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(map(_alive, below + launchers)), "it outlived its worker"
    finally:
        worker.kill()
        forked.kill()
        channel.close()
