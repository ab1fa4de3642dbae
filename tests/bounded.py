"""Running a parent-side pass over hostile bytes with a generous bound (issue #22).

Each pass of the grader's own process over student bytes (labelling, regexes, ``ast``,
similarity, notes, fingerprints) has a case of 1 MB of its worst input; a linear pass takes
well under a second on it, a quadratic one hours. The pass runs in a forked process (a regex
holds the interpreter lock, so a thread could not be stopped) that is killed at the bound:
the bound is far above any linear run on a loaded machine, never a timing of normal input.
"""

from __future__ import annotations

import multiprocessing
import pickle
from typing import Any, Callable

#: Far above a linear pass on a busy machine, far below a quadratic one on 1 MB.
GENEROUS_SECONDS = 120.0
MEGABYTE = 1 << 20


def _run(function: Callable[..., Any], args: tuple, sink: Any) -> None:
    try:
        value = function(*args)
        try:
            sink.send(("value", pickle.dumps(value)))
        except Exception:
            sink.send(("value", pickle.dumps(repr(value)[:1000])))
    except BaseException as error:
        sink.send(("raised", f"{type(error).__name__}: {str(error)[:1000]}"))


def bounded(function: Callable[..., Any], *args: Any,
            seconds: float = GENEROUS_SECONDS) -> Any:
    """``function(*args)``, run in a forked process; AssertionError if it does not end within
    ``seconds`` or if it raises (what it raised is said)."""
    context = multiprocessing.get_context("fork")
    receive, sink = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(function, args, sink), daemon=True)
    process.start()
    sink.close()
    try:
        ended = receive.poll(seconds)
        if not ended:
            raise AssertionError(f"{getattr(function, '__name__', function)} did not end "
                                 f"within {seconds:.0f} s")
        kind, payload = receive.recv()
    finally:
        if process.is_alive():
            process.kill()
        process.join()
    assert kind == "value", payload
    return pickle.loads(payload)
