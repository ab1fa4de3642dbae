"""Parent side of one submission's child: loading, calls, timeouts, faults, restarts.

The cases of a call are sent in one exchange and answered one by one; each runs on its own
clock (``Limits.call_seconds``, the parent's answers to its callee requests included) within
the session's budget (``Limits.submission_seconds``). A case that times out, crashes, exits
or runs out of memory is charged to that case only: the child is killed (with everything it
started) and the next exchange gets a fresh child that has loaded the submission again,
without the units that crashed, hung or exited a child while loading. A child that ends or
falls silent before it says it took an exchange is replaced and the exchange sent again once:
what it did after its last answer is not charged to cases it never started.
Units that merely raised run again, so what they defined before raising exists, as in Jupyter.
The death of the fork server (or its failing to start a child) is the grader's fault, never
the student's: it raises ``SandboxFailure`` instead of being charged to a call.
"""

from __future__ import annotations

import contextlib
import math
import select
import signal
import socket
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

from grader.contract import FUNCTIONS
from grader.i18n import _
from grader.sandbox.channel import (FrameReader, ProtocolError, RefusedValue, Encoder, decode,
                                    decode_result, pack, valid)
from grader.sandbox.server import ServerLink, ready
from grader.sandbox.values import CallOutcome, Limits
from grader.submission import Submission

#: Seconds to wait for the server to confirm a killed child is gone.
KILL_SECONDS = 10.0
#: Arguments and callee answers come from the grader itself: only a runaway is refused.
PARENT_LIMIT = 1 << 31
#: Largest arguments the parent computes a reference callee on: the child chooses them and
#: the parent is not confined. Each dimension (a list's length is one), and what all the
#: arrays could broadcast or multiply to; the exercises' arrays are far smaller.
CALLEE_DIMENSION, CALLEE_ELEMENTS = 1024, 2**20
#: Forbidden uses kept per call (the profiler's and the static check's together).
KEEP_USES = 5
#: Callee requests answered in one call (each is bounded by ``CALLEE_ELEMENTS``; the call's
#: clock bounds them too): a child that sends more is malformed.
MAX_CALLEE_REQUESTS = 100_000
#: Messages a child may send while loading, beyond a start and an end per unit and helper
#: (its policy finding, its ready message, a helper imported again).
LOAD_MESSAGES_SPARE = 16
#: What a child may have sent in time though the parent reads it after the deadline (never a
#: callee request: answering it would let the call run on).
LATE_ANSWERS = ("started", "result", "stopped")
#: Seconds a child told to stop may take to finish the case it is running before it is killed.
STOP_SECONDS = 1.0


class SandboxFailure(RuntimeError):
    """The sandbox itself failed (its server is gone or cannot start a child): nothing of
    this submission may be charged for it; grade it again with a fresh sandbox."""


@dataclass
class _Ended:
    """The child ended (the server's report: signal or code, and its last output)."""

    report: dict[str, Any]


_TIMEOUT = object()


class Session:
    """A child that has loaded one submission and runs its functions on request."""

    def __init__(self, link: ServerLink, submission: Submission, limits: Limits) -> None:
        self.load_errors: dict[str, str] = {}
        self.load_output = ""
        self.available: frozenset[str] = frozenset()
        self.closed = False
        self._link = link
        self._limits = limits
        self._kind = submission.kind
        # A module's __file__ is its file's name: no path of this machine reaches the child
        # (nor, through its messages, the student).
        self._units = [{"name": u.name, "kind": u.kind, "source": u.source,
                        "path": _file_name(u.path), "module": u.module, "filename": u.name}
                       for u in submission.units]
        self._helpers = [{"name": h.module, "source": h.source, "path": _file_name(h.path),
                          "filename": h.name} for h in submission.helpers]
        self._deadline = time.monotonic() + limits.submission_seconds
        self._child: tuple[int, socket.socket, FrameReader] | None = None
        self._skip: dict[str, str] = {}  # units that crashed, hung or exited while loading
        self._loaded = False
        #: From-scratch functions whose source reaches a forbidden library (``policy.py``):
        #: what the first child found before running any of the submission's code.
        self.static_uses: dict[str, tuple[str, ...]] | None = None
        self._load()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the child and everything it started."""
        self._kill()
        self.closed = True

    # -- calls ---------------------------------------------------------------------------

    def call(self, function: str, args: tuple, kwargs: dict, *, scratch: bool,
             callees: Mapping[str, Callable[..., Any]] = {}) -> CallOutcome:
        """Call the student's ``function`` once (``calls`` with one case)."""
        with contextlib.closing(self.calls(function, [(args, kwargs)], scratch=scratch,
                                           callees=callees)) as outcomes:
            return next(outcomes)

    def calls(self, function: str, cases: Sequence[tuple[tuple, dict]], *, scratch: bool,
              callees: Mapping[str, Callable[..., Any]] = {}) -> Iterator[CallOutcome]:
        """Call the student's ``function`` in the child on copies of each case's arguments,
        all sent now in one exchange (the child runs them while the caller goes on); the
        iterator gives each case's outcome as it comes, with ``scratch`` the forbidden
        libraries it used (seen running, or in its source).

        Each case runs on its own clock, from the outcome before it. A fault ends the
        exchange (the later cases are not run); closing the iterator early lets the child
        finish the case it is running and run no more.
        """
        if self.closed:
            raise RuntimeError("the session is closed")
        if not cases:
            return _no_outcomes()   # nothing is sent
        encoder = Encoder(PARENT_LIMIT)
        try:
            trees = [{"args": encoder.encode(list(args)), "kwargs": encoder.encode(dict(kwargs))}
                     for args, kwargs in cases]
        except RefusedValue as refusal:
            raise TypeError(f"cannot send {refusal.refused.type_name} to a child") from None
        frame = pack({"op": "calls", "function": function, "cases": trees, "scratch": scratch,
                      "callees": sorted(callees)}, encoder.blobs)
        static = (self.static_uses or {}).get(function, ()) if scratch else ()
        exchange = self._exchange(frame, len(cases), callees, static)
        next(exchange)   # up to its first ``yield``: the cases are sent
        return exchange

    def _exchange(self, frame: bytes, count: int, callees: Mapping[str, Callable[..., Any]],
                  static: Sequence[str]) -> Iterator[Any]:
        """Send the cases (first ``yield``), to a fresh child again if the first ends or
        falls silent before it says it took them; then yield their outcomes."""
        sent = self._send_cases(frame)
        yield None
        received = 0
        try:
            for last_try in (False, True):
                if isinstance(sent, CallOutcome):
                    yield _noted(sent, static)
                    return
                deadline = min(sent + self._limits.call_seconds, self._deadline)
                got = self._started(deadline)
                if type(got) is tuple:
                    break
                if isinstance(got, CallOutcome):
                    yield _noted(got, static)
                    return
                # It ended, or fell silent, before it took the cases: none of them is to
                # blame (a child that forged a reply and then ended; a thread left running).
                report = self._kill() if got is _TIMEOUT else got.report
                self._forget()
                if last_try:
                    yield _noted(self._faulted(self._ended(got, report, [], sent)), static)
                    return
                sent = self._send_cases(frame)
            while received < count:
                outcome = _noted(self._receive(deadline, callees), static)
                received += 1
                yield outcome
                if outcome.fault:
                    return
                deadline = min(time.monotonic() + self._limits.call_seconds, self._deadline)
        finally:
            if received < count and self._child is not None:
                self._stop()

    def _send_cases(self, frame: bytes) -> float | CallOutcome:
        """Send an exchange to a child ready for it: when it was sent, or the outcome of its
        first case if it could not be."""
        if time.monotonic() >= self._deadline:
            return CallOutcome(fault="timeout", fault_detail=self._budget_text())
        if not self._ready_child():
            return CallOutcome(fault="protocol", fault_detail=_("the sandbox stopped working"))
        sent = time.monotonic()
        try:
            self._send(frame)
        except (ProtocolError, OSError) as error:
            return self._broken(error)
        return sent

    def _started(self, deadline: float) -> Any:
        """The child's ``started`` frame, ``_TIMEOUT`` or ``_Ended`` (it did not take the
        cases), or the outcome of a child that sent something else."""
        try:
            got = self._next(deadline)
            if type(got) is tuple and got[0].get("op") != "started":
                raise ProtocolError("unexpected message")
            return got
        except (ProtocolError, OSError) as error:
            return self._broken(error)

    def _ready_child(self) -> bool:
        """Make sure a child that has loaded the submission is waiting, silent, for cases."""
        self._link.pump()
        if self._child is not None and self._link.exits.pop(self._child[0], None):
            self._forget()  # it ended between calls (a thread the student left running)
        if self._child is not None and (self._child[2].buffer
                                        or _spoke_out_of_turn(self._child[1])):
            self._kill()    # it hung up or wrote after its last reply (one it forged, then
                            # ended): a fresh child takes these cases, not a dead or lying one
        if self._child is None:
            self._load()
        if self._child is None:
            self._check_server()
            return False
        return True

    def _receive(self, deadline: float, callees: Mapping[str, Callable[..., Any]]
                 ) -> CallOutcome:
        """The outcome of the case the child is running, answering its callee requests."""
        started = time.monotonic()
        used: list[str] = []
        requests = 0
        try:
            while True:
                got = self._next(deadline)
                if got is _TIMEOUT or isinstance(got, _Ended):
                    report = self._kill() if got is _TIMEOUT else got.report
                    self._forget()
                    return self._faulted(self._ended(got, report, used, started))
                message, blobs = got
                if message.get("op") == "callee":
                    requests += 1
                    if requests > MAX_CALLEE_REQUESTS:
                        raise ProtocolError("more than {count} callee requests in one call"
                                            .format(count=MAX_CALLEE_REQUESTS))
                    self._answer(message, blobs, callees, used)
                elif message.get("op") == "result":
                    outcome = _outcome(message, blobs)
                    outcome.output = self._bounded(outcome.output)
                    outcome.callees_used = tuple(used)
                    outcome.seconds = time.monotonic() - started
                    if outcome.fault == "memory":
                        self._kill()
                        self._check_server()
                    return outcome
                else:
                    raise ProtocolError("unexpected message")
        except (ProtocolError, OSError) as error:
            return self._broken(error, used)

    def _ended(self, got: Any, report: dict[str, Any] | None, used: list[str],
               started: float) -> CallOutcome:
        """The outcome of a case during which the child timed out (``got`` is ``_TIMEOUT``)
        or ended (the server's ``report``)."""
        if got is _TIMEOUT:
            fault, detail = "timeout", self._timeout_text()
            if report is not None and report.get("memory_limit") is True:
                fault, detail = "memory", _("at its memory limit when time ran out")
        else:
            fault, detail = _how_it_ended(report or {})
        return CallOutcome(fault=fault, fault_detail=detail, output=_output(report),
                           callees_used=tuple(used), seconds=time.monotonic() - started)

    def _broken(self, error: Exception, used: Sequence[str] = ()) -> CallOutcome:
        """The outcome of a case whose child broke the channel (``error``): it is killed."""
        self._kill()
        return self._faulted(CallOutcome(fault="protocol", fault_detail=str(error)[:300],
                                         callees_used=tuple(used)))

    def _faulted(self, outcome: CallOutcome) -> CallOutcome:
        """``outcome``, once the server is known to be alive (else ``SandboxFailure``)."""
        self._check_server()
        return outcome

    def _stop(self) -> None:
        """Have the child stop after the case it is running (its outcomes are dropped);
        kill it if it does not stop within ``STOP_SECONDS``."""
        try:
            self._send(pack({"op": "stop"}))
            deadline = time.monotonic() + min(STOP_SECONDS, self._limits.call_seconds)
            while True:
                got = self._next(deadline)
                if got is _TIMEOUT or isinstance(got, _Ended):
                    break
                op = got[0].get("op")
                if op == "stopped":
                    return
                if op == "callee":
                    self._send(pack({"op": "answer", "error": {
                        "type": "RuntimeError", "message": "the grader stopped this call"}}))
                elif op not in ("started", "result"):
                    break
        except (ProtocolError, OSError):
            pass
        self._kill()

    def _answer(self, message: dict[str, Any], blobs: list[bytes],
                callees: Mapping[str, Callable[..., Any]], used: list[str]) -> None:
        """Compute a callee the child asked for with the parent's reference."""
        name = message.get("name")
        if type(name) is not str or name not in callees:
            raise ProtocolError("unexpected callee request")
        args = decode(message.get("args"), blobs)
        kwargs = decode(message.get("kwargs"), blobs)
        if type(args) is not list or type(kwargs) is not dict:
            raise ProtocolError("unexpected callee request")
        if name not in used:
            used.append(name)
        encoder = Encoder(PARENT_LIMIT)
        try:
            if _too_large([*args, *kwargs.values()]):
                raise ValueError(_("the arguments are too large for the reference {function} "
                                   "(at most {dimension} along any axis and {elements} "
                                   "elements)").format(function=name,
                                                       dimension=CALLEE_DIMENSION,
                                                       elements=CALLEE_ELEMENTS))
            reply = {"op": "answer", "value": encoder.encode(callees[name](*args, **kwargs))}
        except RefusedValue as refusal:
            reply = {"op": "answer", "error": {"type": "TypeError",
                                               "message": refusal.refused.why}}
        except Exception as error:  # the reference refuses the student's arguments
            reply = {"op": "answer", "error": {"type": type(error).__name__,
                                               "message": str(error)[:2000]}}
        self._send(pack(reply, encoder.blobs if "value" in reply else []))

    # -- loading -------------------------------------------------------------------------

    def _load(self) -> None:
        """Start a child that loads every unit but those that crashed, hung or exited a child
        while loading (each such unit is found, recorded and skipped in turn)."""
        printed: dict[str, str] = {}  # unit -> what it printed when it last ran
        while True:
            if time.monotonic() >= self._deadline:
                return
            try:
                pid, sock = self._link.spawn()
            except ProtocolError as error:
                raise SandboxFailure(str(error)) from None
            sock.setblocking(False)
            self._child = (pid, sock, FrameReader(self._limits.result_bytes + (1 << 20)))
            message = {"op": "load", "kind": self._kind, "units": self._units,
                       "helpers": self._helpers, "skip": self._skip,
                       "policy": self.static_uses is None}
            try:
                self._send(pack(message))
                failed = self._await_load(printed)
            except (ProtocolError, OSError) as error:
                failed = (self._unfinished(set()), _malformed(error))
                self._kill()
            if failed is None:
                break
            self._check_server()
            unit, text = failed
            if unit is None:
                return
            self._skip[unit] = text
            self.load_errors.setdefault(unit, text)
        if not self._loaded:
            text = "".join(printed.get(u["name"], "") for u in self._units) + printed.get("", "")
            chars = self._limits.output_chars
            self.load_output, self._loaded = _clip(text[:chars], len(text) > chars), True

    def _await_load(self, printed: dict[str, str]) -> tuple[str | None, str] | None:
        """Follow the child's progress, noting what each unit printed; the unit that failed
        and why, or None once loaded."""
        running: list[tuple[str, float]] = []
        finished: set[str] = set()
        idle_since = time.monotonic()
        names = {u["name"] for u in self._units} | {h["name"] for h in self._helpers}
        allowed = 2 * len(names) + LOAD_MESSAGES_SPARE
        while True:
            since = running[-1][1] if running else idle_since
            unit = running[-1][0] if running else self._unfinished(finished)
            try:
                got = self._next(min(since + self._limits.load_seconds, self._deadline))
                allowed -= 1
                if allowed < 0:
                    raise ProtocolError("too many messages while loading")
                if type(got) is tuple:
                    _check_load_message(got[0], names)
            except ProtocolError as error:   # the submission wrote on the child's channel
                self._kill()
                return unit, _malformed(error)
            unit = running[-1][0] if running else self._unfinished(finished)
            if got is _TIMEOUT or isinstance(got, _Ended):
                report = self._kill() if got is _TIMEOUT else got.report
                self._forget()
                printed[unit or ""] = printed.get(unit or "", "") + _output(report)
                if got is _TIMEOUT:
                    return unit, _("timed out while loading")
                fault, detail = _how_it_ended(report)
                text = _("exited while loading ({detail})") if fault == "exit" \
                    else _("crashed while loading ({detail})")
                return unit, text.format(detail=detail)
            message = got[0]
            output = _clip(message.get("output"), message.get("cut"))
            if message.get("op") == "unit" and message.get("phase") == "start":
                if running:
                    self._print(printed, running[-1][0], output)
                name = message["name"]
                printed[name] = ""
                if not running:
                    self._print(printed, name, output)
                running.append((name, time.monotonic()))
            elif message.get("op") == "unit" and message.get("phase") == "done" and running:
                name, _started = running.pop()
                self._print(printed, name, output)
                finished.add(name)
                idle_since = time.monotonic()
                if message.get("error") is not None:
                    self.load_errors.setdefault(name, _load_error(message["error"], name))
            elif message.get("op") == "policy":
                if self.static_uses is None:   # later ones could come from the submission
                    self.static_uses = _uses(message.get("uses"))
            elif message.get("op") == "ready":
                available = message.get("available")
                if type(available) is not list:
                    raise ProtocolError("bad ready message")
                self.available = frozenset(a for a in available
                                           if type(a) is str and a in FUNCTIONS)
                printed[""] = ""
                self._print(printed, "", output)
                return None
            else:
                raise ProtocolError("unexpected message while loading")

    def _print(self, printed: dict[str, str], unit: str, output: str) -> None:
        """Add what ``unit`` printed, keeping at most ``output_chars`` of it: however many
        messages a child sends while loading, what the parent keeps is bounded."""
        printed[unit] = self._bounded(printed.get(unit, "") + output)

    def _bounded(self, text: str) -> str:
        """``text`` cut to ``output_chars`` (with the note that it was): what a child says it
        printed is bounded however it says it."""
        chars = self._limits.output_chars
        return text if len(text) <= chars else _clip(text[:chars], True)

    def _unfinished(self, finished: set[str]) -> str | None:
        """The first unit neither loaded nor skipped (where an unexplained end is charged)."""
        for unit in self._units:
            if unit["name"] not in finished and unit["name"] not in self._skip:
                return unit["name"]
        return None

    # -- the child -----------------------------------------------------------------------

    def _send(self, frame: bytes) -> None:
        """Send a whole frame, unless the child stops reading for ``call_seconds``."""
        sock = self._child[1]
        view = memoryview(frame)
        deadline = time.monotonic() + max(self._limits.call_seconds, 1.0)
        while view:
            try:
                view = view[sock.send(view):]
            except BlockingIOError:
                pass
            if view and not ready([sock], select.POLLOUT, deadline - time.monotonic()):
                raise ProtocolError(_("the child stopped reading"))

    def _next(self, deadline: float) -> Any:
        """The child's next frame before ``deadline`` (even one already received, or an answer
        waiting unread at the deadline), else ``_TIMEOUT``, or ``_Ended``."""
        pid, sock, reader = self._child
        while True:
            frame = reader.next()
            if frame is not None:
                return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:   # an answer that came in time, unread while the parent judged
                while self._drain(sock, reader, wait=False):
                    frame = reader.next()
                    if frame is not None:
                        return frame if frame[0].get("op") in LATE_ANSWERS else _TIMEOUT
                return _TIMEOUT
            if pid in self._link.exits:  # what it sent before it ended still counts
                self._drain(sock, reader)
                frame = reader.next()
                return frame if frame is not None else _Ended(self._link.exits.pop(pid))
            for fd in ready([sock, self._link], select.POLLIN, remaining):
                if fd == self._link.fileno():
                    self._link.pump()
                    if not self._link.alive:
                        raise ProtocolError(_("the sandbox server is gone"))
                elif not self._drain(sock, reader):
                    return _Ended(self._kill() or {"code": None})

    @staticmethod
    def _drain(sock: socket.socket, reader: FrameReader, wait: bool = True) -> bool:
        """Read what is waiting on ``sock``; False at the end of the stream (or, unless
        ``wait``, when nothing is waiting)."""
        try:
            data = sock.recv(max(reader.need(), 1 << 16), socket.MSG_DONTWAIT)
        except BlockingIOError:
            return wait
        except OSError:
            return False
        reader.feed(data)
        return bool(data)

    def _check_server(self) -> None:
        """Raise ``SandboxFailure`` if the server is gone (what it sent before still counts)."""
        while self._link.alive and ready([self._link], select.POLLIN, 0):
            self._link.pump()
        if not self._link.alive:
            self._forget()
            raise SandboxFailure(_("the sandbox server stopped"))

    def _kill(self) -> dict[str, Any] | None:
        """Have the server kill the child; its report once it and its descendants are gone."""
        if self._child is None:
            return None
        pid = self._child[0]
        report = self._link.exits.pop(pid, None)
        if report is None and self._link.alive:
            try:
                self._link.kill(pid)
                report = self._link.wait_exit(pid, KILL_SECONDS)
            except ProtocolError:
                pass
        self._forget()
        return report

    def _forget(self) -> None:
        if self._child is not None:
            self._child[1].close()
            self._child = None

    # -- texts ---------------------------------------------------------------------------

    def _timeout_text(self) -> str:
        if time.monotonic() >= self._deadline:
            return self._budget_text()
        return _("exceeded {seconds:g} s").format(seconds=self._limits.call_seconds)

    def _budget_text(self) -> str:
        return _("the submission used up its time ({seconds:g} s in all)").format(
            seconds=self._limits.submission_seconds)


def _too_large(values: list[Any]) -> bool:
    """Whether ``values`` have a dimension over ``CALLEE_DIMENSION``, or arrays that could
    broadcast or multiply (rows by columns) to more than ``CALLEE_ELEMENTS`` elements."""
    spans: list[int] = []  # the largest size along each axis, counted from the last
    for shape in (shape for value in values for shape in _shapes(value)):
        if any(size > CALLEE_DIMENSION for size in shape):
            return True
        for axis, size in enumerate(reversed(shape)):
            if axis == len(spans):
                spans.append(size)
            spans[axis] = max(spans[axis], size)
        if math.prod(spans) > CALLEE_ELEMENTS:
            return True
    return False


def _shapes(value: Any) -> Iterator[tuple[int, ...]]:
    """The shapes of the arrays in ``value``; a list or tuple adds a dimension."""
    if type(value) is np.ndarray:
        yield value.shape
    elif type(value) in (list, tuple):
        yield (len(value),)
        for item in value:
            for shape in _shapes(item):
                yield (len(value), *shape)
    elif type(value) is dict:
        for item in value.values():
            yield from _shapes(item)


def _no_outcomes() -> Iterator[CallOutcome]:
    """The outcomes of an exchange of no cases (a generator, as callers close it)."""
    yield from ()


def _noted(outcome: CallOutcome, static: Sequence[str]) -> CallOutcome:
    """``outcome`` with the forbidden uses found in the function's source added."""
    extra = tuple(use for use in static if use not in outcome.forbidden)
    if extra:
        outcome.forbidden = (*outcome.forbidden, *extra)[:KEEP_USES]
    return outcome


def _outcome(message: dict[str, Any], blobs: list[bytes]) -> CallOutcome:
    """A ``CallOutcome`` from the child's ``result`` message, checked field by field."""
    outcome = CallOutcome(output=_clip(message.get("output"), message.get("cut")),
                          mutated=_names(message.get("mutated")),
                          forbidden=_names(message.get("forbidden")),
                          libraries=_names(message.get("libraries")))
    fault = message.get("fault")
    error = message.get("error")
    if fault is not None:
        if fault not in ("exit", "memory"):
            raise ProtocolError("unknown fault")
        outcome.fault = fault
        outcome.fault_detail = _text(message.get("detail"), 300)
        if fault == "exit":
            code = message.get("code")
            text = _("exit code {code}").format(code=code if type(code) is int else 0)
            outcome.fault_detail = f"{text} ({outcome.fault_detail})" \
                if outcome.fault_detail else text
    elif error is not None:
        if type(error) is not dict:
            raise ProtocolError("bad error")
        outcome.error_types = _names(error.get("types"), 64) or ("Exception",)
        outcome.error_type = _text(error.get("type"), 200) or outcome.error_types[0]
        outcome.error = _error_text(error)
    else:
        outcome.value = decode_result(message.get("value"), blobs)
    return outcome


def _file_name(path: str) -> str:
    """The last part of ``path`` (``activations.py``)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _check_load_message(message: dict[str, Any], names: set[str]) -> None:
    """Raise ``ProtocolError`` unless ``message`` is one a loading child sends: a unit's
    start or end naming one of the submission's units or helpers, the policy finding, or
    ready."""
    op = message.get("op")
    if op == "unit":
        name = message.get("name")
        if message.get("phase") not in ("start", "done") or type(name) is not str \
                or name not in names:
            raise ProtocolError("a unit message naming no unit")
    elif op not in ("policy", "ready"):
        raise ProtocolError("unexpected message while loading")


def _malformed(error: Exception) -> str:
    """Why a unit failed when its child sent something the grader cannot take (the student's
    code wrote on the child's channel, or broke it)."""
    return _("the submission sent the grader a malformed message ({error})").format(
        error=str(error)[:300])


def _how_it_ended(report: dict[str, Any]) -> tuple[str, str]:
    """``(fault, detail)`` for a child that ended during a call or while loading."""
    number = report.get("signal")
    if type(number) is int:
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "?"
        detail = _("killed by signal {number} ({name})").format(number=number, name=name)
        return ("timeout" if number == signal.SIGXCPU else "crash"), detail
    return "exit", _("exit code {code}").format(code=report.get("code"))


def _spoke_out_of_turn(sock: socket.socket) -> bool:
    """Whether a child waiting for a call has hung up or sent anything (between calls an
    honest child is silent)."""
    if not ready([sock], select.POLLIN, 0):
        return False
    try:
        sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return True   # bytes out of turn, or the end of the stream


def _load_error(error: Any, unit: str) -> str:
    """``"SyntaxError: invalid syntax (line 3)"`` from the child's description."""
    if type(error) is not dict:
        return _("could not be loaded")
    if error.get("type") == "SystemExit":
        return _("exited while loading ({detail})").format(
            detail=_("exit code {code}").format(code=_text(error.get("message"), 100) or 0))
    return _error_text(error, unit)


def _error_text(error: dict[str, Any], unit: str | None = None) -> str:
    """``"ValueError: bad reduction (losses.py, line 12)"``."""
    text = _text(error.get("type"), 200)
    message = " ".join(_text(error.get("message"), 2000).split())  # one line: no forged lines
    if message:
        text = f"{text}: {message}"
    where, line = error.get("file"), error.get("line")
    if type(line) is int and type(where) is str and where != unit:
        text += " " + _("({file}, line {line})").format(file=valid(where[:200]), line=line)
    elif type(line) is int:
        text += " " + _("(line {line})").format(line=line)
    return text


def _output(report: dict[str, Any] | None) -> str:
    return _clip(report.get("output"), report.get("cut")) if report else ""


def _clip(text: Any, cut: Any) -> str:
    """Captured output as shown: the kept part and, if more was printed, a note."""
    text = valid(text) if type(text) is str else ""
    return text + ("\n" if text and not text.endswith("\n") else "") + _("... [truncated]") \
        if cut else text


def _text(value: Any, limit: int) -> str:
    return valid(value[:limit]) if type(value) is str else ""


def _uses(value: Any) -> dict[str, tuple[str, ...]]:
    """The child's ``policy`` finding, checked: contract function -> forbidden uses."""
    if type(value) is not dict:
        return {}
    return {name: _names(uses, KEEP_USES) for name, uses in value.items()
            if name in FUNCTIONS and _names(uses, KEEP_USES)}


def _names(value: Any, limit: int = 16) -> tuple[str, ...]:
    if type(value) is not list:
        return ()
    return tuple(valid(v[:200]) for v in value[:limit] if type(v) is str)
