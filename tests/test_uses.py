"""``use()`` in a real Jupyter kernel (nbclient): the mlp notebook of a released bundle, with
the student's activations in ``exercises/activations.py`` (the activations notebook left
untouched) and mlp written in the notebook, runs the student's own functions; the imports
the module's docstring promises work in it; ``check()`` grades what the notebook calls.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest

from grader.classroom.release import build_release
from grader.uses import use

STARTUP, CELL = 600, 600

#: The student's relu, wrong on purpose, so that its results are recognisably theirs.
STUDENT_RELU = "def relu(x: np.ndarray) -> np.ndarray:\n    return np.abs(x)\n"

MLP_FORWARD = '''from activations import relu, sigmoid, tanh
from exercises.activations import relu as relu_again
from .activations import relu as relu_once_more


def mlp_forward(x, params, activation="relu"):
    act = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}[activation]
    h = act(x @ params["W1"] + params["b1"])
    return h @ params["W2"] + params["b2"]
'''

RUN = '''params = {"W1": np.array([[1.0, -1.0]]), "b1": np.zeros(2),
          "W2": np.array([[1.0], [1.0]]), "b2": np.array([0.5])}
print(mlp_forward(np.array([[2.0], [-3.0]]), params).tolist(), relu is relu_again is relu_once_more)
'''


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_LANG", "en")   # the kernel inherits the environment


def with_student_relu(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    start = source.index("def relu(")
    end = source.index("def sigmoid(")
    path.write_text(source[:start] + STUDENT_RELU + "\n\n" + source[end:], encoding="utf-8")


def outputs(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                   for o in cell.outputs)


def test_the_mlp_notebook_runs_the_students_own_activations_from_exercises(tmp_path):
    build_release(tmp_path / "repo", lang="en")
    with_student_relu(tmp_path / "repo" / "exercises" / "activations.py")
    path = tmp_path / "repo" / "notebooks" / "mlp.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cells = notebook.cells
    next(c for c in cells if c.get("id") == "mlp_forward").source = MLP_FORWARD
    at = cells.index(next(c for c in cells if c.get("id") == "check"))
    cells[at:] = [nbformat.v4.new_code_cell(RUN),
                  nbformat.v4.new_code_cell('from grader import check\ncheck("relu")'),
                  nbformat.v4.new_code_cell('check("mlp_forward")')]
    nbclient.NotebookClient(notebook, timeout=CELL, startup_timeout=STARTUP,
                            kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    loaded = outputs(next(c for c in cells if c.get("id") == "activations-load"))
    assert "relu: from exercises/activations.py" in loaded
    assert "sigmoid, tanh, relu_grad" in loaded and "not written yet" in loaded
    ran, relu, mlp = (outputs(c) for c in cells[-3:])
    assert "[[4.5], [6.5]] True" in ran          # |z|, the student's relu: not [[2.5], [3.5]]
    assert "Score: 0 / 2" in relu and "not implemented yet" not in relu   # their relu, graded
    score, most = map(float, re.search(r"Score: ([\d.]+) / ([\d.]+)", mlp).groups())
    assert score == most > 0, mlp


def test_use_prefers_a_written_notebook_cell_and_says_where_each_came_from(tmp_path, capsys):
    build_release(tmp_path / "repo", lang="en")
    with_student_relu(tmp_path / "repo" / "exercises" / "activations.py")
    notebook_path = tmp_path / "repo" / "notebooks" / "activations.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    next(c for c in notebook.cells if c.get("id") == "tanh").source = \
        "def tanh(x):\n    return np.tanh(x)\n"
    nbformat.write(notebook, str(notebook_path))
    namespace = {"np": __import__("numpy"), "__name__": "__main__"}
    where = use("activations", namespace, folder=notebook_path.parent)
    assert where == {"relu": "exercises/activations.py", "tanh": "activations.ipynb"}
    shown = capsys.readouterr().out
    assert "tanh: from activations.ipynb" in shown and "relu: from exercises/activations.py" in shown
    assert namespace["relu"](__import__("numpy").array([-2.0])).tolist() == [2.0]
    with pytest.raises(NotImplementedError):
        namespace["sigmoid"](0.0)
    import activations
    from exercises import activations as same
    assert activations.relu is same.relu is namespace["relu"]
