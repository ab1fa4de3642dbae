"""Shared pieces of the session tests: small limits, a sandbox, submissions built in tmp."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import nbformat
import pytest

from grader.sandbox import Limits, Sandbox
from grader.submission import Submission, load

LIMITS = Limits(call_seconds=1, load_seconds=2, submission_seconds=60,
                memory_bytes=512 * 1024**2, output_chars=200)
HIDDEN = (Path(__file__).resolve().parents[2] / "solutions",)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(LIMITS, hidden_paths=HIDDEN) as box:
        yield box


def sandbox_processes(box: Sandbox) -> dict[int, int]:
    """The processes of ``box``'s server and below: pid as they see it -> pid here.

    Where the server has a PID namespace of its own, every process in it; else the
    descendants of the process ``Sandbox.start`` launched.
    """
    launcher = box._link.pid
    found = {}
    for name in (n for n in os.listdir("/proc") if n.isdigit()):
        try:
            status = Path(f"/proc/{name}/status").read_text()
            stat = Path(f"/proc/{name}/stat").read_bytes().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        inner = [int(p) for p in status.split("NSpid:")[1].split("\n")[0].split()]
        found[int(name)] = (int(stat[1]), inner)
    below, todo = {}, [launcher]
    while todo:
        parent = todo.pop()
        for pid, (ppid, inner) in found.items():
            if ppid == parent and pid not in below:
                below[pid] = inner[-1]
                todo.append(pid)
    return {inner: pid for pid, inner in below.items()}


def folder(tmp_path: Path, **modules: str) -> Submission:
    """A folder submission with ``modules`` (name -> source, dedented)."""
    root = tmp_path / "submission"
    root.mkdir()
    for name, source in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(source))
    return load(root)


def single_file(tmp_path: Path, source: str, name: str = "answers.py") -> Submission:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return load(path)


def notebook(tmp_path: Path, *cells: str) -> Submission:
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_markdown_cell("# Exercises")]
    book.cells += [nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in cells]
    path = tmp_path / "work.ipynb"
    nbformat.write(book, str(path))
    return load(path)
