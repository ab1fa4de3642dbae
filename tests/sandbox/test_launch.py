"""A server launched ahead is held for the process that launched it, and only for it."""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys

from grader.sandbox import launch


def test_a_held_server_is_taken_once_and_never_by_a_forked_process() -> None:
    ours, theirs = socket.socketpair()
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        launch.hold(process, ours)
        pid = os.fork()
        if pid == 0:   # a process forked from this one does not see it held
            os._exit(0 if not launch.held() and launch.take() is None else 1)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        assert launch.held()
        assert launch.take() == (process, ours)
        assert not launch.held() and launch.take() is None
    finally:
        process.wait()
        ours.close()
        theirs.close()


def test_the_server_environment_keeps_nothing_it_was_not_told_to(monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "secret")
    monkeypatch.setenv("GRADER_LANG", "ko")
    environment = launch.server_environment()
    assert "GITHUB_TOKEN" not in environment
    assert environment["GRADER_LANG"] == "ko"
    assert environment["OMP_NUM_THREADS"] == "1"
    assert environment["PYTHONPATH"].split(os.pathsep)[0] == launch.PACKAGE_ROOT
    assert os.path.isdir(os.path.join(launch.PACKAGE_ROOT, "grader", "sandbox"))


def test_collection_resumes_only_where_it_was_paused_with_the_imports_frozen() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    launch.resume_collection()   # not paused: nothing changes
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    try:
        launch.pause_collection()
        assert not gc.isenabled()
        kept = [[] for _ in range(1000)]   # tracked by the collector, as objects with parts are
        launch.resume_collection()
        assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(kept)
    finally:
        gc.unfreeze()
        gc.enable()
