"""Notebook cells: named by their first line (Jupyter shows no cell numbers), the grading cell
left out."""

from __future__ import annotations

import nbformat

from grader.i18n import set_language
from grader.submission import load
from grader.submission.notebook import cell_label, notebook_cells


def _notebook(path, *sources: str):
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in sources])
    nbformat.write(notebook, str(path))
    return path


def test_a_cell_is_named_by_its_first_line():
    assert cell_label("\n\ndef relu(x):\n    return x") == 'cell "def relu(x):"'
    long = "x = " + "1 + " * 30 + "1"
    assert cell_label(long) == 'cell "' + long[:39] + '…"'
    taken = {'cell "import numpy as np"'}
    assert cell_label("import numpy as np", taken) == 'cell "import numpy as np" #2'
    set_language("ko")
    try:
        assert cell_label("def relu(x):") == '셀 "def relu(x):"'
    finally:
        set_language(None)


def test_cells_alike_get_distinct_names(tmp_path):
    path = _notebook(tmp_path / "hw.ipynb", "import numpy as np", "import numpy as np\nx = 1",
                     "def relu(x):\n    return x")
    names = [unit.name for unit in load(path).units]
    assert names == ['cell "import numpy as np"', 'cell "import numpy as np" #2',
                     'cell "def relu(x):"']


def test_the_grading_cell_is_not_part_of_the_submission():
    cells = notebook_cells(nbformat.writes(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("def relu(x):\n    return x"),
        nbformat.v4.new_code_cell('from grader import check\n\ncheck("activations")'),
        nbformat.v4.new_code_cell("import grader\ngrader.check()"),
        nbformat.v4.new_code_cell("import graderish  # another module"),
    ])), "hw.ipynb")
    assert [source for _n, source in cells] == ["def relu(x):\n    return x",
                                                "import graderish  # another module"]
