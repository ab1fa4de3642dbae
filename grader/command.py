"""The ``grade`` command's entry point (the console script and ``python -m grader``).

A command that grades one submission in this process (``run``, ``watch``) has its sandbox
server launched first, before the command-line interface (``grader.cli``) and what it
needs are imported: the server's import of numpy and torch, the longest step of grading
one submission, then runs beside all of this process's own start. Its garbage collector
is paused until torch and the grader are imported (``launch.pause_collection``).
"""

from __future__ import annotations

import sys

#: The commands that grade in a sandbox server of their own.
GRADING_COMMANDS = ("run", "watch")


def main(prog_name: str = "grade") -> None:
    """Run the ``grade`` command on ``sys.argv``."""
    if _command(sys.argv[1:]) in GRADING_COMMANDS:
        from grader.sandbox import launch
        launch.pause_collection()   # until torch and the grader are imported
        launch.ahead()
    from grader.cli import main as cli_main
    cli_main(prog_name=prog_name)


def _command(argv: list[str]) -> str | None:
    """The command named in ``argv`` (the group itself takes no option with a value)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)
