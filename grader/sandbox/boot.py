"""The fork server's own interpreter: ``python -m grader.sandbox.boot FD``.

``Sandbox.start`` runs this module in a fresh interpreter, so nothing of the grader's (its
frames, objects, the students it was given, the seed) exists in the server or in any child
forked from it. FD is the server's end of its socket; the first frame on it is the
configuration (limits, hidden paths, language).

As root, this process (the launcher) enters new PID and mount namespaces and forks the
server, which is their first process (pid 1): when the server dies, for whatever reason,
the kernel kills every process left in the namespace, double-forked or not. The launcher
only waits for the server and exits with it; the server dies with the launcher
(``PR_SET_PDEATHSIG``). Where the namespaces are not allowed, the launcher is the server.

A batch's template (``template.py``) runs ``warm`` once and then, for each worker, forks a
process that runs ``run`` on that worker's socket: the same launcher and server, sharing the
template's pages of numpy and torch.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import sys
from pathlib import Path
from typing import NoReturn

from grader.sandbox import confine


def main() -> NoReturn:
    run(socket.socket(fileno=int(sys.argv[1])))


def run(sock: socket.socket) -> NoReturn:
    """Be the launcher of a server on ``sock`` (and, in its child, the server)."""
    try:
        if confine.enter_namespaces():
            _launch(sock)
        _serve(sock)
    finally:
        os._exit(70)


def _launch(sock: socket.socket) -> None:
    """Fork the server (pid 1 of the new namespaces) and wait for it; return in the server."""
    alive_read, alive_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(alive_write)
        confine.die_with_parent()
        if select.select([alive_read], [], [], 0)[0]:  # the launcher is already gone
            os._exit(1)
        os.close(alive_read)
        confine.private_mounts()
        return
    os.close(alive_read)
    sock.close()   # the server's alone: its death is the end of the grader's stream
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            _pid, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:
            os._exit(70)
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)


def warm() -> None:
    """Import what the server and its children need (numpy and torch single-threaded), and
    read the message catalogs (a child may not read them)."""
    from grader.i18n import LANGUAGES, catalog
    from grader.sandbox.launch import single_threaded_libraries
    single_threaded_libraries()
    from grader.sandbox import child  # noqa: F401  (warm: imported before any fork)
    for language in LANGUAGES:
        catalog(language)


def _serve(sock: socket.socket) -> NoReturn:
    """Import what children need, read the configuration, serve."""
    from grader.i18n import set_language
    from grader.sandbox.channel import FrameReader
    from grader.sandbox.server import CONTROL_LIMIT, ForkServer
    from grader.sandbox.values import Limits
    warm()   # before the configuration: it may be sent much later
    frame = FrameReader(CONTROL_LIMIT).read(sock)
    if frame is None or frame[0].get("op") != "config":
        os._exit(70)
    config = frame[0]
    set_language(config["language"])
    ForkServer(sock, Limits(**config["limits"]), [Path(p) for p in config["hidden"]]).run()


if __name__ == "__main__":
    main()
