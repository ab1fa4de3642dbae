"""``grade batch --scheduler``: a class graded on a real Dask cluster on 127.0.0.1 (a
scheduler and worker processes, all stopped afterwards) is the local batch's class."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from distributed import Client  # noqa: E402

from grader.classroom import dask_batch  # noqa: E402
from grader.classroom.store import Store  # noqa: E402
from grader.cli import main  # noqa: E402
from tests.classroom.dask_cluster import START_SECONDS, cluster  # noqa: E402
from tests.classroom.dask_poison import POISON  # noqa: E402
from tests.classroom.test_batch import (BUG, LIMITS, ROOT, SEED, SOLUTIONS,  # noqa: E402
                                        copy_solutions, make_class, rows)
from tests.signals import interruptible  # noqa: E402

PRELOAD = Path(__file__).with_name("dask_poison.py")
#: A generous wait for a batch in a subprocess (not a bound under test).
BATCH_SECONDS = 600


def grade(*args: object) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", *map(str, args), "--seed", str(SEED), *LIMITS])
    return exit_info.value.code


def batch_command(address: str, klass: Path, out: Path) -> list[str]:
    """``grade batch`` of ``klass`` into ``out`` on the scheduler at ``address``, as a
    process of its own."""
    return [sys.executable, "-c", "from grader.cli import main; main()", "batch", str(klass),
            "-o", str(out), "--seed", str(SEED), *LIMITS, "--scheduler", address]


def batch_on(address: str, klass: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """That process run to its end (bounded)."""
    return subprocess.run(batch_command(address, klass, out), cwd=ROOT, capture_output=True,
                          text=True, timeout=BATCH_SECONDS)


def results(out: Path) -> dict[str, dict]:
    """Every result document, without the time it took."""
    documents = {}
    for path in sorted((out / "results").iterdir()):
        document = json.loads(path.read_text(encoding="utf-8"))
        document.pop("execution_time", None)
        documents[path.name] = document
    return documents


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    with cluster(tmp_path_factory.mktemp("cluster"), workers=2) as running:
        yield running


@pytest.mark.parametrize("address, warned", [
    ("tls://grading.example.edu:8786", False),
    ("tcp://127.0.0.1:8786", False),
    ("tcp://localhost:8786", False),
    ("tcp://[::1]:8786", False),
    ("tcp://10.1.2.3:8786", True),
    ("grading.example.edu:8786", True),
])
def test_a_scheduler_beyond_this_machine_without_tls_is_warned_about(address, warned):
    message = dask_batch.transport_warning(address)
    assert (message is not None) == warned
    if warned:
        assert address in message and "tls://" in message


def test_the_client_fingerprints_the_grader_without_importing_torch():
    """The client's process reads submissions and ships them: torch would cost it 1.5 s and
    some 150 MiB for a version string."""
    probe = ("import sys\nfrom grader.classroom import dask_batch\n"
             "assert len(dask_batch.fingerprint()) == 12\n"
             "assert 'torch' not in sys.modules, 'torch imported'\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr


def test_a_class_graded_on_dask_is_the_local_batch(dask_cluster, tmp_path, capsys):
    klass = make_class(tmp_path / "class")
    assert grade(klass, "-o", tmp_path / "local", "--jobs", 2) == 0
    capsys.readouterr()
    assert grade(klass, "-o", tmp_path / "dask", "--scheduler", dask_cluster.address) == 0
    err = capsys.readouterr().err
    assert "6 submissions (5 graded now, 0 unchanged, 1 errors)" in err
    assert "without TLS" not in err   # 127.0.0.1 is this machine
    local, remote = tmp_path / "local", tmp_path / "dask"
    assert (remote / "gradebook.csv").read_text(encoding="utf-8") \
        == (local / "gradebook.csv").read_text(encoding="utf-8")
    assert results(remote) == results(local)
    texts = {name: Store(local).load(name).text for name in rows(local)}   # workers render
    assert texts == {name: Store(remote).load(name).text for name in rows(remote)}
    assert all(text.splitlines()[0].endswith(name) for name, text in texts.items())
    assert float(rows(remote)["buggy"]["score"]) < 100 == float(rows(remote)["correct"]["score"])
    # resumed like a local batch: nothing changed, nothing graded again
    assert grade(klass, "-o", remote, "--scheduler", dask_cluster.address) == 0
    assert "(0 graded now, 5 unchanged, 1 errors)" in capsys.readouterr().err


def test_a_worker_killed_mid_batch_costs_no_row(dask_cluster, tmp_path):
    """A worker SIGKILLed while it holds submissions: the scheduler gives them to the other
    worker (and the nanny starts a new one); every row is graded, none is an error."""
    klass = tmp_path / "class"
    for n in range(8):
        copy_solutions(klass / f"student{n}")
    with (copy_solutions(klass / "student8") / "losses.py").open("a") as handle:
        handle.write(BUG)
    out = tmp_path / "out"
    child = subprocess.Popen(batch_command(dask_cluster.address, klass, out), cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with Client(dask_cluster.address, timeout=START_SECONDS) as client:
            victim = _busy_worker(client, child, out)
            os.kill(victim, signal.SIGKILL)
            _stdout, stderr = child.communicate(timeout=BATCH_SECONDS)
            assert victim not in client.run(os.getpid).values()
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
    book = rows(out)
    assert sorted(book) == [f"student{n}" for n in range(9)]
    assert {row["status"] for row in book.values()} == {"graded"}
    assert [name for name, row in book.items() if float(row["score"]) < 100] == ["student8"]


def _busy_worker(client: Client, child: subprocess.Popen, out: Path) -> int:
    """The pid of a worker that holds a submission, once a first row is saved."""
    deadline = time.monotonic() + BATCH_SECONDS
    while time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        if (out / ".state").is_dir() and any(p.name.startswith("student")
                                             for p in (out / ".state").iterdir()):
            busy = [worker for worker, keys in client.processing().items()
                    if any(str(key).startswith("dlgrade-") for key in keys)]
            if busy:
                return client.run(os.getpid, workers=busy[:1])[busy[0]]
        time.sleep(0.1)
    raise AssertionError("no worker took a submission")


def test_a_submission_that_ends_every_worker_is_an_error_row(tmp_path):
    """The scheduler gives up on it after its allowed failures (1 here), the client sends it
    once more at the end, alone, then it is an error row, never a score; its classmates
    (which may have waited on a worker it ended) are graded."""
    klass = tmp_path / "class"
    for n in range(3):
        copy_solutions(klass / f"student{n}")
    (klass / "poison.py").write_text(f"{POISON}\ndef relu(x):\n    return x\n",
                                     encoding="utf-8")
    out = tmp_path / "out"
    with cluster(tmp_path / "cluster", workers=2,
                 scheduler_env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"},
                 worker_options=("--preload", str(PRELOAD))) as running:
        done = batch_on(running.address, klass, out)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    book = rows(out)
    assert book["poison.py"]["status"] == ("error: could not be graded: it ended every "
                                           "grading process that ran it")
    assert float(book["poison.py"]["score"]) == 0
    assert all(float(book[f"student{n}"]["score"]) == 100 for n in range(3)), book
    assert "4 submissions (3 graded now, 0 unchanged, 1 errors)" in done.stderr


def test_a_worker_with_other_solutions_is_refused(tmp_path):
    """A worker whose solutions differ by one comment: refused in one line, nothing graded."""
    other = tmp_path / "other"
    shutil.copytree(SOLUTIONS, other / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    with (other / "solutions" / "activations.py").open("a") as handle:
        handle.write("# edited on one worker only\n")
    klass = tmp_path / "class"
    copy_solutions(klass / "student")
    out = tmp_path / "out"
    with cluster(tmp_path / "cluster", workers=1, env={"PYTHONPATH": str(other)}) as running:
        done = batch_on(running.address, klass, out)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grade: error: the Dask worker tcp://127.0.0.1:")
    assert "runs another grader, other solutions" in lines[0]
    assert not (out / "gradebook.csv").exists()


def test_a_worker_without_the_grader_is_one_line(tmp_path):
    """A worker on which ``grader`` is another package, which fails to import: one line."""
    other = tmp_path / "other"
    (other / "grader").mkdir(parents=True)
    (other / "grader" / "__init__.py").write_text("raise ImportError('not dlgrade')\n",
                                                  encoding="utf-8")
    klass = tmp_path / "class"
    copy_solutions(klass / "student")
    out = tmp_path / "out"
    with cluster(tmp_path / "cluster", workers=1, env={"PYTHONPATH": str(other)}) as running:
        done = batch_on(running.address, klass, out)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grade: error: a Dask worker of tcp://")
    assert "cannot run the grader" in lines[0] and "not dlgrade" in lines[0]
    assert not (out / "gradebook.csv").exists()


def test_an_unreachable_scheduler_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dask_batch, "CONNECT_SECONDS", 2)
    klass = tmp_path / "class"
    copy_solutions(klass / "student")
    assert grade(klass, "-o", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        "grade: error: cannot reach the Dask scheduler tcp://127.0.0.1:9")


def test_ctrl_c_keeps_what_the_cluster_graded(dask_cluster, tmp_path):
    """Interrupted while the cluster grades a slow student, the fast one is in the
    gradebook, and the next run grades only what is left."""
    klass = tmp_path / "class"
    copy_solutions(klass / "a_fast")
    slow = "import time\n\ndef relu(x):\n    time.sleep(60)\n"   # two 2 s timeouts
    for n in range(4):
        (klass / f"b_slow{n}.py").write_text(slow, encoding="utf-8")
    out = tmp_path / "out"
    child = subprocess.Popen(batch_command(dask_cluster.address, klass, out), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, preexec_fn=interruptible)
    deadline = time.monotonic() + BATCH_SECONDS
    while not (out / ".state" / "a_fast.json").exists() and time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        time.sleep(0.1)
    child.send_signal(signal.SIGINT)
    _stdout, stderr = child.communicate(timeout=BATCH_SECONDS)
    assert child.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    book = rows(out)
    assert "a_fast" in book and len(book) < 5


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the certificate")
def test_tls_through_dasks_own_settings(tmp_path):
    """A scheduler and workers that speak TLS only: the grader reaches them with the CA and
    certificate of Dask's configuration (here its environment variables), and without them
    says in one line that it cannot."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=dlgrade-test",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=120)
    tls = ["--tls-ca-file", str(cert), "--tls-cert", str(cert), "--tls-key", str(key)]
    klass = tmp_path / "class"
    copy_solutions(klass / "student")
    settings = {"DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(cert),
                "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(cert),
                "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(key),
                "DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True"}
    with cluster(tmp_path / "cluster", workers=1, tls=tls) as running:
        assert running.address.startswith("tls://127.0.0.1:")

        def batch(out: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
            command = [sys.executable, "-c", "from grader.cli import main; main()", "batch",
                       str(klass), "-o", str(out), "--seed", str(SEED), *LIMITS,
                       "--scheduler", running.address]
            return subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                                  timeout=BATCH_SECONDS, env={**os.environ, **env})

        graded = batch(tmp_path / "out", settings)
        refused = batch(tmp_path / "refused", {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"})
    assert graded.returncode == 0, graded.stderr
    assert float(rows(tmp_path / "out")["student"]["score"]) == 100
    assert "without TLS" not in graded.stderr
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Dask scheduler tls://127.0.0.1:" in lines[0]
