
import os
import sys
import time

_LEFT = []


def _leave_behind():
    """A grandchild in its own session, ignoring polite signals, sleeping for an hour, its
    command line naming this submission: it must not outlive a fork server killed from
    outside (one per process, so that the processes limit does not make sigmoid fail)."""
    if _LEFT:
        return
    _LEFT.append(True)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.chdir("/")
            os.execv(sys.executable, [sys.executable, "-c",
                                      "import signal, time\n"
                                      "for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n"
                                      "    signal.signal(s, signal.SIG_IGN)\n"
                                      "time.sleep(3600)", "@SUBMISSION@"])
        os._exit(0)


def sigmoid(x):
    if not _LEFT:
        _leave_behind()
        time.sleep(5)   # the grader's fork server may be killed meanwhile
    return _sigmoid(x)
