"""Step 3: run student code in child processes, the grader's trust boundary.

THREAT MODEL
============

Submissions are untrusted: a student may try to crash, hang or flood the grader, read the
reference solutions or the expected values, forge results or reports, or leave processes
behind. The sandbox defends the grading of every honest function and of every other
submission, and keeps the grader's own output and files its own.

The grader's own process (the parent) is part of the boundary: it runs unconfined, often
as root, and handles everything the submission controls (its files, names, the values it
returns, the text it prints). It reads a submission only through
``grader/submission/files.py`` (no links, devices, FIFOs; every file and the whole bounded),
decodes every value and string from a child with bounds, and neutralises student text once
per output kind (``grader/report/neutral.py``). A fault of the sandbox itself is never a
student's score: it is an error row, regraded on resume.

What is defended, and how
-------------------------
- **Student code never runs in the grader's process, nor sees anything of it.**
  ``Sandbox.start`` launches the fork server as a fresh interpreter
  (``python -m grader.sandbox.boot``, ``boot.py``; ``grade run`` and ``grade watch`` launch it
  before they import anything else, ``launch.py``) with a scrubbed environment: no frame,
  object or variable of the grader's (classmates' names, the seed, expected values, tokens)
  exists in the server or in any child. The server imports numpy and torch once; a child
  costs a fork of it, not an interpreter. The server also drops grader modules it does not
  need, and points at /dev/null every descriptor it did not ask for. Each submission gets
  a child forked from the server (and a fresh one after each fault).
- **A batch's servers and grading processes share one clean template** (``template.py``).
  ``grade batch`` starts one template server before its workers: a fresh interpreter like
  the above, which imports numpy and torch once (and the report's rendering library) and
  then only forks, so every process it forks shares its pages. For each worker it forks a
  server's launcher, then the grading process that will use that server: the launcher is
  forked before the grading process exists, and the grading process imports the grader and
  the solutions only after its fork, in itself. A request carries nothing but one end of a
  fresh socket; a forked launcher closes every other descriptor (the template's control
  socket included) before it becomes that worker's launcher and server, configured by its
  own grading process as any server is; a grading process keeps only its worker's socket,
  its server's and its launcher's pidfd. So a child holds no descriptor of the template,
  of a grading process or of another worker's server and (as root) sees only its own
  server's PID namespace and runs as its server's uid; the template's memory, which a child
  may read through its server's, holds nothing of the grader's either. The template dies
  with the batch's process; a grading process ends with its worker; a sandbox started
  after the template died launches a server of its own.
- **A narrow channel.** Parent and child exchange frames of JSON plus ``.npy`` blobs
  (``channel.py``), never pickles, size-bounded (``Limits.result_bytes``) and decoded
  strictly. Only None, bools, ints, floats, strings, numpy scalars, numeric ndarrays of
  exact type and tuples/lists/str-keyed dicts of those come back; the child classifies with
  ``type(x) is`` checks, never calling the object's own methods. Object arrays, ndarray
  subclasses, custom classes, lying ``__eq__``/``__array_ufunc__`` objects become
  ``Refused`` (a wrong answer).
- **Expected values only in the parent.** The child computes the student's answer; the
  comparison, the diagnosis and the score happen in the parent. Reference callees that a
  function needs (``mlp`` using ``activations``) are computed in the parent on request, on
  arguments of bounded size, within the call's time limit.
- **Faults cost one call.** A test's calls (its cases) reach the child in one exchange; each
  has a wall-clock limit (``Limits.call_seconds``, and ``submission_seconds`` for the whole
  session); a timeout, crash (segfault, abort), ``os._exit``, ``sys.exit`` or MemoryError is
  that call's fault and ends the exchange; the child is killed and the next exchange gets a
  fresh one that reloads the submission without the units that crashed, hung or exited while
  loading. A child acknowledges an exchange before it runs any of the submission's code: one
  that ends or falls silent before that (after forging a reply on its socket, say) is
  replaced and the exchange sent once more, so what it did after its last answer is never
  charged to calls it did not start. A module that fails to import, or is missing, costs only
  its own functions (a placeholder stands in).
- **Output stays the student's.** fds 1 and 2 of the child point at a capture file in its
  own folder; what a call prints comes back with that call, cut at ``Limits.output_chars``.
  The server and children have /dev/null as stdin/stdout/stderr otherwise and live in their
  own session (no terminal signals), so nothing reaches the grader's stdout.
- **Confinement** (``confine.py``; each measure skipped where the system lacks it, which
  ``Sandbox.warnings`` says once): resource limits (address space, CPU time, processes, file
  size, open files, no core dumps); a fresh private working folder, stdin from /dev/null, a
  scrubbed environment; a uid of its own when the grader runs as root; no new privileges;
  Landlock: read only the Python installation, the system's libraries and programs, /proc,
  /sys, a few devices and /etc files, never the hidden paths (``solutions/``, the grader
  package) even inside those; write only in the working folder; no TCP, no signals outside
  the sandbox; an empty network namespace. The submission, its helper modules included,
  reaches the child as source text: its folder, classmates' folders, the repository and
  /tmp are unreadable. The child cannot import the grader's modules nor ``solutions``
  (they are removed from ``sys.modules`` and an import hook refuses them).
- **Namespaces of its own** (root; else a warning): the server is the first process (pid 1)
  of a PID namespace and a mount namespace of its own, with a private /proc: a child sees
  only the server, itself and what it started (not the host's processes nor their command
  lines), and when the server dies, killed from outside or not, the kernel kills every
  process left in the namespace, double-forked or not. Its launcher only waits for it;
  each dies with the other.
- **A disk quota.** Each child's working folder is a tmpfs of ``Limits.disk_bytes`` (and
  ``confine.WORKDIR_FILES`` files) mounted in the server's namespace: a submission can fill
  neither its folder nor the shared /tmp (which Landlock keeps it from writing anyway).
- **Nothing outlives grading, nor a call.** A child is the subreaper of what it starts, and
  SIGKILLs every process a call started (detached, in a new session, ignoring SIGTERM) when
  that call ends, so leftovers cannot use up the process limit of later calls. The server is
  a subreaper too: whatever a child left is SIGKILLed when the child ends, before the next
  child starts. A child dies with its server (``PR_SET_PDEATHSIG``) and the server with the
  grader's end of its socket.
- **Policy, twice.** A from-scratch function (SPEC: numpy only) that uses torch, scipy, ...
  is caught while it runs (``profiler.py``: profile events) and in its source
  (``policy.py``: imports, ``import_module``/``__import__``/``sys.modules``/``getattr`` with
  constant names, aliases and the student's helpers, read with ``ast``), which catches
  calls that raise no profile event (``map(torch.relu, rows)``: C calling C). The static
  finding is made in the child before any of the submission's code runs, and the parent
  keeps only that first finding, so the submission cannot change it.
- **Grading on a Dask cluster** (``grade batch --scheduler``,
  ``grader/classroom/dask_batch.py``). Each worker process grades with its own sandbox,
  as above; the client reads the submissions with the bounded reader and ships their text
  only, and reports come back as plain dicts. A Dask scheduler runs the pickled tasks of any
  client that reaches it, so the scheduler's port is as powerful as a shell on every worker
  (and shows the submissions and expected values there): a ``tls://`` address uses Dask's
  own security settings (``distributed.comm.tls``: a CA, and certificates for the client,
  scheduler and workers; ``require-encryption``), and a scheduler beyond this machine reached
  without TLS gets a warning. A worker whose grader, solutions, numpy or torch differ from
  the client's is refused (``dask_batch.fingerprint``), so a class is graded by one grader.

What is not defended
--------------------
- A student's own CI (GitHub Classroom) runs on the student's repository: the student can
  always edit the workflow or the grader there. Only grading on the instructor's side counts.
- Without Landlock (macOS, kernels before 5.13) a child can read any file the grader's user
  can read, the hidden solutions included, and write outside its folder; without a uid of
  its own it can signal the grader's other processes; without namespaces (not root) it
  sees the host's processes, a grandchild it detaches can outlive a server killed from
  outside (not one that ends normally), and its folder has no quota but the per-file size
  (``Sandbox.warnings`` says each).
- The runtime profiler and the in-place mutation check run inside the child: a student who
  deliberately attacks the child's own machinery (``gc``, frames; ``sys.setprofile`` is
  reported) can evade the profiler, and the static check cannot decide names computed at
  run time (``getattr(np, "".join(...))``, ``from torch import *``, ``exec`` of a string);
  correctness cannot be faked this way, since expected values never enter the child.
- A child can read the server's raw memory (ctypes): it holds no secret and nothing of the
  grader's, but freed memory may still hold what the previous child printed last (which
  the server read to report it).
- Dask without TLS, or a cluster whose scheduler or workers others can log in to: whoever
  reaches the scheduler can run code on the workers, read every submission and expected
  value there, and send back forged reports. The warning is all the grader does; keep the
  scheduler on a private network, or use TLS with certificates only the grader holds.
- A child sees the server's command line (``python -m grader.sandbox.boot``, or
  ``grader.sandbox.template`` with the numbers of the template's socket and of the
  grader's process) and can use the CPU and memory its limits allow; nothing stops a
  slow, legal submission but the time limits.
"""

from typing import Any

#: What the package offers, and the module of each: imported on first use, so that
#: ``grader.sandbox.launch`` stays light (the ``grade`` command's first step).
_EXPORTS = {"Sandbox": "server", "Session": "session", "CallOutcome": "values",
            "Limits": "values", "Refused": "values", "ScalarFunction": "values"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib
        return getattr(importlib.import_module(f"grader.sandbox.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'grader.sandbox' has no attribute {name!r}")
