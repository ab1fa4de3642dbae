
import os
import signal
import time


_DETACHED = []


def _detach():
    """A grandchild in its own session, ignoring polite signals, sleeping forever (one per
    process, so that the processes limit does not make sigmoid fail)."""
    if _DETACHED:
        return
    _DETACHED.append(True)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            for name in ("SIGTERM", "SIGINT", "SIGHUP"):
                signal.signal(getattr(signal, name), signal.SIG_IGN)
            os.chdir("/")
            while True:
                time.sleep(1)
        os._exit(0)


def sigmoid(x):
    _detach()
    return _sigmoid(x)
