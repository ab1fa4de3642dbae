"""Loading submissions: folders, module files, notebooks (magics skipped), bad paths."""

from pathlib import Path

import nbformat
import pytest

from grader.submission import LoadError, load


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title")]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, str(path))
    return path


def test_folder_of_modules_in_contract_order(tmp_path):
    write(tmp_path, "losses.py", "def mse(y, y_hat): return 0.0\n")
    write(tmp_path, "activations.py", "def relu(x): return x\n")
    write(tmp_path, "helpers.py", "X = 1\n")
    submission = load(tmp_path)
    assert submission.kind == "folder"
    assert [u.module for u in submission.units] == ["activations", "losses"]
    assert all(u.kind == "module" for u in submission.units)


def test_exercises_subfolder_is_found(tmp_path):
    write(tmp_path, "exercises/mlp.py", "def linear_forward(x, W, b): return x @ W + b\n")
    assert [u.name for u in load(tmp_path).units] == ["mlp.py"]


def test_single_file_is_one_namespace(tmp_path):
    path = write(tmp_path, "answers.py", "def relu(x): return x\n")
    submission = load(path)
    assert submission.kind == "module"
    assert [u.kind for u in submission.units] == ["namespace"]


def test_notebook_skips_magics_and_shell_lines(tmp_path):
    path = notebook(tmp_path / "hw.ipynb", "%matplotlib inline\nimport numpy as np",
                    "!pip install torch", "%%time\nx = 1", "def relu(x):\n    return x")
    units = load(path).units
    assert len(units) == 3
    assert "%matplotlib" not in units[0].source and "import numpy" in units[0].source
    assert units[1].source.strip() == "x = 1"          # %%time runs its body
    assert units[2].source.startswith("def relu")


def test_folder_with_several_notebooks_loads_them_in_module_order(tmp_path):
    notebook(tmp_path / "losses.ipynb", "def mse(y, y_hat):\n    return 0.0")
    notebook(tmp_path / "activations.ipynb", "def relu(x):\n    return x")
    units = load(tmp_path).units
    assert [Path(u.path).name for u in units] == ["activations.ipynb", "losses.ipynb"]


@pytest.mark.parametrize("make, words", [
    (lambda p: p / "missing", "no such file"),
    (lambda p: write(p, "broken.ipynb", "{not json"), "not a valid notebook"),
    (lambda p: write(p, "notes.txt", "hello"), "not a folder"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "no exercise modules"),
])
def test_bad_paths_raise_one_clear_load_error(tmp_path, make, words):
    with pytest.raises(LoadError) as error:
        load(make(tmp_path))
    assert words in str(error.value)
    assert "\n" not in str(error.value)


def test_python_cell_magics_keep_their_body_and_others_go(tmp_path):
    path = notebook(tmp_path / "hw.ipynb", "%%time\ndef relu(x):\n    return x",
                    "%%bash\necho hi", "%%writefile x.py\nprint(1)")
    units = load(path).units
    assert len(units) == 1 and "def relu" in units[0].source


def test_a_notebook_without_code_is_a_load_error(tmp_path):
    with pytest.raises(LoadError, match="no code cells"):
        load(notebook(tmp_path / "empty.ipynb"))


def test_a_notebook_that_breaks_the_schema_is_a_load_error(tmp_path):
    path = write(tmp_path, "bad.ipynb", '{"cells": [{"cell_type": "code", "source": 123, '
                 '"metadata": {}, "outputs": [], "execution_count": null}], "metadata": {}, '
                 '"nbformat": 4, "nbformat_minor": 5}')
    with pytest.raises(LoadError, match="not a valid notebook"):
        load(path)


def test_a_file_named_after_a_module_is_that_module_and_reads_nothing_else(tmp_path):
    write(tmp_path, "activations.py", "def relu(x): return x\n")
    write(tmp_path, "someone_else.py", "SECRET = 1\n")
    submission = load(write(tmp_path, "mlp.py", "from activations import relu\n"))
    assert [(u.kind, u.module) for u in submission.units] == [("module", "mlp")]
    assert submission.helpers == ()
    other = load(write(tmp_path, "answers.py", "def relu(x): return x\n"))
    assert other.helpers == () and other.kind == "module"


def test_a_folder_brings_its_helper_modules(tmp_path):
    write(tmp_path, "losses.py", "from utils import square\n")
    write(tmp_path, "utils.py", "def square(x): return x * x\n")
    write(tmp_path, "__init__.py", "")
    helpers = load(tmp_path).helpers
    assert [(u.name, u.kind, u.module) for u in helpers] == [("utils.py", "helper", "utils")]
    assert "x * x" in helpers[0].source
