"""A real Dask cluster on 127.0.0.1 for the tests: ``dask scheduler`` and ``dask worker``
processes, each in a process group of its own, all stopped on leaving (bounded waits)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from distributed import Client
from distributed.security import Security

#: Generous bounds for a busy 2-core machine (not bounds under test).
START_SECONDS = 180
STOP_SECONDS = 30
DASK = [sys.executable, "-m", "dask"]


class Cluster:
    """The scheduler's address and the processes started for it."""

    def __init__(self, folder: Path, tls: list[str]):
        self.folder = folder
        self.tls = tls            # the --tls-* options of the scheduler and workers
        self.processes: list[subprocess.Popen] = []
        self.address = ""

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        log = (self.folder / f"process-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(list(args), cwd=self.folder, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, **(env or {})})
        self.processes.append(process)
        return process

    def add_workers(self, count: int, env: dict[str, str] | None = None,
                    options: tuple[str, ...] = ()) -> None:
        """``count`` worker processes (under one nanny each), one thread each, with more
        ``dask worker`` options; returns once they have all joined."""
        with Client(self.address, timeout=START_SECONDS, security=self.security()) as client:
            before = len(client.scheduler_info()["workers"])
            self.start(*_dask("worker"), self.address, "--nworkers", str(count),
                       "--nthreads", "1", "--no-dashboard", "--local-directory",
                       str(self.folder), *self.tls, *options, env=env)
            client.wait_for_workers(before + count, timeout=START_SECONDS)

    def security(self) -> Security | None:
        """What a client needs to reach the scheduler (TLS: the test's CA and certificate)."""
        if not self.tls:
            return None
        options = dict(zip(self.tls[::2], self.tls[1::2]))
        return Security(tls_ca_file=options["--tls-ca-file"],
                        tls_client_cert=options["--tls-cert"],
                        tls_client_key=options["--tls-key"], require_encryption=True)

    def stop(self) -> None:
        for process in reversed(self.processes):
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in reversed(self.processes):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        for process in self.processes:   # what a worker left in its group, too
            _signal_group(process, signal.SIGKILL)


@contextmanager
def cluster(folder: Path, workers: int = 2, env: dict[str, str] | None = None,
            tls: list[str] | None = None, scheduler_env: dict[str, str] | None = None,
            worker_options: tuple[str, ...] = ()) -> Iterator[Cluster]:
    """A scheduler on a free port of 127.0.0.1 and ``workers`` workers; with ``tls``
    (``--tls-ca-file``, ``--tls-cert``, ``--tls-key`` and their files), on TLS only;
    ``scheduler_env`` its configuration (``DASK_DISTRIBUTED__...``)."""
    folder.mkdir(parents=True, exist_ok=True)
    running = Cluster(folder, tls or [])
    file = folder / "scheduler.json"
    try:
        running.start(*_dask("scheduler"), "--host", "127.0.0.1", "--port", "0",
                      "--no-dashboard", "--scheduler-file", str(file),
                      *(["--protocol", "tls", *tls] if tls else []), env=scheduler_env)
        deadline = time.monotonic() + START_SECONDS
        while not file.exists() or not file.read_text():
            assert running.processes[0].poll() is None, (folder / "process-0.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        running.address = json.loads(file.read_text())["address"]
        if workers:
            running.add_workers(workers, env=env, options=worker_options)
        yield running
    finally:
        running.stop()


def _dask(command: str) -> list[str]:
    return [*DASK, command]


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
