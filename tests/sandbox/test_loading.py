"""Loading submissions in the child: import styles, notebooks, broken modules, helpers."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.sandbox.session_support import (LIMITS, folder, notebook, sandbox,  # noqa: F401
                                           single_file)

RELU = """
    import numpy as np
    def relu(x):
        return np.maximum(x, 0)
"""


@pytest.mark.parametrize("style", [
    "from activations import relu",
    "from .activations import relu",
    "from exercises.activations import relu",
    "import activations; relu = activations.relu",
    "from . import activations; relu = activations.relu",
])
def test_the_import_styles_work(sandbox, tmp_path, style):
    submission = folder(tmp_path, activations=RELU, mlp=f"""
        {style}
        def mlp_forward(x, params, activation="relu"):
            return relu(x)
    """)
    with sandbox.open(submission) as session:
        assert session.load_errors == {}
        outcome = session.call("mlp.mlp_forward", (np.array([-1.0, 2.0]), {}), {},
                               scratch=True)
    assert outcome.error == "" and outcome.value.tolist() == [0.0, 2.0]


def test_modules_load_in_any_order_and_share_one_object(sandbox, tmp_path):
    submission = folder(tmp_path, activations=RELU + """
    def sigmoid(x):
        import exercises.activations, activations, sys
        return float(exercises.activations is activations is sys.modules[__name__])
    """, linear_regression="""
        from mlp import linear_forward
        def predict(x, w, b):
            return linear_forward(x, w, b)
    """, mlp="""
        def linear_forward(x, W, b):
            return x * W + b
    """)
    with sandbox.open(submission) as session:
        assert session.call("linear_regression.predict", (2.0, 3.0, 1.0), {},
                            scratch=True).value == 7.0
        assert session.call("activations.sigmoid", (0.0,), {}, scratch=True).value == 1.0


def test_a_notebook_shares_one_namespace_and_skips_magics(sandbox, tmp_path):
    submission = notebook(
        tmp_path,
        "%matplotlib inline\nimport numpy as np\n!pip install nothing",
        RELU,
        "from activations import relu as r\ndef mlp_forward(x, params, activation='relu'):\n"
        "    return r(x) + params['b2']",
        "undefined_name + 1",
        "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\nprint('cell 5 ran')",
    )
    with sandbox.open(submission) as session:
        cell = 'cell "undefined_name + 1"'   # as the student finds it: by its first line
        assert list(session.load_errors) == [cell]
        assert "NameError" in session.load_errors[cell]
        assert "(line 1)" in session.load_errors[cell]
        assert session.load_output == "cell 5 ran\n"
        assert {"activations.relu", "activations.sigmoid", "mlp.mlp_forward"} \
            <= session.available
        value = session.call("mlp.mlp_forward", (np.array([-1.0]), {"b2": 1.0}), {},
                             scratch=True).value
    assert value.tolist() == [1.0]


def test_a_single_file_holds_functions_of_every_module(sandbox, tmp_path):
    submission = single_file(tmp_path, RELU + """
    def mse(y, y_hat):
        return float(((y - y_hat) ** 2).mean())
    if __name__ == "__main__":
        raise SystemExit("self-test should not run")
    """)
    with sandbox.open(submission) as session:
        assert session.load_errors == {}
        assert session.available == {"activations.relu", "losses.mse"}


def test_a_syntax_error_costs_only_its_module(sandbox, tmp_path):
    submission = folder(tmp_path, activations=RELU, losses="def mse(y, y_hat):\n  return (\n",
                        linear_regression="def predict(x, w, b):\n    return w * x + b\n")
    with sandbox.open(submission) as session:
        assert list(session.load_errors) == ["losses.py"]
        assert session.load_errors["losses.py"].startswith("SyntaxError: ")
        assert "(line 2)" in session.load_errors["losses.py"]
        assert session.available == {"activations.relu", "linear_regression.predict"}


def test_an_exception_at_import_is_reported_with_its_line(sandbox, tmp_path):
    submission = folder(tmp_path, activations=RELU, losses="x = 1\nraise ValueError('boom')\n")
    with sandbox.open(submission) as session:
        assert session.load_errors == {"losses.py": "ValueError: boom (line 2)"}
        assert session.available == {"activations.relu"}


@pytest.mark.parametrize("body, expected", [
    ("import sys\nsys.exit(3)", "exited while loading (exit code 3)"),
    ("import os\nos._exit(4)", "exited while loading (exit code 4)"),
    ("import ctypes\nctypes.string_at(0)", "crashed while loading (killed by signal 11"),
    ("while True:\n    pass", "timed out while loading"),
])
def test_a_module_that_exits_crashes_or_hangs_at_import(sandbox, tmp_path, body, expected):
    submission = folder(tmp_path, activations=RELU, losses=body,
                        mlp="from activations import relu\ndef linear_forward(x, W, b):\n"
                            "    return relu(x @ W + b)\n")
    with sandbox.open(submission) as session:
        assert session.load_errors["losses.py"].startswith(expected)
        assert session.available == {"activations.relu", "mlp.linear_forward"}
        value = session.call("mlp.linear_forward", (np.ones((1, 1)), np.ones((1, 1)),
                                                    -np.ones(1) * 3), {}, scratch=True).value
        assert value.tolist() == [[0.0]]


def test_dependents_of_a_broken_module_still_load(sandbox, tmp_path):
    submission = folder(tmp_path, activations="def relu(x):\n    return x +\n", mlp="""
        from activations import relu
        import activations
        def linear_forward(x, W, b):
            return relu(x @ W + b)
        def mlp_forward(x, params, activation="relu"):
            return activations.relu(x)
    """)
    with sandbox.open(submission) as session:
        assert list(session.load_errors) == ["activations.py"]
        assert session.available == {"mlp.linear_forward", "mlp.mlp_forward"}
        outcome = session.call("mlp.linear_forward", (np.ones((1, 1)), np.ones((1, 1)),
                                                      np.zeros(1)), {}, scratch=True)
    assert outcome.error_type == "ImportError" and "activations" in outcome.error


def test_helper_modules_are_importable_and_do_not_shadow_libraries(sandbox, tmp_path):
    submission = folder(tmp_path, activations="""
        from helpers import double
        from .helpers import double as double2
        import json
        def relu(x):
            return double(x) + double2(x) + len(json.dumps([1]))
    """, helpers="def double(x):\n    return 2 * x\n", json="raise RuntimeError('shadowed')\n")
    with sandbox.open(submission) as session:
        assert session.load_errors == {}
        assert session.call("activations.relu", (1.0,), {}, scratch=True).value == 7.0


def test_the_grader_and_the_solutions_cannot_be_imported(sandbox, tmp_path):
    submission = folder(tmp_path, activations="""
        def relu(x):
            found = []
            for name in ("solutions", "solutions.activations", "grader.checks", "grader",
                         "grader.sandbox.child"):
                try:
                    __import__(name)
                    found.append(name)
                except ImportError:
                    pass
            return found
    """)
    with sandbox.open(submission) as session:
        assert session.call("activations.relu", (1.0,), {}, scratch=True).value == []


@pytest.mark.parametrize("as_file", [False, True], ids=["folder", "file"])
@pytest.mark.parametrize("style", [
    "from activations import relu",
    "from .activations import relu",
    "from exercises.activations import relu",
    "import exercises.activations\nrelu = exercises.activations.relu",
])
def test_contract_modules_the_submission_lacks_are_placeholders(sandbox, tmp_path, style,
                                                                as_file):
    source = style + "\ndef mlp_forward(x, params, activation='relu'):\n    return relu(x)\n"
    submission = single_file(tmp_path, source, name="mlp.py") if as_file \
        else folder(tmp_path, mlp=source)
    with sandbox.open(submission) as session:
        assert session.load_errors == {} and session.available == {"mlp.mlp_forward"}
        answered = session.call("mlp.mlp_forward", (np.array([-1.0, 2.0]), {}), {},
                                scratch=True, callees={"activations.relu": reference_relu})
        alone = session.call("mlp.mlp_forward", (np.array([-1.0, 2.0]), {}), {},
                             scratch=True)
    assert answered.value.tolist() == [0.0, 2.0]
    assert answered.callees_used == ("activations.relu",)
    assert alone.error_type == "ImportError"
    assert "activations.py is not in the submission" in alone.error


def reference_relu(x):
    return np.maximum(x, 0)


def test_the_child_gets_source_text_and_reads_no_other_file(sandbox, tmp_path):
    classmate = tmp_path / "classmate"
    classmate.mkdir()
    (classmate / "activations.py").write_text("ANSWER = 42\n")
    (tmp_path / "notes.txt").write_text("private")
    submission = folder(tmp_path, activations="""
        import importlib, os, sys
        from helpers import double
        def relu(paths):
            found = {}
            for path in paths:
                try:
                    os.close(os.open(path, os.O_RDONLY))
                    found[path] = "opened"
                except OSError as error:
                    found[path] = type(error).__name__
            return found
        def sigmoid(names):
            for name in names:
                if "." not in name:  # the standard library's: imported again, from its files
                    sys.modules.pop(name, None)
                importlib.import_module(name)
            return double(len(names))
    """, helpers="def double(x):\n    return 2 * x\n")
    repo = Path(__file__).resolve().parents[2]
    paths = [submission.root / "activations.py", submission.root, classmate / "activations.py",
             tmp_path / "notes.txt", "/tmp", repo / ".git" / "HEAD", repo / "README.md",
             repo / "tests" / "adversarial" / "_honest" / "losses.py", "/etc/shadow", "/root",
             "/home"]
    paths = [str(p) for p in paths if os.path.exists(p)]
    modules = ["fractions", "decimal", "json", "sqlite3", "statistics", "zoneinfo",
               "numpy.polynomial", "torch.nn.functional", "torch.nn.utils.prune"]
    with sandbox.open(submission) as session:
        assert session.load_errors == {}
        found = session.call("activations.relu", (paths,), {}, scratch=False).value
        imported = session.call("activations.sigmoid", (modules,), {}, scratch=False)
    assert found == dict.fromkeys(paths, "PermissionError")
    assert imported.error == "" and imported.value == 2 * len(modules)


def test_a_single_file_does_not_bring_its_neighbours(sandbox, tmp_path):
    (tmp_path / "classmate.py").write_text("ANSWER = 42\n")
    submission = single_file(tmp_path, """
        def relu(x):
            import classmate
            return classmate.ANSWER
    """)
    with sandbox.open(submission) as session:
        outcome = session.call("activations.relu", (1.0,), {}, scratch=False)
    assert outcome.error_type == "ModuleNotFoundError"


@pytest.mark.parametrize("cells, printed", [
    (("print('cell 1')", "print('cell 2 crashes')\nimport os\nos._exit(3)", "print('cell 3')"),
     "cell 1\ncell 2 crashes\ncell 3\n"),
    (("print('a' * 150)", "import ctypes\nctypes.string_at(0)", "print('b' * 100)"),
     "a" * 150 + "\n" + "b" * 49 + "\n... [truncated]"),
    (("print('x' * 10000)", "print('after')"), "x" * 200 + "\n... [truncated]"),
], ids=["once", "cut", "flood"])
def test_load_output_is_what_the_units_printed_once(sandbox, tmp_path, cells, printed):
    assert LIMITS.output_chars == 200
    with sandbox.open(notebook(tmp_path, *cells)) as session:
        assert session.load_output == printed
