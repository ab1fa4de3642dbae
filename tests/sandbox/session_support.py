"""Shared pieces of the session tests: small limits, a sandbox, submissions built in tmp."""

from __future__ import annotations

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
