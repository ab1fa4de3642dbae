"""Starting the grader's commands as a user's Ctrl-C would reach them."""

from __future__ import annotations

import signal


def interruptible() -> None:
    """In the child before it runs: SIGINT at its default, even where the suite was started
    with it ignored (``nohup``, a background job), so Python turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
