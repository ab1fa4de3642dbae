"""Confinement of the processes that run student code (Linux; elsewhere it degrades).

The fork server calls ``prepare_server()`` once, then ``make_workdir()`` before and
``reap_orphans()`` / ``read_output()`` / ``remove_workdir()`` after each child; the child
calls ``enter()`` right after the fork, before any student code. Defenses, each skipped
where the system lacks it (``prepare_server`` returns what is missing, to be said once):

- resource limits (memory, CPU time, processes, file size, open files, no core dumps);
- a private working folder, stdin from /dev/null, a scrubbed environment;
- a uid of its own when started as root (keeping only CAP_DAC_READ_SEARCH, see ``_drop_to``);
- no new privileges; Landlock: read only the Python installation, the system's libraries
  and programs, /proc, /sys, a few devices and /etc files (never the hidden paths), write
  only in the working folder, no TCP, no signals or abstract unix sockets outside the
  sandbox;
- a network namespace with nothing in it (root, or an unprivileged user namespace);
- the fork server is a child subreaper, so whatever a child leaves behind is killed;
- as root, the fork server is the first process of a PID namespace of its own
  (``enter_namespaces`` in its launcher, ``private_mounts`` in the server): its death
  kills every process below it, and a private /proc shows a child only the sandbox's
  processes; each child's working folder is a tmpfs of ``Limits.disk_bytes`` in the
  server's mount namespace, so a submission can fill neither its folder nor /tmp.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from grader.i18n import _

if TYPE_CHECKING:
    from grader.sandbox import Limits

#: Largest file a child may write (its captured output included); bigger writes fail.
FILE_BYTES = 64 * 1024**2
#: Files a child may have open.
OPEN_FILES = 256
#: Children of a root server run as FIRST_UID + the server's pid: a uid of their own.
FIRST_UID = 1_500_000_000
#: Folders a child may read whole, besides the Python installation (``python_trees``).
SYSTEM_FOLDERS = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/proc", "/sys")
#: The /etc entries a running Python, numpy or torch may read: the dynamic loader, time
#: zones, user and host names, MIME types, the OS release, TLS certificates, and a system
#: Python's own configuration. Nothing else (not /etc/shadow, not /etc/ssl/private).
ETC_ENTRIES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone",
               "nsswitch.conf", "passwd", "group", "hosts", "host.conf", "resolv.conf",
               "gai.conf", "protocols", "services", "mime.types", "os-release", "ssl/certs",
               "ssl/openssl.cnf", "pki/tls/certs",
               f"python{sys.version_info.major}.{sys.version_info.minor}")
#: The devices a child may read (/dev/null it may also write). Not all of /dev: a child
#: that keeps CAP_DAC_READ_SEARCH could read a raw disk, and every file on it.
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")

_LINUX = sys.platform.startswith("linux")
_libc = ctypes.CDLL(None, use_errno=True) if _LINUX else None

# prctl(2) options
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_KEEPCAPS = 1, 4, 8
PR_CAPBSET_DROP, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 24, 36, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
CLONE_NEWNS, CLONE_NEWPID = 0x00020000, 0x20000000
# mount(2) flags
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 1 << 14, 1 << 18
MNT_DETACH = 2
#: waitpid(2)'s __WALL: children of any kind (those cloned with another exit signal too).
WAIT_ALL = 0x40000000
#: Files (inodes) a child's working folder may hold.
WORKDIR_FILES = 8192
CAP_DAC_READ_SEARCH, CAP_SETGID, CAP_SETUID, CAP_SETPCAP = 2, 6, 7, 8

# Landlock (include/uapi/linux/landlock.h); the syscall numbers are the same on every arch.
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION, LANDLOCK_RULE_PATH_BENEATH = 1, 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
_FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV

#: The uid and gid children drop to (set by ``prepare_server`` when it runs as root).
_child_ids: tuple[int, int] | None = None
#: The server's pid as the rest of the system sees it (it is 1 in its own PID namespace).
_server_pid = os.getpid()
#: The size of each child's tmpfs working folder (0: a plain folder, no quota).
_disk_bytes = 0
#: Whether the server's mounts are its own (``private_mounts``): only then may it mount.
_own_mounts = False
#: Whether /proc shows only the server's PID namespace.
_own_proc = False


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64),
                ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


# --- the fork server ----------------------------------------------------------------------

def enter_namespaces() -> bool:
    """For the server's launcher: new PID and mount namespaces (root only), which the
    next process it forks, the server, is the first of. Whether they were entered."""
    return _LINUX and os.geteuid() == 0 and _unshare(CLONE_NEWPID | CLONE_NEWNS)


def private_mounts() -> bool:
    """For the server, first of its PID namespace: keep its mounts to itself and mount a
    /proc of that namespace. Whether /proc is private."""
    global _server_pid, _own_mounts, _own_proc
    _server_pid = host_pid()
    if _mount(None, "/", None, MS_REC | MS_PRIVATE) != 0:
        return False
    _own_mounts = True
    _own_proc = _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC) == 0
    return _own_proc


def die_with_parent(signal_number: int = signal.SIGKILL) -> None:
    """Send this process ``signal_number`` (SIGKILL) when the one that forked it ends."""
    if _LINUX:
        _prctl(PR_SET_PDEATHSIG, signal_number)


def host_pid() -> int:
    """This process's pid in the outermost PID namespace /proc knows (NSpid)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("NSpid:"):
                    return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return os.getpid()


def prepare_server(disk_bytes: int = 0) -> list[str]:
    """Make this process a fork server: subreaper, not dumpable, no network if possible,
    working folders of ``disk_bytes`` each if it may mount them.

    Returns the degradations to tell the user, once each.
    """
    global _child_ids, _disk_bytes, _server_pid
    if not _LINUX:
        return [_("Process confinement is only available on Linux: submissions run with "
                  "your privileges and can read and write your files.")]
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    if not _own_proc:   # else ``private_mounts`` read it (a template's fork is not the template)
        _server_pid = host_pid()
    warnings = []
    if os.getpid() != 1 or not _own_proc:
        warnings.append(_("This system does not give the sandbox a PID namespace of its own: "
                          "submissions can see the host's processes, and a process one "
                          "leaves behind may outlive a grader that is killed."))
    _disk_bytes = disk_bytes if _own_mounts and disk_bytes > 0 and _can_mount_tmpfs(disk_bytes) \
        else 0
    if _disk_bytes == 0:
        warnings.append(_("This system does not allow a size-bounded working folder: a "
                          "submission can fill the disk that holds the temporary folder."))
    if os.geteuid() == 0:
        _child_ids = _unused_ids()
        if _child_ids is None:
            warnings.append(_("Submissions run as root: this system does not allow "
                              "switching them to an unprivileged user."))
    isolated = _unshare(CLONE_NEWNET) or (
        os.geteuid() != 0 and _in_child(_enter_user_namespace) and _enter_user_namespace())
    _prctl(PR_SET_DUMPABLE, 0)  # after the namespaces: it makes /proc/self/*_map root's
    abi = landlock_abi()
    if abi == 0:
        warnings.append(_("Landlock is not available on this system: submissions can read "
                          "files by path (the hidden solutions too) and write outside "
                          "their folder."))
    if not isolated and abi < 4:
        warnings.append(_("This system cannot cut submissions off the network."))
    if _child_ids is None and abi < 6:
        warnings.append(_("This system cannot stop submissions from sending signals to the "
                          "grader's processes."))
    return warnings


def make_workdir() -> Path:
    """A fresh private folder for one child, owned by the user the child will run as (a
    tmpfs of ``_disk_bytes`` where the server may mount one)."""
    path = Path(tempfile.mkdtemp(prefix="grader-sandbox-"))
    if _disk_bytes:
        uid, gid = _child_ids or (os.getuid(), os.getgid())
        options = f"size={_disk_bytes},nr_inodes={WORKDIR_FILES},mode=0700,uid={uid},gid={gid}"
        if _mount("tmpfs", str(path), "tmpfs", MS_NOSUID | MS_NODEV, options) != 0:
            error = ctypes.get_errno()
            os.rmdir(path)
            raise OSError(error, f"mount tmpfs: {os.strerror(error)}")
    elif _child_ids is not None:
        os.chown(path, *_child_ids)
    return path


def _can_mount_tmpfs(size: int) -> bool:
    """Whether this process may mount a tmpfs of ``size`` bytes (tried, then undone)."""
    path = tempfile.mkdtemp(prefix="grader-probe-")
    try:
        if _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size}") != 0:
            return False
        _libc.umount2(path.encode(), MNT_DETACH)
        return True
    finally:
        os.rmdir(path)


def _mount(source: str | None, target: str, kind: str | None, flags: int,
           options: str | None = None) -> int:
    encode = (lambda text: None if text is None else text.encode())
    return _libc.mount(encode(source), encode(target), encode(kind), ctypes.c_ulong(flags),
                       encode(options))


def read_output(capture: int, chars: int) -> tuple[str, bool]:
    """The first ``chars`` characters a child wrote to its capture file, and whether it
    wrote more."""
    size = os.fstat(capture).st_size
    if size == 0:
        return "", False
    data = os.pread(capture, min(size, 4 * chars + 4), 0)  # UTF-8: 4 bytes a character at most
    text = data.decode("utf-8", errors="replace")
    return text[:chars], size > len(data) or len(text) > chars


def reap_orphans(timeout: float = 5.0) -> None:
    """SIGKILL and reap every descendant of this process.

    Call it after the child was waited for: it also reaps this process's own children. Loops
    until none is left (descendants fork while being killed, orphans get reparented here).
    """
    deadline = time.monotonic() + timeout
    while True:
        descendants = _descendants(os.getpid())
        for pid in descendants:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        reap_children()
        if not descendants or time.monotonic() > deadline:
            return
        time.sleep(0.001)


def at_memory_limit(pid: int, margin: int) -> bool:
    """Whether process ``pid`` came within ``margin`` bytes of its address-space limit
    (its peak, so an allocation that just failed counts)."""
    try:
        with open(f"/proc/{pid}/limits") as limits:
            line = next(line for line in limits if line.startswith("Max address space"))
        with open(f"/proc/{pid}/status") as status:
            peak = next(int(line.split()[1]) * 1024 for line in status
                        if line.startswith("VmPeak:"))
        limit = line.split()[3]
    except (OSError, StopIteration, IndexError, ValueError):
        return False
    return limit.isdigit() and int(limit) - peak <= margin


def adopt_orphans() -> None:
    """Make this process the reaper of every orphan among its descendants, so that
    ``end_children`` reaches whatever it started, double-forked or not."""
    if _LINUX:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)


def end_children(timeout: float = 5.0) -> None:
    """SIGKILL and reap every process this one started, and their descendants.

    Cheap when there is none: it reads this process's own child lists
    (/proc/self/task/*/children), not the whole process table. A killed child's orphans come
    back to this process (``adopt_orphans``) and are ended in the next round.
    """
    if not _has_children():
        return
    deadline = time.monotonic() + timeout
    while children := _children():
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        if time.monotonic() > deadline:
            return


def _has_children() -> bool:
    """Whether this process has a child, running or not reaped (one system call: the
    common case, a call that started none, costs no more)."""
    try:
        os.waitpid(-1, os.WNOHANG | WAIT_ALL)   # reaps one that ended, if any
    except ChildProcessError:
        return False
    return True


def _children() -> list[int]:
    """The processes this one started that are not reaped yet (zombies included)."""
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return []
    found = []
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/children") as listing:
                found += [int(pid) for pid in listing.read().split()]
        except (OSError, ValueError):
            pass
    return found


def remove_workdir(path: Path) -> None:
    """Delete a child's folder, whatever the child did to it (modes, nesting)."""
    if _disk_bytes and os.path.ismount(path):
        _libc.umount2(str(path).encode(), MNT_DETACH)  # its tmpfs, and all in it, is gone
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass
    except Exception:  # unreadable folders, nesting too deep for rmtree's recursion
        subprocess.run(["chmod", "-R", "u+rwX", str(path)], stderr=subprocess.DEVNULL)
        subprocess.run(["rm", "-rf", str(path)], stderr=subprocess.DEVNULL)


# --- the child ----------------------------------------------------------------------------

def enter(limits: Limits, workdir: Path, hidden_paths: Sequence[Path]) -> None:
    """Confine this (freshly forked) child for good; call before any student code.

    A feature the system lacks is skipped; one it has but that fails raises OSError, so the
    child never runs unconfined by accident.
    """
    server = os.getppid()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chdir(workdir)
    _scrub_environment(workdir)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past FILE_BYTES fails instead
    _set_limits(limits)
    if not _LINUX:
        return
    ruleset = _landlock_ruleset(workdir, hidden_paths)
    if _child_ids is not None:
        _drop_to(*_child_ids)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # cleared by the uid change, so set it after
    if os.getppid() != server:  # the server died before that
        os._exit(1)
    _check(_prctl(PR_SET_NO_NEW_PRIVS, 1), "PR_SET_NO_NEW_PRIVS")
    if ruleset is not None:
        _check(_libc.syscall(SYS_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
        os.close(ruleset)


def _scrub_environment(workdir: Path) -> None:
    """Only a minimal environment; the grader's original block is wiped from memory too."""
    kept = {k: os.environ[k] for k in ("LANG", "LC_ALL", "GRADER_LANG") if k in os.environ}
    os.environ.clear()
    if _LINUX:
        _libc.clearenv()
        _wipe_initial_environment()
    os.environ.update({
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(workdir), "TMPDIR": str(workdir),
        "LANG": "C.UTF-8", "USER": "student", "LOGNAME": "student", "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **kept})
    tempfile.tempdir = str(workdir)
    sys.dont_write_bytecode = True


def _wipe_initial_environment() -> None:
    """Zero the environment strings the kernel placed at exec (/proc/self/environ shows them)."""
    with open("/proc/self/stat", "rb") as proc_stat:
        fields = proc_stat.read().rsplit(b")", 1)[1].split()
    start, end = int(fields[47]), int(fields[48])  # env_start, env_end (fields 50 and 51)
    if 0 < start < end:
        ctypes.memset(start, 0, end - start)


def _set_limits(limits: Limits) -> None:
    """Resource limits; soft and hard alike, so the child cannot raise them again."""
    seconds = int(limits.submission_seconds) + 1
    _limit(resource.RLIMIT_CPU, seconds, seconds + 1)  # SIGXCPU, then SIGKILL
    _limit(resource.RLIMIT_FSIZE, FILE_BYTES)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_NOFILE, OPEN_FILES)
    tasks = 0 if _child_ids is not None else _tasks_of(os.getuid())
    _limit(resource.RLIMIT_NPROC, tasks + limits.processes)
    size = _address_space()
    if size:
        _limit(resource.RLIMIT_AS, size + limits.memory_bytes)


def _limit(which: int, soft: int, hard: int | None = None) -> None:
    """Lower a limit to ``soft``/``hard`` (never above the hard limit in force)."""
    ceiling = resource.getrlimit(which)[1]
    hard = soft if hard is None else hard
    if ceiling != resource.RLIM_INFINITY:
        soft, hard = min(soft, ceiling), min(hard, ceiling)
    try:
        resource.setrlimit(which, (soft, hard))
    except (OSError, ValueError):  # not supported here (e.g. RLIMIT_AS on macOS)
        pass


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 where unknown)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tasks_of(uid: int) -> int:
    """Processes and threads of ``uid``: RLIMIT_NPROC counts them all, not just ours."""
    count = 0
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
            if int(fields["Uid"].split()[0]) == uid:
                count += int(fields["Threads"])
        except (OSError, KeyError, ValueError):
            pass
    return count


def _drop_to(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` keeping only CAP_DAC_READ_SEARCH.

    The capability is what lets the child traverse a Python installation under a private
    home (pyenv in /root, mode 700), which its own uid may not. It lets it read past file
    modes, never past Landlock: outside the allowed trees nothing is readable anyway, and
    the allowed trees leave out what file modes alone protect (no /etc/shadow, no
    /etc/ssl/private, no raw disk devices). Without Landlock the child reads what the
    grader reads, which ``prepare_server`` warns about.
    """
    for cap in range(int(Path("/proc/sys/kernel/cap_last_cap").read_text()) + 1):
        if cap != CAP_DAC_READ_SEARCH:
            _check(_prctl(PR_CAPBSET_DROP, cap), "PR_CAPBSET_DROP")
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    _check(_prctl(PR_SET_KEEPCAPS, 1), "PR_SET_KEEPCAPS")
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    _capset(1 << CAP_DAC_READ_SEARCH)
    _prctl(PR_SET_KEEPCAPS, 0)


# --- Landlock -----------------------------------------------------------------------------

def landlock_abi() -> int:
    """The Landlock ABI version of this kernel, 0 when Landlock is unavailable."""
    if _libc is None:
        return 0
    return max(_libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                             ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION)), 0)


def _landlock_ruleset(workdir: Path, hidden_paths: Sequence[Path]) -> int | None:
    """A ruleset fd: read only ``_readable_trees``, write in ``workdir``, no TCP, scoped."""
    abi = landlock_abi()
    if abi == 0:
        return None
    fs = (1 << 13) - 1 | (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0) \
        | (FS_IOCTL_DEV if abi >= 5 else 0)
    attr = _RulesetAttr(fs, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = _libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                            ctypes.c_uint32(0))
    _check(ruleset, "landlock_create_ruleset")
    for path in _readable_trees(_real(hidden_paths)):
        _allow(ruleset, path, FS_EXECUTE | FS_READ_FILE | FS_READ_DIR)
    for device in DEVICES:
        _allow(ruleset, device, FS_READ_FILE)
    _allow(ruleset, os.devnull, FS_WRITE_FILE | (fs & FS_TRUNCATE))
    _allow(ruleset, str(workdir), fs)
    return ruleset


def python_trees() -> list[str]:
    """The folders of the running Python installation, resolved: its prefixes and the
    ``sys.path`` folders inside them (a venv's site-packages may be a link).

    Other ``sys.path`` entries (the project checkout of an editable install, pytest's
    rootdir) are left out. A prefix of "/" stands for nothing more: its libraries are in
    ``SYSTEM_FOLDERS``.
    """
    prefixes = {os.path.abspath(p) for p in (sys.base_prefix, sys.prefix, sys.exec_prefix,
                                             sys.base_exec_prefix)} - {"/"}
    inside = [p for p in sys.path if type(p) is str and p
              and any(_inside(os.path.abspath(p), prefix) for prefix in prefixes)]
    return sorted({os.path.realpath(p) for p in [*prefixes, *inside] if os.path.exists(p)})


def hidden_python(hidden_paths: Sequence[Path]) -> str | None:
    """A folder of the Python installation inside ``hidden_paths``, which a child could not
    import from (None when there is none)."""
    hidden = _real(hidden_paths)
    return next((tree for tree in python_trees() if any(_inside(tree, h) for h in hidden)),
                None)


def _readable_trees(hidden: list[str]) -> Iterator[str]:
    """What a child may read: the Python installation, ``SYSTEM_FOLDERS`` and
    ``ETC_ENTRIES``, except anything in ``hidden`` (even inside those trees)."""
    roots = [*python_trees(), *SYSTEM_FOLDERS, *(f"/etc/{entry}" for entry in ETC_ENTRIES)]
    for root in dict.fromkeys(os.path.realpath(r) for r in roots if os.path.exists(r)):
        yield from _beneath(root, hidden)


def _beneath(root: str, hidden: list[str]) -> Iterator[str]:
    """Paths whose trees hold all of ``root`` except ``hidden``; links inside are not
    followed (a rule on a link would allow its target)."""
    if any(_inside(root, h) for h in hidden):
        return
    if not any(_inside(h, root) for h in hidden):
        yield root
        return
    try:
        entries = list(os.scandir(root))
    except OSError:  # cannot be listed: its entries stay unreadable
        return
    for entry in entries:
        if not entry.is_symlink():
            yield from _beneath(entry.path, hidden)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _real(paths: Sequence[Path]) -> list[str]:
    return [os.path.realpath(p) for p in paths if os.path.lexists(p)]


def _allow(ruleset: int, path: str, access: int) -> None:
    """Grant ``access`` beneath ``path`` (file rights only when it is not a folder)."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:  # vanished or unreachable: it stays denied
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= _FILE_RIGHTS
        rule = _PathBeneathAttr(access, fd)
        _check(_libc.syscall(SYS_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH,
                             ctypes.byref(rule), 0), f"landlock_add_rule {path}")
    finally:
        os.close(fd)


# --- helpers ------------------------------------------------------------------------------

def _prctl(option: int, *args: int) -> int:
    args += (0,) * (4 - len(args))
    return _libc.prctl(option, *(ctypes.c_ulong(a) for a in args))


def _check(result: int, what: str) -> None:
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _capset(caps: int) -> None:
    """Set the effective and permitted capabilities to ``caps`` (inheritable: none)."""
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)(_CapData(caps & 0xFFFFFFFF, caps & 0xFFFFFFFF, 0),
                          _CapData(caps >> 32, caps >> 32, 0))
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def _effective_caps() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0


def _unused_ids() -> tuple[int, int] | None:
    """A uid/gid of the children's own, if this root process may switch to it."""
    needed = (1 << CAP_DAC_READ_SEARCH) | (1 << CAP_SETUID) | (1 << CAP_SETGID) \
        | (1 << CAP_SETPCAP)
    if _effective_caps() & needed != needed:
        return None
    for candidate in (FIRST_UID + _server_pid, 65534):
        if _mapped(candidate, "uid_map") and _mapped(candidate, "gid_map"):
            return candidate, candidate
    return None


def _mapped(number: int, table: str) -> bool:
    """Whether ``number`` exists in this user namespace (/proc/self/uid_map or gid_map)."""
    with open(f"/proc/self/{table}") as lines:
        for line in lines:
            inner, _outer, count = map(int, line.split())
            if inner <= number < inner + count:
                return True
    return False


def _unshare(flags: int) -> bool:
    return _libc.unshare(ctypes.c_int(flags)) == 0


def _enter_user_namespace() -> bool:
    """Unprivileged: a user namespace (mapping our own ids) with a network namespace."""
    uid, gid = os.getuid(), os.getgid()
    if not _unshare(CLONE_NEWUSER | CLONE_NEWNET):
        return False
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        with tempfile.TemporaryFile():  # files can still be created (ids are mapped)
            pass
        _capset(0)
    except OSError:
        return False
    return True


def _in_child(probe: Callable[[], bool]) -> bool:
    """Run ``probe`` in a throwaway child first: some changes cannot be undone."""
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(0 if probe() else 1)
        finally:
            os._exit(1)
    return os.waitpid(pid, 0)[1] == 0


def _pids() -> list[int]:
    """Every process id in /proc (none where there is no /proc)."""
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _descendants(root: int) -> list[int]:
    """Every process below ``root``, zombies included (parents read from /proc/PID/stat)."""
    children: dict[int, list[int]] = {}
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/stat", "rb") as proc_stat:
                parent = int(proc_stat.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


def reap_children() -> None:
    """Reap every child of this process that has ended, without waiting for the others."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
