"""Unit tests of grader/sandbox/confine.py, each in a forked "server" and confined child."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

from grader.sandbox import Limits, Sandbox, confine

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

LIMITS = Limits(call_seconds=1, load_seconds=2, submission_seconds=20,
                memory_bytes=256 * 1024**2, processes=8)
LANDLOCK = confine.landlock_abi()
needs_landlock = pytest.mark.skipif(LANDLOCK == 0, reason="no Landlock")


def in_sandbox(check: Callable[[Path], Any], hidden: tuple[Path, ...] = (),
               server: bool = True) -> dict[str, Any]:
    """Run ``check(workdir)`` in a confined child of a forked fork server.

    Returns {"result": ..., "warnings": [...], "left": [...]}: what ``check`` returned (or
    {"error": ...}), the server's warnings, and the descendants left after reap_orphans.
    """
    read, write = os.pipe()
    launcher = os.fork()
    if launcher == 0:  # as boot.py: the server first of PID and mount namespaces if it may
        os.close(read)
        if server and confine.enter_namespaces():
            server_pid = os.fork()
            if server_pid != 0:
                os.close(write)
                os._exit(os.waitstatus_to_exitcode(os.waitpid(server_pid, 0)[1]))
            confine.private_mounts()
        code = 1
        try:
            warnings = confine.prepare_server(LIMITS.disk_bytes) if server else []
            workdir = confine.make_workdir()
            to_server, from_child = os.pipe()
            child = os.fork()
            if child == 0:
                try:
                    confine.enter(LIMITS, workdir, hidden)
                    result = check(workdir)
                except BaseException as error:  # reported, not raised, in the child
                    result = {"error": f"{type(error).__name__}: {error}"}
                os.write(from_child, json.dumps(result).encode())
                os._exit(0)
            os.close(from_child)
            os.waitpid(child, 0)
            confine.reap_orphans()  # first: the child's descendants hold the pipe open
            result = json.loads(_read_all(to_server) or "null")
            left = confine._descendants(os.getpid())
            confine.remove_workdir(workdir)
            report = {"result": result, "warnings": warnings, "left": left,
                      "workdir_exists": workdir.exists(), "pids": confine._pids()}
            os.write(write, json.dumps(report).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    data = _read_all(read)
    os.waitpid(launcher, 0)
    return json.loads(data)


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode()


def _attempt(action: Callable[[], Any]) -> str:
    """'ok' or the errno name / exception type of what ``action`` raised."""
    try:
        action()
    except OSError as error:
        return errno.errorcode.get(error.errno or 0, type(error).__name__)
    except Exception as error:
        return type(error).__name__
    return "ok"


@needs_landlock
def test_only_python_and_the_system_are_readable(tmp_path: Path) -> None:
    (tmp_path / "classmate.py").write_text("ANSWER = 42\n")
    repo = Path(__file__).resolve().parents[2]
    block_devices = [p for p in Path("/dev").iterdir() if p.is_block_device()]

    def check(_workdir: Path) -> dict[str, str]:
        import importlib
        results = {}
        for name in ("fractions", "decimal", "json", "colorsys", "wave", "sqlite3", "mdurl"):
            sys.modules.pop(name, None)  # import again from the file system
            results[name] = _attempt(lambda: importlib.import_module(name))
        results["sqlite"] = _attempt(lambda: importlib.import_module("sqlite3").connect(":memory:"))
        results["site-packages"] = _attempt(lambda: Path(np.__file__).read_text())
        results["/etc/passwd"] = _attempt(lambda: open("/etc/passwd").read())
        results["/dev/urandom"] = _attempt(lambda: open("/dev/urandom", "rb").read(4))
        results["numpy"] = str(float(np.linalg.norm(np.ones(4))))
        denied = {"/etc/shadow": "/etc/shadow", "git": repo / ".git" / "HEAD",
                  "checkout": repo / "README.md", "classmate": tmp_path / "classmate.py",
                  **{"disk": device for device in block_devices[:1]}}
        for name, path in denied.items():
            results[name] = _attempt(lambda: open(path, "rb").read(1))
        for folder in folders:
            results[f"list {folder}"] = _attempt(lambda: os.listdir(folder))
        return results

    folders = [f for f in ("/tmp", "/root", "/etc", "/home", str(tmp_path)) if os.path.isdir(f)]
    result = in_sandbox(check)["result"]
    readable = ("fractions", "decimal", "json", "colorsys", "wave", "sqlite3", "mdurl",
                "sqlite", "site-packages", "/etc/passwd", "/dev/urandom")
    assert {k: result.pop(k) for k in readable} == dict.fromkeys(readable, "ok")
    assert result.pop("numpy") == "2.0"
    assert result == dict.fromkeys(result, "EACCES") and len(result) >= 8


@needs_landlock
def test_hidden_paths_stay_unreadable_inside_an_allowed_tree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "site-packages"
    hidden = tree / "hidden_answers"
    hidden.mkdir(parents=True)
    (hidden / "losses.py").write_text("ANSWER = 42\n")
    (tree / "visible.txt").write_text("fine")
    (tmp_path / "outside.txt").write_text("not in the tree")
    (tree / "link.txt").symlink_to(tmp_path / "outside.txt")
    monkeypatch.setattr(confine, "SYSTEM_FOLDERS", (*confine.SYSTEM_FOLDERS, str(tree)))

    def check(workdir: Path) -> dict[str, str]:
        import importlib
        sys.path.insert(0, str(tree))
        return {
            "hidden file": _attempt(lambda: open(hidden / "losses.py").read()),
            "hidden dir": _attempt(lambda: os.listdir(hidden)),
            "import hidden": _attempt(lambda: importlib.import_module("hidden_answers.losses")),
            "via /proc": _attempt(lambda: open(f"/proc/self/root{hidden}/losses.py").read()),
            "hard link": _attempt(lambda: os.link(hidden / "losses.py", workdir / "l.py")),
            "by handle": _attempt(lambda: _open_by_handle(hidden / "losses.py",
                                                          tree / "visible.txt")),
            "link out": _attempt(lambda: open(tree / "link.txt").read()),
            "sibling": _attempt(lambda: open(tree / "visible.txt").read()),
        }

    result = in_sandbox(check, hidden=(hidden,))["result"]
    assert result.pop("import hidden") != "ok"
    assert result.pop("hard link") in ("EPERM", "EACCES", "EXDEV")
    assert result.pop("by handle") in ("EPERM", "EACCES")  # CAP_DAC_READ_SEARCH as root
    assert result == {"hidden file": "EACCES", "hidden dir": "EACCES", "via /proc": "EACCES",
                      "link out": "EACCES", "sibling": "ok"}


def test_the_allowed_trees_leave_out_hidden_paths(tmp_path: Path) -> None:
    for folder in ("a/hidden/deep", "a/b", "c"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "a" / "file").write_text("x")
    (tmp_path / "a" / "link").symlink_to(tmp_path / "c")
    hidden = [str(tmp_path / "a" / "hidden")]
    assert sorted(confine._beneath(str(tmp_path), hidden)) == sorted(
        str(tmp_path / p) for p in ("a/b", "a/file", "c"))
    assert list(confine._beneath(str(tmp_path / "a" / "hidden" / "deep"), hidden)) == []
    assert list(confine._beneath(str(tmp_path / "c"), hidden)) == [str(tmp_path / "c")]


def test_python_trees_are_the_installation_only() -> None:
    trees = confine.python_trees()
    assert {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)} <= set(trees)
    assert os.path.dirname(os.path.realpath(np.__path__[0])) in trees  # site-packages
    checkout = str(Path(__file__).resolve().parents[2])
    assert checkout in sys.path and checkout not in trees
    assert confine.hidden_python([Path(sys.prefix)]) == os.path.realpath(sys.prefix)
    assert confine.hidden_python([Path(checkout) / "solutions"]) is None


def test_a_sandbox_refuses_to_hide_its_own_python() -> None:
    with pytest.raises(RuntimeError, match="Python installation"):
        Sandbox(LIMITS, hidden_paths=[Path(sys.prefix)]).start()


def _open_by_handle(path: Path, same_filesystem: Path) -> bytes:
    """Read ``path`` through name_to_handle_at + open_by_handle_at (no path check on open)."""
    import ctypes

    class Handle(ctypes.Structure):
        _fields_ = [("size", ctypes.c_uint), ("type", ctypes.c_int),
                    ("bytes", ctypes.c_ubyte * 128)]
    libc = ctypes.CDLL(None, use_errno=True)
    handle, mount_id = Handle(128, 0), ctypes.c_int()
    if libc.name_to_handle_at(-100, str(path).encode(), ctypes.byref(handle),
                              ctypes.byref(mount_id), 0) != 0:
        raise OSError(ctypes.get_errno(), "name_to_handle_at")
    mount_fd = os.open(same_filesystem, os.O_RDONLY)
    fd = libc.open_by_handle_at(mount_fd, ctypes.byref(handle), os.O_RDONLY)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "open_by_handle_at")
    return os.read(fd, 100)


@needs_landlock
def test_writes_only_in_workdir(tmp_path: Path) -> None:
    def check(workdir: Path) -> dict[str, str]:
        return {
            "workdir": _attempt(lambda: (workdir / "notes.txt").write_text("x")),
            "cwd is workdir": str(Path.cwd() == workdir),
            "tmp": _attempt(lambda: (tmp_path / "results.json").write_text("{}")),
            "/tmp": _attempt(lambda: Path("/tmp/grader-confine-test").write_text("x")),
            "devnull": _attempt(lambda: open(os.devnull, "w").write("x")),
            "chmod outside": _attempt(lambda: os.chmod(tmp_path, 0o777)),
        }

    result = in_sandbox(check)["result"]
    assert result["workdir"] == "ok" and result["cwd is workdir"] == "True"
    assert result["devnull"] == "ok"
    assert result["tmp"] == result["/tmp"] == "EACCES"
    assert result["chmod outside"] in ("EPERM", "EACCES")
    assert not (tmp_path / "results.json").exists()


@pytest.mark.parametrize("server", [True, False], ids=["netns+landlock", "landlock"])
def test_tcp_connect_fails(server: bool) -> None:
    if not server and LANDLOCK < 4:
        pytest.skip("Landlock without TCP rules")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    try:
        def check(_workdir: Path) -> dict[str, str]:
            return {"connect": _attempt(lambda: socket.create_connection(("127.0.0.1", port),
                                                                         timeout=1)),
                    "bind": _attempt(lambda: socket.create_server(("127.0.0.1", 0)))}
        result = in_sandbox(check, server=server)["result"]
    finally:
        listener.close()
    assert result["connect"] != "ok" and result["bind"] != "ok"


def test_limits_in_force() -> None:
    def check(workdir: Path) -> dict[str, Any]:
        import resource
        out = {"nproc": resource.getrlimit(resource.RLIMIT_NPROC),
               "core": resource.getrlimit(resource.RLIMIT_CORE),
               "fsize": resource.getrlimit(resource.RLIMIT_FSIZE),
               "cpu": resource.getrlimit(resource.RLIMIT_CPU),
               "stdin": os.read(0, 100).decode(),
               "hog": _attempt(lambda: np.ones(LIMITS.memory_bytes // 4)),
               "raise": _attempt(lambda: resource.setrlimit(resource.RLIMIT_AS, (-1, -1)))}
        with open(workdir / "big", "wb", buffering=0) as big:
            big.seek(confine.FILE_BYTES)
            out["big file"] = _attempt(lambda: big.write(b"x"))
        out["small alloc"] = _attempt(lambda: np.ones(LIMITS.memory_bytes // 16))
        return out

    result = in_sandbox(check)["result"]
    assert "error" not in result, result
    assert result["nproc"][1] >= LIMITS.processes and result["core"] == [0, 0]
    assert result["fsize"] == [confine.FILE_BYTES] * 2
    assert result["cpu"][0] == LIMITS.submission_seconds + 1
    assert result["stdin"] == ""
    assert result["hog"] == "MemoryError" and result["small alloc"] == "ok"
    assert result["raise"] in ("ValueError", "EPERM")
    assert result["big file"] == "EFBIG"


def test_processes_limited() -> None:
    def check(_workdir: Path) -> dict[str, Any]:
        pids, error = [], "ok"
        try:
            for _ in range(LIMITS.processes + 2):
                pid = os.fork()
                if pid == 0:
                    time.sleep(30)
                    os._exit(0)
                pids.append(pid)
        except OSError as failure:
            error = errno.errorcode[failure.errno or 0]
        return {"forked": len(pids), "error": error}

    report = in_sandbox(check)
    if os.geteuid() == 0:  # otherwise the count includes the user's other processes
        assert report["result"]["error"] == "EAGAIN"
        assert report["result"]["forked"] < LIMITS.processes
    assert report["left"] == []


def test_environment_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_TEST_SECRET", "hunter2")

    def check(workdir: Path) -> dict[str, Any]:
        import tempfile
        raw = Path("/proc/self/environ").read_bytes()
        return {"env": dict(os.environ), "leak": b"hunter2" in raw,
                "tempdir": tempfile.gettempdir() == str(workdir)}

    result = in_sandbox(check)["result"]
    assert "GRADER_TEST_SECRET" not in result["env"] and result["leak"] is False
    assert result["env"]["OMP_NUM_THREADS"] == "1" and result["tempdir"] is True


@pytest.mark.skipif(os.geteuid() != 0, reason="drops privileges only as root")
def test_root_drops_to_own_uid_keeping_read_access() -> None:
    def check(_workdir: Path) -> dict[str, Any]:
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        return {"uid": os.getuid(), "caps": int(status["CapEff"], 16),
                "bounding": int(status["CapBnd"], 16),
                "kill parent": _attempt(lambda: os.kill(os.getppid(), 0)),
                "setuid": _attempt(lambda: os.setuid(0))}

    report = in_sandbox(check)
    result = report["result"]
    assert result["uid"] != 0 and result["caps"] == result["bounding"] == 1 << 2
    assert result["kill parent"] == result["setuid"] == "EPERM"
    assert report["warnings"] == [] or LANDLOCK < 6


@needs_landlock
def test_signals_to_outside_denied_even_for_same_uid() -> None:
    if LANDLOCK < 6:
        pytest.skip("Landlock without signal scoping")
    victim = os.fork()
    if victim == 0:
        time.sleep(30)
        os._exit(0)
    try:
        result = in_sandbox(lambda _w: _attempt(lambda: os.kill(victim, signal.SIGKILL)),
                            server=False)["result"]
        assert result == "EPERM"
        assert os.waitpid(victim, os.WNOHANG) == (0, 0)
    finally:
        os.kill(victim, signal.SIGKILL)
        os.waitpid(victim, 0)


def test_reap_orphans_kills_detached_stubborn_grandchild() -> None:
    def check(_workdir: Path) -> dict[str, Any]:
        read, write = os.pipe()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
                os.write(write, str(os.getpid()).encode())
                while True:
                    time.sleep(1)
            os._exit(0)
        return {"grandchild": int(os.read(read, 32))}

    report = in_sandbox(check)
    grandchild = report["result"]["grandchild"]
    assert report["left"] == []
    assert grandchild not in report["pids"]   # as the server sees it (its own PID namespace)


def test_reap_orphans_catches_fork_loops() -> None:
    def check(_workdir: Path) -> str:
        for _ in range(3):
            if os.fork() == 0:
                os.setsid()
                while True:  # keep forking replacements while being killed
                    try:
                        if os.fork() == 0:
                            time.sleep(0.01)
                    except OSError:
                        time.sleep(0.001)
        return "ok"

    assert in_sandbox(check)["left"] == []


def test_remove_workdir_after_hostile_modes() -> None:
    def check(workdir: Path) -> str:
        deep = workdir
        for _ in range(50):
            deep = deep / "d"
        deep.mkdir(parents=True)
        (deep / "f").write_text("x")
        os.chmod(workdir / "d", 0)
        os.symlink("/etc", workdir / "etc")
        return "ok"

    report = in_sandbox(check)
    assert report["result"] == "ok" and report["workdir_exists"] is False
    assert oct(Path("/etc").stat().st_mode & 0o777) == "0o755"


def test_prepare_server_warnings_are_sentences() -> None:
    warnings = in_sandbox(lambda _w: "ok")["warnings"]
    assert all(isinstance(w, str) and w.endswith(".") for w in warnings)
    if os.geteuid() == 0 and LANDLOCK >= 6:
        assert warnings == []


def test_remove_workdir_deeper_than_recursion_allows(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    here = os.getcwd()
    try:
        os.chdir(workdir)
        for _ in range(sys.getrecursionlimit() + 100):
            os.mkdir("d")
            os.chdir("d")
    finally:
        os.chdir(here)
    confine.remove_workdir(workdir)
    assert not workdir.exists()


def test_read_output_cuts_at_characters_not_bytes(tmp_path: Path) -> None:
    capture = os.open(tmp_path / "output", os.O_RDWR | os.O_CREAT)
    try:
        os.write(capture, "한".encode() * 30)
        assert confine.read_output(capture, 30) == ("한" * 30, False)
        assert confine.read_output(capture, 29) == ("한" * 29, True)
        assert confine.read_output(capture, 1000) == ("한" * 30, False)
    finally:
        os.close(capture)
