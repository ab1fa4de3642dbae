"""Child side: the process that loads one submission and runs its functions.

Forked by the fork server; ``run`` confines it (``confine.enter``), points fds 1 and 2 at a
capture file, hides the grader's modules, then serves the parent over its socket: one
``load``, then ``calls`` after ``calls``: the cases of one test in one frame, answered by
``started`` and then a ``result`` frame per case (with ``callee`` requests in between when
the parent answers some functions itself), until the last case or until the parent says
``stop`` (answered by ``stopped``). The child reaps its own orphans, and every process a
call started is ended when the call ends.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import select
import socket
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn, Sequence

import numpy as np

from grader.cases.functions import SCALAR_FUNCTIONS
from grader.sandbox import confine
from grader.sandbox.channel import (NUMPY_SCALARS, Encoder, FrameReader, RefusedValue, decode,
                                    encode_result, pack)
from grader.sandbox.loader import Blocker, Loader, describe
from grader.sandbox.policy import static_uses
from grader.sandbox.profiler import ForbiddenProfiler
from grader.sandbox.substitute import Substitution
from grader.sandbox.values import Limits

#: Frames from the parent are trusted; this only stops a runaway.
PARENT_FRAME_LIMIT = 1 << 31


def run(sock: socket.socket, capture: int, workdir: Path, limits: Limits,
        hidden_paths: Sequence[Path]) -> NoReturn:
    """Become the child: confine, capture output, serve the parent; never returns."""
    code = 0
    try:
        confine.enter(limits, workdir, hidden_paths)
        confine.adopt_orphans()
        Runner(sock, capture, limits).serve()
    except BaseException:
        code = 70
    finally:
        os._exit(code)


class Runner:
    """Serves ``load`` and ``call`` requests on ``sock``."""

    def __init__(self, sock: socket.socket, capture: int, limits: Limits):
        self.sock = sock
        self.reader = FrameReader(PARENT_FRAME_LIMIT)
        self.capture = capture
        self.limits = limits
        self.loader: Loader | None = None
        self.answering: dict[str, Any] = {}
        self.stopping = False
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self._capture_output()
        for name in [n for n in sys.modules if n.split(".")[0] in ("grader", "solutions",
                                                                     "exercises")]:
            del sys.modules[name]
        sys.meta_path.insert(0, Blocker())

    def _capture_output(self) -> None:
        os.dup2(self.capture, 1)
        os.dup2(self.capture, 2)
        sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", errors="backslashreplace",
                                           closefd=False, buffering=1)
        sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8",
                                           errors="backslashreplace", closefd=False,
                                           buffering=1)

    def send(self, message: dict[str, Any], blobs: list[bytes] = ()) -> None:
        self.sock.sendall(pack(message, blobs))

    def serve(self) -> None:
        while True:
            frame = self.reader.read(self.sock)
            if frame is None:
                return
            message, blobs = frame
            if message.get("op") == "load":
                self.load(message)
            elif message.get("op") == "calls":
                self.calls(message, blobs)
            elif message.get("op") == "stop":   # it came after the last case had ended
                self.send({"op": "stopped"})
            else:
                return

    # -- output --------------------------------------------------------------------------

    def take_output(self) -> tuple[str, bool]:
        """What was printed since the last time (decoded, cut), and whether it was cut."""
        for stream in {id(s): s for s in (sys.stdout, sys.stderr, sys.__stdout__,
                                           sys.__stderr__)}.values():
            try:
                stream.flush()
            except Exception:
                pass
        try:
            output = confine.read_output(self.capture, self.limits.output_chars)
            if output != ("", False):
                os.ftruncate(self.capture, 0)
                os.lseek(self.capture, 0, os.SEEK_SET)
        except OSError:  # the student closed or replaced the capture file
            return "", False
        return output

    # -- loading -------------------------------------------------------------------------

    def load(self, message: dict[str, Any]) -> None:
        # Before any of the submission's code runs, so that none of it can change the finding;
        # once per session (a child started after a fault is not asked again).
        if message.get("policy", True):
            self.send({"op": "policy", "uses": static_uses(message["units"], message["helpers"],
                                                           message["kind"])})
        self.loader = Loader(message["units"], message["helpers"], message["kind"],
                             message["skip"], self.report, self.answering.get)
        self.loader.load()
        output, cut = self.take_output()
        self.send({"op": "ready", "available": self.loader.available(), "output": output,
                   "cut": cut})

    def report(self, event: dict[str, Any]) -> None:
        """Send a loading event with what was printed since the last one."""
        event["output"], event["cut"] = self.take_output()
        self.send(event)

    # -- calls ---------------------------------------------------------------------------

    def calls(self, message: dict[str, Any], blobs: list[bytes]) -> None:
        """Run the cases one after another, a ``result`` for each, until the last or until
        the parent says stop."""
        self.send({"op": "started"})
        cases = message["cases"]
        target = self.loader.student_object(message["function"])
        proxies = {name: self._proxy(name) for name in message["callees"]}
        with contextlib.ExitStack() as substituted:
            if callable(target):   # in place for the exchange; proxies answer during calls
                substituted.enter_context(Substitution(self.loader, message["function"],
                                                       target, proxies))
            for index, case in enumerate(cases):
                try:
                    self.call(message, case, blobs, target, proxies)
                except MemoryError:  # after the student's call, while answering
                    self.send({"op": "result", "fault": "memory", "detail": "MemoryError"})
                    return
                if self.stopped(last=index + 1 == len(cases)):
                    self.send({"op": "stopped"})
                    return

    def stopped(self, last: bool) -> bool:
        """Whether the parent has said stop: while the case waited for an answer, or since it
        ended (after the ``last`` case, ``serve`` reads what comes next)."""
        if self.stopping:
            self.stopping = False
            return True
        if last:
            return False
        frame = self.reader.next()
        if frame is None and select.select([self.sock], [], [], 0)[0]:
            frame = self.reader.read(self.sock)
            if frame is None:
                os._exit(0)
        if frame is not None and frame[0].get("op") != "stop":
            raise RuntimeError("unexpected frame during calls")
        return frame is not None

    def call(self, message: dict[str, Any], case: dict[str, Any], blobs: list[bytes],
             target: Any, proxies: dict[str, Any]) -> None:
        function = message["function"]
        args = decode(case["args"], blobs, scalar_function)
        kwargs = decode(case["kwargs"], blobs, scalar_function)
        pristine = copied(args), copied(kwargs)
        reply: dict[str, Any] = {"op": "result", "value": None, "error": None, "fault": None,
                                 "forbidden": [], "mutated": []}
        result = None
        if not callable(target):
            error = NameError(f"name {function.split('.')[1]!r} is not defined")
            reply["error"] = describe(error, self.loader.files)
        else:
            profiler = ForbiddenProfiler() if message["scratch"] else None
            self.take_output()
            try:
                self.answering.update(proxies)
                try:
                    if profiler is not None:
                        profiler.start()
                    result = target(*args, **kwargs)
                finally:
                    self._only_this_process()
                    if profiler is not None:
                        reply["forbidden"] = list(profiler.stop())
                        reply["libraries"] = sorted(profiler.families)
                    self.answering.clear()
                    confine.end_children()  # nothing a call starts outlives it
            except SystemExit as exit_:
                code = exit_.code
                plain = code is None or type(code) is int
                reply.update(fault="exit", code=code if plain else 1,
                             detail="" if plain else str(code)[:200])
            except MemoryError:
                reply["fault"], reply["detail"] = "memory", "MemoryError"
            except BaseException as error:
                reply["error"] = describe(error, self.loader.files)
        reply["output"], reply["cut"] = self.take_output()
        reply["mutated"] = changed(args, kwargs, *pristine)
        tree, result_blobs = encode_result(result, self.limits.result_bytes)
        reply["value"] = tree
        self.send(reply, result_blobs)

    def _only_this_process(self) -> None:
        """A process the student forked off must not answer in the child's name."""
        if os.getpid() != self.pid:
            os._exit(0)

    def _proxy(self, name: str) -> Any:
        def proxy(*args: Any, **kwargs: Any) -> Any:
            return self.ask(name, args, kwargs)
        proxy.__name__ = proxy.__qualname__ = name.split(".")[1]
        return proxy

    def ask(self, name: str, args: tuple, kwargs: dict) -> Any:
        """Have the parent compute the reference ``name(*args, **kwargs)``."""
        self._only_this_process()
        if name not in self.answering:
            raise RuntimeError(f"{name} is answered only during the call it was given for")
        encoder = Encoder(self.limits.result_bytes)
        try:
            trees = encoder.encode(list(args)), encoder.encode(kwargs)
        except RefusedValue as refusal:
            raise TypeError(f"{name} cannot take a {refusal.refused.type_name} "
                            f"({refusal.refused.why})") from None
        with self.lock:
            self.send({"op": "callee", "name": name, "args": trees[0], "kwargs": trees[1]},
                      encoder.blobs)
            frame = self.reader.read(self.sock)
            while frame is not None and frame[0].get("op") == "stop":
                self.stopping = True   # after this case
                frame = self.reader.read(self.sock)
        if frame is None:
            os._exit(0)
        answer, blobs = frame
        if answer.get("error") is not None:
            kind = getattr(builtins, answer["error"]["type"], None)
            if not (isinstance(kind, type) and issubclass(kind, Exception)):
                kind = RuntimeError
            raise kind(answer["error"]["message"])
        return decode(answer["value"], blobs)


def scalar_function(name: str) -> Any:
    """The plain numpy function a ``ScalarFunction`` marker stands for."""
    compute = SCALAR_FUNCTIONS[name][0]

    def f(x: Any) -> float:
        return compute(np.asarray(x, dtype=np.float64))
    f.__name__ = f.__qualname__ = name
    return f


def copied(value: Any) -> Any:
    """A copy of decoded arguments, kept to compare with after the call: arrays copied,
    containers rebuilt; numbers, strings and the scalar functions are immutable."""
    kind = type(value)
    if kind is np.ndarray:
        return value.copy()
    if kind is list:
        return [copied(item) for item in value]
    if kind is tuple:
        return tuple(copied(item) for item in value)
    if kind is dict:
        return {key: copied(item) for key, item in value.items()}
    return value


def changed(args: list, kwargs: dict, args_before: list, kwargs_before: dict) -> list[str]:
    """Positions / names of the arguments that are no longer what they were."""
    found = [str(i) for i, (now, before) in enumerate(zip(args, args_before))
             if not same(now, before)]
    return found + [key for key in kwargs if not same(kwargs[key], kwargs_before.get(key))]


#: Bound now, before any student code runs: patching numpy's module attributes later
#: cannot change what the mutation check computes with (ufuncs themselves are immutable).
_ABS, _SUBTRACT, _LESS_EQUAL, _ISNAN = np.abs, np.subtract, np.less_equal, np.isnan
_ERRSTATE = np.errstate


def _restored(now: np.ndarray, before: np.ndarray) -> bool:
    """Floats put back by arithmetic (x[i] += h, later x[i] -= h) within rounding, nan for nan."""
    if now.dtype.kind != "f":
        return False
    with _ERRSTATE(all="ignore"):
        close = _LESS_EQUAL(_ABS(_SUBTRACT(now, before)), 1e-12 * _ABS(before))
    return bool((close | (_ISNAN(now) & _ISNAN(before))).all())


def same(now: Any, before: Any) -> bool:
    """Exact equality of plain data, by type first (never the objects' own ``__eq__``)."""
    if type(now) is not type(before):
        return False
    if type(now) is np.ndarray:
        return now.shape == before.shape and now.dtype == before.dtype \
            and (now.tobytes() == before.tobytes() or _restored(now, before))
    if type(now) in (list, tuple):
        return len(now) == len(before) and all(same(a, b) for a, b in zip(now, before))
    if type(now) is dict:
        return now.keys() == before.keys() and all(same(now[k], before[k]) for k in now)
    if type(now) is float:
        return now == before or (now != now and before != before)
    if type(now) in NUMPY_SCALARS:
        return now.tobytes() == before.tobytes()
    return callable(now) or bool(now == before)
