"""The ``grade`` command's entry point: ``run`` and ``watch`` launch their sandbox server
before anything else is imported (and collect no garbage until torch and the grader are),
and a server that goes unused is killed at exit."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from grader.command import _command

ROOT = Path(__file__).resolve().parent.parent
#: Runs ``grade ARGS`` through the console script's entry point, noting for each server it
#: launches which of the heavy modules were imported by then and, at exit (after the
#: command's own exit handlers), how that server ended.
SPY = r"""
import atexit, json, subprocess, sys
launched = []
popen = subprocess.Popen.__init__
def spy(self, args, *rest, **options):
    popen(self, args, *rest, **options)
    if "grader.sandbox.boot" in args:
        launched.append((self, [m for m in ("click", "grader.cli", "numpy", "torch")
                                if m in sys.modules]))
subprocess.Popen.__init__ = spy
def report():
    import gc
    print(json.dumps({"launched": [[modules, process.wait(60)] for process, modules in launched],
                      "collecting": gc.isenabled(), "frozen": gc.get_freeze_count()}),
          file=sys.stderr)
atexit.register(report)
sys.argv = ["grade", *sys.argv[1:]]
from grader.command import main
main()
"""


def spied(*args: str) -> tuple[subprocess.CompletedProcess, dict]:
    done = subprocess.run([sys.executable, "-c", SPY, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    return done, json.loads(done.stderr.strip().splitlines()[-1])


def test_run_launches_its_server_before_importing_the_cli_numpy_or_torch() -> None:
    done, seen = spied("run", "solutions", "--format", "json", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 100
    assert [modules for modules, _code in seen["launched"]] == [[]]


def test_run_keeps_what_it_imported_out_of_the_collector_and_collects_the_rest() -> None:
    done, seen = spied("run", "solutions", "--only", "activations.relu", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert seen["collecting"]
    assert seen["frozen"] > 100_000   # torch's objects, and the grader's


def test_a_server_launched_for_a_command_that_fails_is_killed_at_exit(tmp_path: Path) -> None:
    done, seen = spied("run", str(tmp_path / "missing"))
    assert done.returncode == 2
    assert "missing" in done.stderr
    assert [code for _modules, code in seen["launched"]] == [-signal.SIGKILL]


@pytest.mark.parametrize("argv, command", [
    (["run", "exercises/"], "run"), (["--help"], None), (["watch", "--only", "x", "s"], "watch"),
    (["batch", "subs", "-o", "out"], "batch"), ([], None)])
def test_the_command_is_the_first_argument_that_is_no_option(argv: list[str],
                                                             command: str | None) -> None:
    assert _command(argv) == command
