"""A kernel's namespace as a submission: each graded function's definition from its cell,
with what it uses (imports, helpers, constants and tables of them), nothing else run."""

from __future__ import annotations

import linecache

import numpy as np

from grader.submission.kernel import kernel_submission


def cell(namespace: dict, name: str, source: str) -> None:
    """Run ``source`` as IPython runs a cell: compiled under a name the line cache holds."""
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    exec(compile(source, name, "exec"), namespace)


def test_definitions_and_what_they_use(tmp_path):
    namespace = {"__name__": "__main__"}
    cell(namespace, "/tmp/ipykernel_1/a.py", "import numpy as np\nfrom numpy import maximum\n")
    cell(namespace, "/tmp/ipykernel_1/b.py",
         "def _act(z):\n    return maximum(z, 0)\n\nTABLE = {'relu': (_act, 2)}\n"
         "LIMIT: float = 0.0\n\n"
         "def mlp_forward(x: np.ndarray, params, activation='relu'):\n"
         "    return TABLE[activation][0](x) + LIMIT * np.pi\n"
         "print('a test line')\nmlp_forward(np.ones(2), {})\n")
    units = kernel_submission(namespace, ["mlp.mlp_forward"]).units
    names = [u.name for u in units]
    assert names == ["the notebook's imports", 'cell "def _act(z):"', "the notebook's values"]
    imports, definitions, values = (u.source for u in units)
    assert set(imports.splitlines()) == {"import numpy as np",
                                         "from numpy import maximum as maximum"}
    lines = definitions.splitlines()
    assert lines[0] == "def _act(z):" and lines[6] == \
        "def mlp_forward(x: np.ndarray, params, activation='relu'):"
    assert "print" not in definitions and "TABLE" not in lines[3]   # only the definitions
    assert set(values.splitlines()) == {"TABLE = {'relu': (_act, 2)}", "LIMIT = 0.0"}
    scope: dict = {}
    for unit in units:   # what the sandbox would run rebuilds a working function
        exec(unit.source, scope)
    assert scope["mlp_forward"](np.array([-1.0, 2.0]), {}).tolist() == [0.0, 2.0]


def test_what_is_not_the_notebooks_is_left_out():
    namespace = {"__name__": "__main__", "relu": np.abs, "sigmoid": lambda x: x}
    namespace["tanh"] = type("Sneaky", (), {"__call__": lambda self, x: x})()
    units = kernel_submission(namespace, ["activations.relu", "activations.sigmoid",
                                          "activations.tanh", "activations.softmax"]).units
    assert units == ()   # a builtin, a lambda without a cell, an object: none is read
