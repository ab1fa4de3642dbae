"""The template server: one clean interpreter that forks every worker's fork server, so the
servers of a batch share its pages of numpy and torch instead of importing their own.

``python -m grader.sandbox.template FD PARENT`` is launched like a server (a fresh
interpreter, the scrubbed environment of ``server_environment``), imports what a server and
its children need (``boot.warm``) and then only forks. A request on its control socket FD
(``SOCK_SEQPACKET``: one request a record, from any of the grader's processes) carries
nothing but the server's end of a fresh socket; the template forks a launcher that keeps that
socket alone (the control socket and every other descriptor closed) and runs ``boot.run`` on
it: new PID and mount namespaces as root, the server their first process, confined and
configured (limits, hidden paths, language) by its own grading process as any server is. The
template then sends, on that socket, the launcher's pid and a pidfd of it, with which the
grading process waits for and kills a process it did not start.

What the template holds is what a fresh server holds before its configuration: nothing of
the grader's (no frame, object, secret, submission or seed), so a child, which may read its
server's memory, finds nothing there either. A child reaches neither the template nor another
worker's server: it holds no descriptor of theirs, sees only its server's PID namespace and
runs as a uid of its server's. The template dies with the process that launched it
(``PR_SET_PDEATHSIG``) and ends when every holder of the control socket is gone; a server it
forked lives until its own grading process closes its socket, as before.

``share`` starts a template for this process's sandboxes and those of the processes it forks
from then on (a batch's workers); ``Sandbox.start`` takes its server from it
(``fork_server``), and launches one of its own when there is none or it is gone.
"""

from __future__ import annotations

import gc
import os
import select
import signal
import socket
import sys
from typing import NoReturn

from grader.sandbox.channel import FrameReader, ProtocolError, pack
from grader.sandbox.server import (CONTROL_LIMIT, SERVER_SECONDS, ForkServer,
                                   clean_interpreter, ready, wait_pidfd)

#: How often (seconds) the template reaps the launchers that ended, when it has no request.
REAP_SECONDS = 1.0

#: The template whose forks serve this process's sandboxes (set by ``share``; a process
#: forked afterwards inherits it).
_shared: Template | None = None


class ForkedServer:
    """A launcher the template forked, as ``subprocess.Popen`` shows a process to its
    parent: its pid, ``wait`` and ``kill`` (through a pidfd: it is not this process's child)."""

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid = pid
        self.pidfd = pidfd

    def wait(self, timeout: float | None = None) -> None:
        """Return once it has ended; ``subprocess.TimeoutExpired`` after ``timeout`` s."""
        if self.pidfd < 0:
            return
        wait_pidfd(self.pidfd, timeout, f"server {self.pid}")
        os.close(self.pidfd)
        self.pidfd = -1

    def kill(self) -> None:
        if self.pidfd >= 0:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except ProcessLookupError:   # it has ended meanwhile
                pass


class Template:
    """The grader's handle on a template server: its process and the control socket."""

    def __init__(self) -> None:
        self.process, self.control = clean_interpreter(
            "grader.sandbox.template", str(os.getpid()), kind=socket.SOCK_SEQPACKET)
        self.owner = os.getpid()

    def fork_server(self) -> tuple[ForkedServer, socket.socket]:
        """A fresh server (its launcher) and this process's end of its socket; OSError or
        ProtocolError when the template is gone."""
        ours, theirs = socket.socketpair()
        reader, fds = FrameReader(CONTROL_LIMIT), []
        try:
            with theirs:
                socket.send_fds(self.control, [pack({"op": "fork"})], [theirs.fileno()])
            while (frame := reader.next()) is None:
                if not ready([ours], select.POLLIN, SERVER_SECONDS):
                    raise ProtocolError("the template server stopped answering")
                data, more, _flags, _addr = socket.recv_fds(ours, reader.need(), 1)
                fds += more
                if not data:
                    raise ProtocolError("the template server is gone")
                reader.feed(data)
            if frame[0].get("op") != "forked" or len(fds) != 1:
                raise ProtocolError("the template server sent something else")
            return ForkedServer(int(frame[0]["pid"]), fds.pop()), ours
        except BaseException:
            for fd in fds:
                os.close(fd)
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


def fork_server() -> tuple[ForkedServer, socket.socket] | None:
    """A server forked from this process's shared template, and this process's end of its
    socket; None when there is no template, or it is gone (then never asked again here)."""
    global _shared
    if _shared is None:
        return None
    try:
        return _shared.fork_server()
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
            for fd in fds:
                if frame is not None and frame[0].get("op") == "fork":
                    _fork(control, socket.socket(fileno=fd))
                else:
                    os.close(fd)
        confine.reap_children()


def _fork(control: socket.socket, sock: socket.socket) -> None:
    """Fork a launcher that serves ``sock``, and send its pid and a pidfd on ``sock``."""
    with sock:
        try:
            pid = os.fork()
        except OSError:   # out of processes: the grading process launches its own server
            return
        if pid == 0:
            _launcher(control, sock)
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            os.kill(pid, signal.SIGKILL)
            return
        try:
            socket.send_fds(sock, [pack({"op": "forked", "pid": pid})], [pidfd])
        except OSError:   # the grading process is gone: the server sees the end of its socket
            pass
        finally:
            os.close(pidfd)


def _launcher(control: socket.socket, sock: socket.socket) -> NoReturn:
    """In the forked launcher: keep only ``sock`` and the standard streams, then launch."""
    try:
        from grader.sandbox import boot
        control.close()
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        ForkServer._close_inherited(null, {0, 1, 2, sock.fileno()})
        os.close(null)
        boot.run(sock)
    finally:
        os._exit(70)


if __name__ == "__main__":
    main()
