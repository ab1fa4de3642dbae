"""The template server: one clean interpreter that forks a batch's grading processes and
their fork servers, so that all of them share its pages of numpy and torch instead of
importing their own.

``python -m grader.sandbox.template FD PARENT`` is launched like a server (a fresh
interpreter, the scrubbed environment of ``server_environment``), imports what a server and
its children need (``boot.warm``) and the libraries a grading process renders reports with
(``GRADING_LIBRARIES``: none of the grader's own code), and then only forks. A request on
its control socket FD (``SOCK_SEQPACKET``: one request a record, from any of the grader's
processes) carries nothing but one end of a fresh socket, and asks for one of two things:

- ``fork``: a server. The template forks a launcher that keeps that socket alone (the
  control socket and every other descriptor closed) and runs ``boot.run`` on it: new PID
  and mount namespaces as root, the server their first process, confined and configured
  (limits, hidden paths, language) by its own grading process as any server is.
- ``grade``: a grading process. The template forks a server's launcher as above, on a
  socket pair of its own, then the grading process, which keeps the socket it was sent (its
  worker's), the grader's end of its server's socket and a pidfd of that launcher, nothing
  else, and runs ``grader.classroom.workers.serve``: it imports the grader (the solutions
  included) only then, in itself, after its server was forked, and ends with its worker.

Either way the template then sends, on the socket it was sent, the pid of what it forked and
a pidfd of it, with which the asker waits for and kills a process it did not start.

What the template holds is what a fresh server holds before its configuration: nothing of
the grader's (no frame, object, secret, submission or seed), so a child, which may read its
server's memory, finds nothing there either. A child reaches neither the template nor a
grading process nor another worker's server: it holds no descriptor of theirs, sees only its
server's PID namespace and runs as a uid of its server's. The template dies with the process
that launched it (``PR_SET_PDEATHSIG``) and ends when every holder of the control socket is
gone; a server it forked lives until its own grading process closes its socket, as before,
and a grading process until its worker ends.

``share`` starts a template for this process's sandboxes and those of the processes it forks
from then on (a batch's workers); ``Sandbox.start`` takes its server from it
(``fork_server``), and launches one of its own when there is none or it is gone; a worker
takes its grading process from it (``fork_grading``).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import select
import signal
import socket
import sys
from typing import Callable, NoReturn

from grader.sandbox.channel import FrameReader, ProtocolError, pack
from grader.sandbox.launch import clean_interpreter
from grader.sandbox.server import CONTROL_LIMIT, SERVER_SECONDS, ForkServer, ready, wait_pidfd

#: How often (seconds) the template reaps the launchers that ended, when it has no request.
REAP_SECONDS = 1.0
#: Libraries a grading process needs that are not the grader's (what renders a report):
#: imported here once and shared, where each grading process importing them copies some
#: 5 MiB of the template's pages.
GRADING_LIBRARIES = ("rich.box", "rich.cells", "rich.console", "rich.padding", "rich.table",
                     "rich.text")

#: The template whose forks serve this process's sandboxes (set by ``share``; a process
#: forked afterwards inherits it).
_shared: Template | None = None


class Forked:
    """A process the template forked (a server's launcher, or a grading process), as
    ``subprocess.Popen`` shows a process to its parent: its pid, ``wait``, ``terminate`` and
    ``kill`` (through a pidfd: it is not this process's child)."""

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid = pid
        self.pidfd = pidfd

    def wait(self, timeout: float | None = None) -> None:
        """Return once it has ended; ``subprocess.TimeoutExpired`` after ``timeout`` s."""
        if self.pidfd < 0:
            return
        wait_pidfd(self.pidfd, timeout, f"process {self.pid}")
        self.close()

    def close(self) -> None:
        """Let go of it (its pidfd) without waiting for it."""
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, number: int) -> None:
        if self.pidfd >= 0:
            try:
                signal.pidfd_send_signal(self.pidfd, number)
            except ProcessLookupError:   # it has ended meanwhile
                pass


class Template:
    """The grader's handle on a template server: its process and the control socket."""

    def __init__(self) -> None:
        self.process, self.control = clean_interpreter(
            "grader.sandbox.template", str(os.getpid()), kind=socket.SOCK_SEQPACKET)
        self.owner = os.getpid()

    def fork_server(self) -> tuple[Forked, socket.socket]:
        """A fresh server (its launcher) and this process's end of its socket; OSError or
        ProtocolError when the template is gone."""
        return self._fork("fork")

    def fork_grading(self) -> tuple[Forked, socket.socket]:
        """A fresh grading process (``grader.classroom.workers.serve``) with a server of its
        own, and this process's end of the grading process's socket; OSError or
        ProtocolError when the template is gone."""
        return self._fork("grade")

    def _fork(self, op: str) -> tuple[Forked, socket.socket]:
        """Ask for a process of kind ``op`` on a fresh socket: the process and our end."""
        ours, theirs = socket.socketpair()
        try:
            with theirs:
                socket.send_fds(self.control, [pack({"op": op})], [theirs.fileno()])
            return _forked(ours), ours
        except BaseException:
            ours.close()
            raise

    def close(self) -> None:
        """Stop the template (in the process that started it); the servers it forked end
        with their own sockets."""
        global _shared
        if _shared is self:
            _shared = None
        self.control.close()
        if os.getpid() == self.owner:   # it only forks: nothing is lost when it is killed
            self.process.kill()
            self.process.wait()


def _forked(sock: socket.socket) -> Forked:
    """The process the template's reply on ``sock`` names, with the pidfd that came with
    it (not a byte past the reply is read); ProtocolError when the template is gone or sent
    something else."""
    reader, fds = FrameReader(CONTROL_LIMIT), []
    try:
        while (frame := reader.next()) is None:
            if not ready([sock], select.POLLIN, SERVER_SECONDS):
                raise ProtocolError("the template server stopped answering")
            data, more, _flags, _addr = socket.recv_fds(sock, reader.need(), 1)
            fds += more
            if not data:
                raise ProtocolError("the template server is gone")
            reader.feed(data)
        if frame[0].get("op") != "forked" or len(fds) != 1:
            raise ProtocolError("the template server sent something else")
        return Forked(int(frame[0]["pid"]), fds.pop())
    finally:
        for fd in fds:
            os.close(fd)


def share() -> Template | None:
    """Start a template whose forks serve every ``Sandbox`` started from now on in this
    process and in the processes it forks (close it with ``Template.close``); None where
    it cannot start or the system lacks pidfds (each sandbox then launches its own)."""
    global _shared
    if not hasattr(os, "pidfd_open"):
        return None
    try:
        _shared = Template()
    except OSError:
        return None
    return _shared


def fork_server() -> tuple[Forked, socket.socket] | None:
    """A server forked from this process's shared template, and this process's end of its
    socket; None when there is no template, or it is gone (then never asked again here)."""
    return _ask(Template.fork_server)


def fork_grading() -> tuple[Forked, socket.socket] | None:
    """A grading process forked from this process's shared template, and this process's end
    of its socket; None when there is no template, or it is gone (never asked again here)."""
    return _ask(Template.fork_grading)


def _ask(fork: Callable[[Template], tuple[Forked, socket.socket]]
         ) -> tuple[Forked, socket.socket] | None:
    global _shared
    if _shared is None:
        return None
    try:
        return fork(_shared)
    except (OSError, ProtocolError):
        _shared = None
        return None


# -- in the template -----------------------------------------------------------------------

def main() -> NoReturn:
    control = socket.socket(fileno=int(sys.argv[1]))
    try:
        from grader.sandbox import boot, confine
        confine.die_with_parent()
        if os.getppid() == int(sys.argv[2]):   # else the grader is already gone
            boot.warm()
            for library in GRADING_LIBRARIES:
                importlib.import_module(library)
            gc.freeze()   # forks never scan (and so never copy) the template's heap
            serve(control)
    finally:
        os._exit(0)


def serve(control: socket.socket) -> None:
    """Fork a server for each request, until every holder of ``control`` is gone; reap the
    launchers that ended (a pid stays taken until then: ``_fork``'s pidfd is of the right
    process)."""
    from grader.sandbox import confine

    while True:
        if ready([control], select.POLLIN, REAP_SECONDS):
            try:
                data, fds, _flags, _addr = socket.recv_fds(control, 1 << 12, 1)
            except OSError:
                return
            if not data:
                return
            reader = FrameReader(CONTROL_LIMIT)
            reader.feed(data)
            frame = reader.next()
            op = frame[0].get("op") if frame is not None else None
            for fd in fds:
                if op == "fork":
                    _fork(control, socket.socket(fileno=fd))
                elif op == "grade":
                    _fork_grading(control, socket.socket(fileno=fd))
                else:
                    os.close(fd)
        confine.reap_children()


def _fork(control: socket.socket, sock: socket.socket) -> None:
    """Fork a launcher that serves ``sock``, and send its pid and a pidfd on ``sock``."""
    with sock:
        launcher = _spawn(lambda: _launcher(control, sock))
        if launcher is not None:
            _send_forked(sock, *launcher)


def _fork_grading(control: socket.socket, sock: socket.socket) -> None:
    """Fork a server's launcher, then a grading process that holds the grader's end of that
    server's socket and ``sock``, its worker's; send its pid and a pidfd on ``sock``. Both
    are forked from this clean interpreter: the grading process imports the grader (the
    solutions included) only in itself, after its server was forked."""
    with sock, contextlib.ExitStack() as held:
        ours, theirs = (held.enter_context(end) for end in socket.socketpair())
        launcher = _spawn(lambda: _launcher(control, theirs))
        if launcher is None:
            return
        held.callback(os.close, launcher[1])
        grading = _spawn(lambda: _grading(control, sock, ours, Forked(*launcher)))
        if grading is None:
            signal.pidfd_send_signal(launcher[1], signal.SIGKILL)
        else:
            _send_forked(sock, *grading)


def _spawn(run: Callable[[], NoReturn]) -> tuple[int, int] | None:
    """Fork a process that runs ``run``: its pid and a pidfd of it; None when it cannot."""
    try:
        pid = os.fork()
    except OSError:   # out of processes: the asker sees the end of its socket, does without
        return None
    if pid == 0:
        run()
    try:
        return pid, os.pidfd_open(pid)
    except OSError:
        os.kill(pid, signal.SIGKILL)
        return None


def _send_forked(sock: socket.socket, pid: int, pidfd: int) -> None:
    """Tell the holder of ``sock``'s other end the pid of its process, with a pidfd of it."""
    try:
        socket.send_fds(sock, [pack({"op": "forked", "pid": pid})], [pidfd])
    except OSError:   # the grader's process is gone: its process sees the end of ``sock``
        pass
    finally:
        os.close(pidfd)


def _keep_only(*fds: int) -> None:
    """Close every descriptor of this process but the standard streams and ``fds``."""
    null = os.open(os.devnull, os.O_RDWR)
    ForkServer._close_inherited(null, {0, 1, 2, *fds})
    os.close(null)


def _launcher(control: socket.socket, sock: socket.socket) -> NoReturn:
    """In the forked launcher: keep only ``sock`` and the standard streams, then launch."""
    try:
        from grader.sandbox import boot
        control.close()
        os.setsid()
        _keep_only(sock.fileno())
        boot.run(sock)
    finally:
        os._exit(70)


def _grading(control: socket.socket, sock: socket.socket, server: socket.socket,
             launcher: Forked) -> NoReturn:
    """In a forked grading process: keep only ``sock`` (its worker's), ``server`` and the
    launcher's pidfd, adopt that server, then grade what the worker sends."""
    code = 70
    try:
        from grader.sandbox import server as servers
        control.close()   # it ends with its worker, not with the template (``serve``)
        _keep_only(sock.fileno(), server.fileno(), launcher.pidfd)
        servers.adopt(launcher, server)
        from grader.classroom.workers import serve
        code = serve(sock)
    finally:
        os._exit(code)


if __name__ == "__main__":
    main()
