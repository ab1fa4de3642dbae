"""Launch a sandbox server's interpreter, and hold one launched ahead for its ``Sandbox``;
import the numeric libraries single-threaded, with the collector paused meanwhile.

Light on purpose (the standard library only): the ``grade`` command (``grader/command.py``)
launches the server of ``grade run`` and ``grade watch`` before it imports anything else,
so that the server's import of numpy and torch, the longest step of grading one
submission, starts at once rather than after the command's own imports.
"""

from __future__ import annotations

import atexit
import gc
import os
import socket
import subprocess
import sys
from typing import Any

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
#: What the server keeps of the grader's environment (besides LC_*, GRADER_*).
SERVER_VARIABLES = ("PATH", "LANG", "LANGUAGE", "HOME", "TMPDIR", "LD_LIBRARY_PATH",
                    "PYTHONHOME", "PYTHONPATH")
#: The folder that holds the ``grader`` package: the server imports it from there.
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

#: A server (its process and this process's end of its socket) held for the next
#: ``Sandbox.start`` of the process whose pid is first.
_held: tuple[int, Any, socket.socket] | None = None
#: Whether ``pause_collection`` stopped the collector, which ``resume_collection`` restarts.
_paused = False


def clean_interpreter(module: str, *args: str, kind: int = socket.SOCK_STREAM
                      ) -> tuple[subprocess.Popen, socket.socket]:
    """A fresh interpreter running ``python -m module FD *args``: the scrubbed environment
    (``server_environment``), a session of its own, no standard streams, and of this
    process's descriptors only FD, its end of a new socket pair of ``kind``; and this
    process's end. OSError when it cannot start."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, kind)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", module, str(theirs.fileno()), *args],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, cwd=PACKAGE_ROOT, env=server_environment(),
            start_new_session=True)
    except OSError:
        ours.close()
        raise
    finally:
        theirs.close()
    return process, ours


def server_environment() -> dict[str, str]:
    """The server's environment: what Python, numpy and torch need, nothing the grader was
    given (tokens, keys); the grader's package importable first."""
    kept = {k: v for k, v in os.environ.items()
            if k in SERVER_VARIABLES or k.startswith(("LC_", "GRADER_"))}
    return {**kept, **{variable: "1" for variable in THREAD_VARIABLES},
            "PYTHONPATH": os.pathsep.join([PACKAGE_ROOT, *filter(None, [os.environ.get(
                "PYTHONPATH")])])}


def single_threaded_libraries() -> None:
    """One thread for the numeric libraries (so forking is safe), with both imported (the
    server and the process that grades with it alike: the same numbers in both)."""
    for variable in THREAD_VARIABLES:
        os.environ[variable] = "1"
    import torch   # first: it imports numpy, at less cost than numpy alone beforehand
    import numpy  # noqa: F401
    torch.set_num_threads(1)


def pause_collection() -> None:
    """Stop the cyclic garbage collector while this process imports torch and the grader
    (each full collection would scan all of torch's objects: some 0.1 s of a ``grade run``),
    until ``resume_collection``. For a process that is the ``grade`` command's own, never a
    caller's (a notebook's kernel keeps its collector as it is)."""
    global _paused
    _paused = True
    gc.disable()


def resume_collection() -> None:
    """After ``pause_collection``: keep what was imported out of every later collection
    (``gc.freeze``) and collect the rest as usual again; nothing otherwise."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def ahead() -> None:
    """Launch a fresh server interpreter now and hold it for this process's next
    ``Sandbox.start`` (nothing when one is held already, or it cannot start: ``start``
    launches one then, and says why it could not)."""
    if held():
        return
    try:
        hold(*clean_interpreter("grader.sandbox.boot"))
    except OSError:
        pass


def hold(process: Any, sock: socket.socket) -> None:
    """Hold ``process``, a server's launcher, and this process's end of its socket for this
    process's next ``Sandbox.start``; one never taken is killed when this process exits."""
    global _held
    _held = (os.getpid(), process, sock)


def held() -> bool:
    """Whether a server is held for this process."""
    return _held is not None and _held[0] == os.getpid()


def take() -> tuple[Any, socket.socket] | None:
    """The server held for this process (no longer held), or None."""
    global _held
    if not held():
        return None
    _pid, process, sock = _held
    _held = None
    return process, sock


def _discard() -> None:
    """Kill a server launched ahead that was never used (a usage error, ``--help``): it
    would otherwise import torch for nothing, after this process is gone."""
    taken = take()
    if taken is not None:
        process, sock = taken
        sock.close()
        try:
            process.kill()
        except OSError:
            pass


atexit.register(_discard)
