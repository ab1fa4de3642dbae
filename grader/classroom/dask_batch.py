"""``grade batch --scheduler ADDRESS``: grade a class on a ``dask.distributed`` cluster.

Everything but grading stays in this process (the client), as in a local batch: entries,
identities, saved records and resume (a submission is fingerprinted here, once, as it is
read to be sent: grader.submission.fingerprint), the gradebook and the class report
(``grader.classroom.batch``). The client reads each submission through the same bounded
reader as a local batch (``grader.submission.load``: no links, devices or FIFOs; a zip
unpacked safely and discarded once shipped) and sends the ``Submission`` (its units'
source text, nothing else of the machine) to the cluster, a few per worker thread at a
time, so a class of any size costs the client a bounded memory.

Each worker process keeps one ``Grader`` (``GraderPlugin``): its sandbox server launched
once and kept warm, the seed's cases and expected values computed once, for every
submission the worker is given. A report comes back as a plain dict, with its text report
rendered by the worker (the client renders none). A worker lost while
it grades costs nothing: the scheduler gives its tasks to another worker. When the scheduler
gives up on a submission (the workers that held it were lost
``distributed.scheduler.allowed-failures`` times: 3 by default), it is sent once more at the
end, alone on the cluster (it may only have waited on a worker that another submission
ended); a submission that ends every worker it reaches then gets an error row, never a
score. A sandbox failure is an error row too, and the worker starts a fresh grader.

Every worker must grade as this process would: ``fingerprint`` (the grader's and solutions'
sources, Python, numpy and torch) is compared with each worker's before grading and again
by every task, and a worker that differs stops the batch with one line.

Trust: a Dask scheduler runs the pickled tasks of any client that reaches it, so whoever
can reach the scheduler can run code on the workers and read the submissions and expected
values there. ``tls://`` addresses use Dask's own security settings (``distributed.comm.tls``
in Dask's configuration: CA, client certificate and key; the threat model in
``grader.sandbox`` says the rest); a scheduler reached without TLS beyond this machine is
warned about (``transport_warning``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import sys
import threading
import time
import uuid
from collections import deque
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from grader.classroom.store import BatchError
from grader.classroom.workers import Graded, _grader_failed, rendered
from grader.grading import Grader, Options
from grader.i18n import _, language, set_language
from grader.report.model import Report
from grader.sandbox.session import SandboxFailure
from grader.submission import LoadError, Submission, load
from grader.submission.archive import discard
from grader.submission.fingerprint import fingerprint as fingerprint_of

#: The name the per-worker grader is registered under on every worker.
PLUGIN = "dlgrade-grader"
#: How long to wait for the scheduler to answer, and for a first worker to join.
CONNECT_SECONDS = 30
WORKER_WAIT_SECONDS = 120
#: Submissions in flight per worker thread (the rest wait, unread, in this process).
IN_FLIGHT_PER_THREAD = 2
THREADS_SECONDS = 5.0


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """What decides a report besides the submission and options: the grader's and the
    solutions' sources and the versions of Python, numpy and torch (12 hex digits; torch's
    as installed, so that the client does not import it)."""
    from importlib.metadata import version

    import numpy

    from grader.classroom.batch import sources_digest

    parts = (sources_digest(), "%d.%d" % sys.version_info[:2], numpy.__version__,
             version("torch"))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]


def transport_warning(address: str) -> str | None:
    """A warning when ``address`` is a scheduler beyond this machine reached without TLS."""
    scheme, _sep, rest = address.rpartition("://")
    if scheme == "tls":
        return None
    host = rest.rsplit(":", 1)[0].strip("[]") if ":" in rest else rest
    if host == "localhost" or _is_loopback(host):
        return None
    return _("the scheduler {address} is reached without TLS: anyone who can reach it can run "
             "code on its workers and read the submissions; use tls:// with Dask's security "
             "settings (see the README)").format(address=address)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DaskWorkers:
    """The workers of a Dask cluster, used as ``grader.classroom.workers.Workers`` is:
    connects on entering; ``grade_known`` yields a ``Graded`` for each path as it finishes."""

    def __init__(self, address: str, options: Options):
        self.address = address
        self.options = options
        self.lang = language()
        self.client: Any = None
        self.warnings: list[str] = []      # the workers' graders', each said once
        self.futures: dict[str, Any] = {}  # in flight: key -> future
        self.threads = -THREADS_SECONDS, 0   # when asked, the cluster's worker threads

    def __enter__(self) -> "DaskWorkers":
        from distributed import Client

        try:
            self.client = Client(self.address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, ValueError, TypeError) as error:
            raise BatchError(_("cannot reach the Dask scheduler {address}: {error}; start it "
                               "(dask scheduler) or check the address and its TLS settings")
                             .format(address=self.address, error=_one_line(error))) from None
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        except (OSError, TimeoutError):
            self.close()
            raise BatchError(_("no Dask worker joined the scheduler {address} within {seconds} "
                               "s; start workers (dask worker {address} --nthreads 1)").format(
                address=self.address, seconds=WORKER_WAIT_SECONDS)) from None
        try:
            try:
                found = self.client.run(fingerprint)
            except Exception as error:   # raised on a worker: it cannot import the grader
                raise BatchError(_("a Dask worker of {address} cannot run the grader: {error}; "
                                   "install dlgrade with its dask extra on every worker")
                                 .format(address=self.address, error=_one_line(error))) from None
            for worker, theirs in found.items():
                self._check(worker, theirs)
            self.client.register_plugin(GraderPlugin(), name=PLUGIN)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Cancel what is still in flight (a Ctrl-C keeps what is done) and disconnect."""
        if self.client is None:
            return
        try:
            if self.futures:
                self.client.cancel(list(self.futures.values()))
        finally:
            self.futures.clear()
            self.client.close()
            self.client = None

    def grade_known(self, paths: list[Path], known: list[str | None],
                    names: list[str] | None = None) -> Iterator[Graded]:
        """Read the submission at every path here, fingerprint what was read and send it to
        the cluster unless that is the fingerprint ``known`` gives for it (then
        ``unchanged``): a row is the grade of exactly the bytes that were sent, its report
        named as ``names`` says (the submission sent carries the name). BatchError when a
        worker runs another grader."""
        from distributed import as_completed

        waiting: deque[int] = deque(range(len(paths)))
        suspects: deque[tuple[int, Submission, str]] = deque()   # given up on once: alone
        done = as_completed(loop=self.client.loop)
        sent: dict[str, tuple[int, Submission, str, bool]] = {}  # key -> index, what, digest,
        while waiting or suspects or self.futures:                #        sent alone
            while waiting and len(self.futures) < self._in_flight() \
                    or suspects and not waiting and not self.futures:
                alone = not waiting
                if waiting:
                    index = waiting.popleft()
                    submission, reason = _read(paths[index])
                    if submission is None:
                        yield Graded(index, None, reason)
                        continue
                    digest = fingerprint_of(submission)
                    if digest == known[index]:
                        discard(submission)
                        yield Graded(index, None, "", digest)
                        continue
                else:
                    index, submission, digest = suspects.popleft()
                named = replace(submission, name=names[index]) if names else submission
                future = self.client.submit(
                    grade_on_worker, named, self.options, self.lang, fingerprint(),
                    key=f"dlgrade-{uuid.uuid4().hex}", pure=False)
                discard(submission)   # a zip's unpacked folder: its text is in the task
                self.futures[future.key] = future
                sent[future.key] = index, submission, digest, alone
                done.add(future)
            if not self.futures:
                continue
            future = next(done)
            self.futures.pop(future.key, None)
            index, submission, digest, alone = sent.pop(future.key)
            report, text, reason, killed = self._outcome(future)
            if killed and not alone:   # perhaps it only waited on a worker another one ended
                suspects.append((index, submission, digest))
                continue
            yield Graded(index, report, reason, digest, text)

    def _outcome(self, future: Any) -> tuple[Report | None, str, str, bool]:
        """The report of a finished task and its text, else the reason there is none; and
        whether the workers that held it were all lost."""
        from distributed import KilledWorker

        try:
            result = future.result()
        except KilledWorker:
            return None, "", _could_not(_("it ended every grading process that ran it")), True
        except Exception as error:  # the grader's failure: an error row, graded again later
            return None, "", _could_not(_one_line(error)), False
        finally:
            future.release()
        if "mismatch" in result:
            self._check(result["worker"], result["mismatch"])
        for warning in result["warnings"]:
            if warning not in self.warnings:
                self.warnings.append(warning)
        report = result["report"]
        return (Report.from_dict(report) if report else None), result["text"], \
            result["reason"], False

    def _check(self, worker: str, theirs: str) -> None:
        """Refuse a worker that would grade otherwise than this process."""
        if theirs != fingerprint():
            raise BatchError(_("the Dask worker {worker} runs another grader, other solutions "
                               "or other versions of numpy or torch (fingerprint {theirs}, "
                               "here {ours}); install the same on every worker").format(
                worker=worker, theirs=theirs, ours=fingerprint()))

    def _in_flight(self) -> int:
        """How many submissions may be on the cluster at once (asked again every
        ``THREADS_SECONDS``, as workers come and go)."""
        now = time.monotonic()
        if now - self.threads[0] > THREADS_SECONDS:
            self.threads = now, sum(self.client.nthreads().values())
        return max(2, IN_FLIGHT_PER_THREAD * self.threads[1])


def _read(path: Path) -> tuple[Submission | None, str]:
    """The submission at ``path`` read here, else the reason it cannot be."""
    try:
        return load(path), ""
    except LoadError as error:
        return None, str(error)
    except Exception as error:  # an unexpected failure costs this submission only
        return None, _could_not(_one_line(error))


def _could_not(error: str) -> str:
    return _("could not be graded: {error}").format(error=error)


def _one_line(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())


# -- on the workers ------------------------------------------------------------------------

def grade_on_worker(submission: Submission, options: Options, lang: str,
                    expected: str) -> dict[str, Any]:
    """The task: grade ``submission`` with this worker's grader; plain data back. (Its
    parameters never change, so that a worker running another grader is still told apart
    by ``expected``.)"""
    from distributed import get_worker

    worker = get_worker()
    if fingerprint() != expected:
        return {"mismatch": fingerprint(), "worker": worker.address}
    return worker.plugins[PLUGIN].grade(submission, options, lang)


try:
    from distributed import WorkerPlugin
except ImportError:   # dask is an optional extra: the batch refuses --scheduler without it
    WorkerPlugin = object   # type: ignore[misc,assignment]


class GraderPlugin(WorkerPlugin):   # type: ignore[misc,valid-type]
    """One grader per worker process, started on its first submission (in a task, not in
    the worker's event loop) and kept for the next ones; closed with the worker."""

    def __init__(self) -> None:
        self.lock: threading.Lock | None = None
        self.grader: Grader | None = None
        self.setting: tuple[Options, str] | None = None

    def setup(self, worker: Any) -> None:
        self.lock = threading.Lock()

    def teardown(self, worker: Any) -> None:
        self._close()

    def grade(self, submission: Submission, options: Options, lang: str) -> dict[str, Any]:
        """Grade one submission (one at a time per worker, whatever its threads): its report
        and that report's text, else the reason there is none."""
        assert self.lock is not None
        with self.lock:
            set_language(lang)
            grader = self._grader(options, lang)
            report, text, reason = None, "", ""
            try:
                report, text = rendered(grader.grade(submission), None)
            except SandboxFailure as error:
                reason = _grader_failed(error)
                self._close()   # the next submission gets a fresh grader and sandbox
            except Exception as error:
                reason = _grader_failed(error)
            return {"report": report, "text": text, "reason": reason,
                    "warnings": list(grader.warnings)}

    def _grader(self, options: Options, lang: str) -> Grader:
        if self.grader is None or self.setting != (options, lang):
            self._close()
            self.grader = Grader(options).__enter__()
            self.setting = options, lang
        return self.grader

    def _close(self) -> None:
        if self.grader is not None:
            self.grader.close()
            self.grader = None
