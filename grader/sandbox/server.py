"""The pre-warmed fork server, and ``Sandbox``, the parent's handle on it.

``Sandbox.start`` launches the server as a fresh interpreter (``boot.py``; as root, the
first process of PID and mount namespaces of its own), which imports numpy and torch and
never holds anything of the grader's: no frame, object, environment variable or secret.
A batch's workers get their servers forked from one such interpreter instead (the template,
``template.py``), so they share its numpy and torch. A child is still a fork of that warm
server, not a new interpreter. The server forks a child for a session (and a fresh one
after each fault) and passes the parent its end of a socketpair (``socket.send_fds``); the
parent then talks to the child directly, one exchange per test (all its cases). When a
child ends (or the parent asks for it to be killed), the server reaps it and every process
it left behind, reads what it printed last, removes its folder and tells the parent how it
ended.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import linecache
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

from grader.i18n import _, language
from grader.sandbox import launch
from grader.sandbox.channel import FrameReader, ProtocolError, pack
from grader.sandbox.values import Limits
from grader.submission import Submission

if TYPE_CHECKING:
    from grader.sandbox.session import Session
    from grader.sandbox.template import Forked

#: Largest control message (an ``exited`` report carries the last output).
CONTROL_LIMIT = 1 << 24
#: The grader modules a child needs; every other grader module is dropped in the server.
KEEP_MODULES = ("grader", "grader.contract", "grader.i18n", "grader.cases",
                "grader.cases.draw", "grader.cases.functions", "grader.sandbox")
#: Seconds the parent waits for the server to answer (it only forks and reaps; starting,
#: it imports numpy and torch, slow on a loaded machine).
SERVER_SECONDS = 120.0


class Sandbox:
    """A fork server for student code; ``open`` gives a ``Session`` on one submission."""

    def __init__(self, limits: Limits = Limits(), hidden_paths: Sequence[Path] = ()) -> None:
        self.limits = limits
        self.hidden_paths = tuple(Path(p) for p in hidden_paths)
        self._warnings: list[str] = []
        self._ready = False
        self._link: ServerLink | None = None
        self._session: Session | None = None

    def start(self) -> None:
        """Launch the server in an interpreter of its own (``boot.py``), or fork it from
        the shared template (``template.py``, itself such an interpreter): nothing of this
        process, its frames, objects or environment, is ever in the server or a child. The
        server imports numpy and torch meanwhile; ``open`` or ``warnings`` waits for it."""
        if self._link is not None:
            return
        from grader.sandbox import confine
        inside = confine.hidden_python(self.hidden_paths)
        if inside is not None:
            raise RuntimeError(_("the Python installation ({path}) lies in a folder hidden "
                                 "from submissions: install the grader's environment "
                                 "elsewhere").format(path=inside))
        self._link = ServerLink(*(launch.take() or _launch()))
        self._link.send({"op": "config", "limits": dataclasses.asdict(self.limits),
                         "hidden": [str(p) for p in self.hidden_paths],
                         "language": language()})
        self._ready = False
        try:   # while the server imports them too (a notebook's first check())
            launch.single_threaded_libraries()   # as in the server: the same numbers in the parent
        except BaseException:
            self.close()
            raise

    @property
    def warnings(self) -> list[str]:
        """What confinement this system lacks (once the server is ready)."""
        self._wait_ready()
        return self._warnings

    def _wait_ready(self) -> None:
        if self._link is None or self._ready:
            return
        try:
            self._warnings = self._link.wait_ready()
            self._ready = True
        except ProtocolError:
            self.close()
            raise RuntimeError("the sandbox server did not start") from None

    def open(self, submission: Submission) -> Session:
        """A session on ``submission``: a child that has loaded it (one open at a time)."""
        from grader.sandbox.session import Session
        if self._link is None:
            raise RuntimeError("Sandbox.start() first")
        self._wait_ready()
        if self._session is not None and not self._session.closed:
            raise RuntimeError("close the open session first")
        self._session = Session(self._link, submission, self.limits)
        return self._session

    def close(self) -> None:
        """Stop the server; nothing it or its children started outlives this."""
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._link is not None:
            self._link.close()
            self._link = None

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def adopt(process: Forked, sock: socket.socket) -> None:
    """Take ``process``, a server's launcher the template forked for this process, and this
    process's end of its socket, for this process's next ``Sandbox.start``."""
    launch.hold(process, sock)


def _launch() -> tuple[subprocess.Popen | Forked, socket.socket]:
    """A server forked from the shared template (``template.share``), else a fresh server
    interpreter; and this process's end of its socket."""
    from grader.sandbox.template import fork_server
    forked = fork_server()
    if forked is not None:
        return forked
    try:
        return launch.clean_interpreter("grader.sandbox.boot")
    except OSError as error:
        raise RuntimeError(f"the sandbox server did not start ({error})") from None


def ready(fds: Sequence[Any], event: int, timeout: float) -> list[int]:
    """The descriptors among ``fds`` (or objects with ``fileno``) on which ``event``, or an
    error or hang-up, happens within ``timeout`` seconds."""
    poller = select.poll()
    for fd in fds:
        poller.register(fd, event)
    return [fd for fd, _event in poller.poll(max(timeout, 0.0) * 1000)]


class ServerLink:
    """The parent's end of the control socket: spawn and kill children, hear them end."""

    def __init__(self, process: subprocess.Popen | Forked, sock: socket.socket) -> None:
        self.process = process
        self.pid = process.pid
        self.sock = sock
        self.reader = FrameReader(CONTROL_LIMIT)
        self.fds: deque[int] = deque()
        self.messages: deque[dict[str, Any]] = deque()
        self.exits: dict[int, dict[str, Any]] = {}
        self.alive = True

    def fileno(self) -> int:
        return self.sock.fileno()

    def pump(self, timeout: float = 0.0) -> None:
        """Read what the server sent (waiting up to ``timeout`` for something)."""
        if not self.alive or not ready([self.sock], select.POLLIN, timeout):
            return
        try:
            data, fds, _flags, _addr = socket.recv_fds(self.sock, 1 << 16, 4)
        except OSError:
            data, fds = b"", []
        self.fds.extend(fds)
        if not data:
            self.alive = False
            return
        self.reader.feed(data)
        while (frame := self.reader.next()) is not None:
            message = frame[0]
            if message.get("op") == "exited":
                self.exits[message["pid"]] = message
            else:
                self.messages.append(message)

    def _expect(self, op: str, timeout: float = SERVER_SECONDS) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while self.alive and time.monotonic() < deadline:
            for message in list(self.messages):
                if message.get("op") == op:
                    self.messages.remove(message)
                    return message
            self.pump(deadline - time.monotonic())
        raise ProtocolError("the sandbox server stopped answering")

    def wait_ready(self) -> list[str]:
        return [str(w) for w in self._expect("ready")["warnings"]]

    def spawn(self) -> tuple[int, socket.socket]:
        """A fresh confined child, and the parent's socket to it."""
        self.send({"op": "spawn"})
        pid = self._expect("spawned")["pid"]
        if pid is None:
            raise ProtocolError("the sandbox server could not start a child")
        if not self.fds:
            raise ProtocolError("no socket came with the child")
        return pid, socket.socket(fileno=self.fds.popleft())

    def kill(self, pid: int) -> None:
        self.send({"op": "kill", "pid": pid})

    def wait_exit(self, pid: int, timeout: float) -> dict[str, Any] | None:
        """How child ``pid`` ended (once it and its descendants are gone), or None."""
        deadline = time.monotonic() + timeout
        while pid not in self.exits and self.alive and time.monotonic() < deadline:
            self.pump(deadline - time.monotonic())
        return self.exits.pop(pid, None)

    def send(self, message: dict[str, Any]) -> None:
        try:
            self.sock.sendall(pack(message))
        except OSError:
            self.alive = False
            raise ProtocolError("the sandbox server is gone") from None

    def close(self) -> None:
        """Stop the server: it kills its child and everything left, then exits."""
        self.sock.close()
        for fd in self.fds:
            os.close(fd)
        self.fds.clear()
        try:
            _wait(self.process, SERVER_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()   # the server dies with it (PR_SET_PDEATHSIG), and all below
            self.process.wait()


def _wait(process: subprocess.Popen | Forked, timeout: float) -> None:
    """``process.wait(timeout)``, told by a pidfd when a ``Popen`` ends rather than by
    ``Popen.wait``'s polling sleeps (some 10 ms of every ``grade run``)."""
    if isinstance(process, subprocess.Popen) and process.returncode is None \
            and hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(process.pid)
        except OSError:   # no pidfds here
            pidfd = -1
        if pidfd >= 0:
            try:
                wait_pidfd(pidfd, timeout, process.args)
            finally:
                os.close(pidfd)
    process.wait(timeout)


def wait_pidfd(pidfd: int, timeout: float | None, what: Any) -> None:
    """Return once the process of ``pidfd`` has ended; ``subprocess.TimeoutExpired`` (about
    ``what``) after ``timeout`` seconds (None: no limit)."""
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    if not poller.poll(None if timeout is None else max(timeout, 0.0) * 1000):
        raise subprocess.TimeoutExpired(what, timeout)


class ForkServer:
    """The server process: forks confined children on request and cleans up after them."""

    def __init__(self, sock: socket.socket, limits: Limits, hidden_paths: Sequence[Path]):
        self.sock = sock
        self.limits = limits
        self.hidden_paths = hidden_paths
        self.reader = FrameReader(CONTROL_LIMIT)
        self.child: tuple[int, int, Path] | None = None   # pid, capture fd, workdir
        self.killed_at_memory_limit = False   # its memory was full when the parent killed it

    def run(self) -> NoReturn:
        from grader.sandbox import confine
        self.confine = confine
        if os.getsid(0) != os.getpid():
            os.setsid()
        null = self._detach_stdio()
        self._close_inherited(null, {0, 1, 2, null, self.sock.fileno()})
        self._forget_modules()
        warnings = confine.prepare_server(self.limits.disk_bytes)
        self.wake, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(wake_write)
        self.wake_write = wake_write
        gc.freeze()  # children never scan (and so never copy) the inherited heap
        self.send({"op": "ready", "warnings": warnings})
        self.serve()
        os._exit(0)

    def _detach_stdio(self) -> int:
        """Nothing the server (or a child) prints may reach the grader's terminal."""
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        sys.stdin = sys.__stdin__ = open(0, closefd=False)
        sys.stdout = sys.__stdout__ = open(1, "w", closefd=False)
        sys.stderr = sys.__stderr__ = open(2, "w", closefd=False)
        return null

    @staticmethod
    def _close_inherited(null: int, keep: set[int]) -> None:
        """Cut every other fd the grader had open (other servers' sockets, report files).

        Each becomes a copy of /dev/null rather than closed, so a stale Python object that
        closes its fd later cannot close a descriptor that reused the number.
        """
        folder = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
        for name in os.listdir(folder):
            if int(name) not in keep:
                try:
                    os.dup2(null, int(name))
                except OSError:  # the listing's own fd, already closed
                    pass

    @staticmethod
    def _forget_modules() -> None:
        """Drop the grader's other modules, and empty any reference solutions loaded."""
        for name in list(sys.modules):
            top = name.split(".")[0]
            if name in KEEP_MODULES or name.startswith("grader.sandbox.") \
                    or top not in ("grader", "solutions", "exercises"):
                continue
            module = sys.modules.pop(name)
            if top == "solutions":
                module.__dict__.clear()
        linecache.clearcache()
        from grader.i18n import LANGUAGES, catalog
        for language in LANGUAGES:  # the catalogs, read now: a child may not read them
            catalog(language)

    def send(self, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
        try:
            socket.send_fds(self.sock, [pack(message)], list(fds))
        except OSError:  # the parent is gone: serve() sees the end of the stream next
            pass

    def serve(self) -> None:
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        poller.register(self.wake, select.POLLIN)
        while True:
            for fd, _event in poller.poll():
                if fd == self.wake:
                    os.read(self.wake, 512)
                    self._reap()
                    continue
                data = self.sock.recv(1 << 16)
                if not data:
                    self._end_child()
                    return
                self.reader.feed(data)
                while (frame := self.reader.next()) is not None:
                    self._handle(frame[0])

    def _handle(self, message: dict[str, Any]) -> None:
        if message.get("op") == "spawn":
            self._end_child()
            try:
                self._spawn()
            except OSError:  # out of processes or disk: this child cannot start
                self.send({"op": "spawned", "pid": None})
        elif message.get("op") == "kill" and self.child and self.child[0] == message["pid"]:
            # A call killed at its time limit may have been stuck at its memory limit: the
            # cause, not the clock, classifies the fault.
            self.killed_at_memory_limit = self.confine.at_memory_limit(
                self.child[0], self.limits.memory_bytes // 10)
            os.kill(self.child[0], signal.SIGKILL)

    def _spawn(self) -> None:
        from grader.sandbox import child
        with contextlib.ExitStack() as undo:  # what a failed step leaves is undone
            workdir = self.confine.make_workdir()
            undo.callback(self.confine.remove_workdir, workdir)
            capture = os.open(workdir / ".output", os.O_RDWR | os.O_CREAT | os.O_EXCL
                              | os.O_APPEND | os.O_NOFOLLOW, 0o600)
            undo.callback(os.close, capture)
            ours, theirs = socket.socketpair()
            undo.callback(ours.close)
            undo.callback(theirs.close)
            pid = os.fork()
            if pid == 0:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                for sock in (self.sock, ours):
                    sock.close()
                os.close(self.wake)
                os.close(self.wake_write)
                child.run(theirs, capture, workdir, self.limits, self.hidden_paths)
            undo.pop_all()
        theirs.close()
        self.child = (pid, capture, workdir)
        self.send({"op": "spawned", "pid": pid}, [ours.fileno()])
        ours.close()

    def _reap(self) -> None:
        while self.child is not None:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.child[0]:
                self._ended(status)

    def _end_child(self) -> None:
        """Kill the current child, if any, and clean up after it."""
        if self.child is None:
            return
        try:
            os.kill(self.child[0], signal.SIGKILL)
            _pid, status = os.waitpid(self.child[0], 0)
        except (ProcessLookupError, ChildProcessError):
            status = signal.SIGKILL
        self._ended(status)

    def _ended(self, status: int) -> None:
        pid, capture, workdir = self.child
        self.child = None
        self.confine.reap_orphans()
        output, cut = self.confine.read_output(capture, self.limits.output_chars)
        os.close(capture)
        self.confine.remove_workdir(workdir)
        how = {"signal": os.WTERMSIG(status)} if os.WIFSIGNALED(status) \
            else {"code": os.WEXITSTATUS(status)}
        self.send({"op": "exited", "pid": pid, **how, "output": output, "cut": cut,
                   "memory_limit": self.killed_at_memory_limit})
        self.killed_at_memory_limit = False
