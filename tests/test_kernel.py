"""``check()`` in a real Jupyter kernel (nbclient): it grades the functions the kernel holds,
in the sandbox, names cells as the student sees them and shows HTML with every
student-controlled text escaped. Generous timeouts: kernels start slowly on a loaded machine.
"""

from __future__ import annotations

import nbclient
import nbformat
import pytest

from grader.kernel import check

STARTUP, CELL = 600, 600

SIGMOID = '''def sigmoid(x):
    """Wrong on purpose."""
    raise ValueError("<script>alert(1)</script>")
'''


def run(tmp_path, *sources: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in sources])
    nbclient.NotebookClient(notebook, timeout=CELL, startup_timeout=STARTUP,
                            kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    return notebook


def result(cell: nbformat.NotebookNode) -> dict[str, str]:
    found = [o.data for o in cell.outputs if o.output_type == "execute_result"]
    assert len(found) == 1, cell.outputs
    return found[0]


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_LANG", "en")


def test_check_grades_the_kernels_functions(tmp_path):
    notebook = run(
        tmp_path,
        "import numpy as np\n%matplotlib inline",
        "LIMIT = 0.0\n\ndef relu(x):\n    return np.maximum(x, LIMIT)",
        SIGMOID,
        'from grader import check\ncheck("relu")',
        'check("activations.sigmoid")',
        'check("relu")',
        'check("rleu")',
        "import os\nos.getpid()",
    )
    first, failing, again, bad = (result(notebook.cells[i]) for i in (3, 4, 5, 6))
    assert "Score: 2 / 2" in first["text/plain"] and "<table" in first["text/html"]
    assert "Graded only: activations.relu" in first["text/plain"]
    # the location is the cell as Jupyter shows it: its first line, the line within it
    assert 'ValueError: <script>alert(1)</script> (cell "def sigmoid(x):", line 3)' \
        in " ".join(failing["text/plain"].split())
    assert "<script>" not in failing["text/html"] and "&lt;script&gt;" in failing["text/html"]
    # one grader for the kernel's life: the same seed on every call
    seed = first["text/plain"].split("Seed: ")[1].split()[0]
    assert f"Seed: {seed}" in failing["text/plain"] and f"Seed: {seed}" in again["text/plain"]
    assert bad["text/plain"].startswith("grade: error: unknown module or function rleu")
    assert len(bad["text/plain"].splitlines()) == 1 and "Traceback" not in bad["text/plain"]


def test_student_code_runs_in_the_sandbox_not_the_caller():
    import os

    def relu(x):
        return os.getpid()   # the process the function runs in

    outcome = check("relu", namespace={"relu": relu, "os": os, "__name__": "__main__"})
    assert outcome.score == 0
    assert str(os.getpid()) not in repr(outcome)   # it ran elsewhere (a sandbox child)


def test_lang_applies_to_its_own_call_only(monkeypatch):
    """check(..., lang="ko") shows that call in Korean, also when it is shown after a later
    call, and the next call is in the default language again."""
    monkeypatch.setenv("GRADER_LANG", "en")
    namespace = {"__name__": "__main__"}
    korean = check("relu", lang="ko", namespace=namespace)
    english = check("relu", namespace=namespace)
    assert "점수: 0 / 2" in repr(korean) and "점수" in korean._repr_html_()
    assert "Score: 0 / 2" in repr(english) and "점수" not in repr(english)
    assert "Score: 0 / 2" in repr(check("relu", namespace=namespace))
