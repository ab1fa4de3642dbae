"""The loaders against inputs that made them quadratic (tests/adversarial/slow_loaders):
each pass over the student's bytes runs on 1 MB of its worst input within a generous bound."""

from __future__ import annotations

from pathlib import Path

import nbformat

from grader.submission import load
from grader.submission.notebook import Labels, cell_label, imports_grader, notebook_cells
from tests.bounded import MEGABYTE, bounded


def notebook(path: Path, sources: list[str]) -> Path:
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s)
                                                   for s in sources]), path)
    return path


def labels(sources: list[str]) -> int:
    taken = Labels()
    for source in sources:
        taken.add(cell_label(source, taken))
    return len(taken)


def test_cells_that_start_alike_are_labelled_in_linear_time() -> None:
    sources = ["x\n"] * (MEGABYTE // 2)
    assert bounded(labels, sources) == len(sources)
    taken = Labels()
    for source in ["x = 1", "x = 1", "\n\nx = 1\n", "x = 1 #2"]:
        taken.add(cell_label(source, taken))
    assert sorted(taken) == ['cell "x = 1 #2"', 'cell "x = 1"', 'cell "x = 1" #2',
                             'cell "x = 1" #3']


def test_a_notebook_of_twenty_thousand_alike_cells_loads(tmp_path: Path) -> None:
    path = notebook(tmp_path / "many.ipynb", ["x = 1\n"] * 20_000)
    assert path.stat().st_size > MEGABYTE
    submission = bounded(load, path)
    assert len(submission.units) == 20_000
    assert submission.units[-1].name == 'cell "x = 1" #20000'


def test_a_cell_of_a_million_newlines_is_read_in_linear_time(tmp_path: Path) -> None:
    cell = "\n" * MEGABYTE + "from grader import check\n"
    assert bounded(imports_grader, cell) is True
    assert bounded(imports_grader, "\n" * MEGABYTE) is False
    assert bounded(imports_grader, " " * MEGABYTE + "x") is False
    assert bounded(cell_label, "\n" * MEGABYTE + "def relu(x):") == 'cell "def relu(x):"'
    path = notebook(tmp_path / "newlines.ipynb", ["\n" * MEGABYTE + "x = 1\n", cell])
    assert [n for n, _s in bounded(notebook_cells, path.read_text(), "newlines.ipynb")] == [1]


def test_the_grader_import_is_found_as_before() -> None:
    for source in ("from grader import check", "  import grader", "from grader.x import y",
                   "x = 1\nfrom  grader import check\n", "import grader as g",
                   "if True:\n\tfrom grader import check"):
        assert imports_grader(source), source
    for source in ("import graders", "from graders import x", "# from grader import check x",
                   "x = 'from grader import check'", "import gradebook"):
        assert not imports_grader(source), source


def test_the_not_found_message_reads_a_module_of_a_million_newlines_in_linear_time(
        tmp_path: Path) -> None:
    from types import SimpleNamespace

    from grader.contract import FUNCTIONS
    from grader.grading import _missing_message

    path = tmp_path / "mine.py"
    path.write_text("\n" * (MEGABYTE - 100) + "def relu(x) return\n", encoding="utf-8")
    submission = load(path)
    session = SimpleNamespace(load_errors={submission.units[0].name: "SyntaxError"})

    def messages() -> list[str]:
        return [_missing_message(session, submission, f)[1] for f in FUNCTIONS]

    found = bounded(messages)
    assert found.count("outcome:load-error") == 1 and found.count("outcome:missing") == 25
