"""The exercises are the solutions' stubs: generated, in sync, and free of solution code."""

import ast
import doctest
import importlib
import inspect
from pathlib import Path

import pytest

from grader.classroom import stubs
from grader.contract import MODULES

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"
#: What a stub may import: numpy everywhere, typing helpers, and torch where torch is the point.
ALLOWED_IMPORTS = {"numpy", "collections.abc", "typing"}


def public_functions(module) -> dict:
    return {
        name: obj for name, obj in vars(module).items()
        if inspect.isfunction(obj) and obj.__module__ == module.__name__
        and not name.startswith("_")
    }


@pytest.mark.parametrize("module", MODULES)
def test_every_stub_raises_not_implemented(module):
    exercises = importlib.import_module(f"exercises.{module}")
    for name in MODULES[module]:
        function = getattr(exercises, name)
        required = [p for p in inspect.signature(function).parameters.values()
                    if p.default is p.empty]
        with pytest.raises(NotImplementedError, match=name):
            function(*[None] * len(required))


@pytest.mark.parametrize("module", MODULES)
def test_stubs_and_solutions_agree_on_names_signatures_and_docstrings(module):
    exercises = importlib.import_module(f"exercises.{module}")
    solutions = importlib.import_module(f"solutions.{module}")
    stub_functions, solution_functions = public_functions(exercises), public_functions(solutions)
    assert set(stub_functions) == set(solution_functions) == set(MODULES[module])
    assert exercises.__doc__ == solutions.__doc__
    for name, solution in solution_functions.items():
        stub = stub_functions[name]
        assert inspect.signature(stub) == inspect.signature(solution), name
        assert stub.__doc__ == solution.__doc__, name
        assert ">>>" in solution.__doc__, f"{name}: a worked example"


def test_committed_exercises_are_the_generated_stubs():
    for module, source in stubs.exercise_sources().items():
        committed = (EXERCISES / f"{module}.py").read_text(encoding="utf-8")
        assert committed == source, (
            f"exercises/{module}.py drifted from solutions/{module}.py: "
            "edit the solution, then run `python -m grader.classroom.stubs`"
        )


@pytest.mark.parametrize("module", MODULES)
def test_no_solution_code_in_the_exercises(module):
    source = (EXERCISES / f"{module}.py").read_text(encoding="utf-8")
    assert "SOLUTION" not in source
    tree = ast.parse(source)
    allowed = ALLOWED_IMPORTS | ({"torch"} if module == "torch_api" else set())
    for node in tree.body:
        if isinstance(node, ast.Import):
            assert {alias.name for alias in node.names} <= allowed
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module in allowed, ast.unparse(node)
        elif isinstance(node, ast.FunctionDef):
            docstring, *rest = node.body
            assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
            assert len(rest) == 1 and isinstance(rest[0], ast.Raise), node.name
            assert ast.unparse(rest[0].exc).startswith("NotImplementedError("), node.name
        else:
            assert node is tree.body[0] and isinstance(node, ast.Expr), ast.unparse(node)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_hold_for_the_solutions(module):
    solutions = importlib.import_module(f"solutions.{module}")
    result = doctest.testmod(solutions, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


SOLUTION = '''\
"""A module."""

import numpy as np

# BEGIN SOLUTION
from .helpers import magic
# END SOLUTION


def f(x: np.ndarray) -> np.ndarray:
    """Double x."""
    y = np.asarray(x)
    # BEGIN SOLUTION
    return magic(2 * y)
    # END SOLUTION


class Model:
    def g(self):
        """Nested."""
        def inner():
            # BEGIN SOLUTION
            return 1
            # END SOLUTION
        return inner()

# BEGIN SOLUTION


def _helper():
    return 3
# END SOLUTION
'''

STUB = '''\
"""A module."""

import numpy as np


def f(x: np.ndarray) -> np.ndarray:
    """Double x."""
    y = np.asarray(x)
    raise NotImplementedError("implement f: see the docstring")


class Model:
    def g(self):
        """Nested."""
        def inner():
            raise NotImplementedError("implement inner: see the docstring")
        return inner()
'''


def test_stub_source_replaces_function_regions_and_drops_module_regions():
    assert stubs.stub_source(SOLUTION) == STUB
    assert stubs.stub_source(STUB) == STUB


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    # BEGIN SOLUTION\n    return 1\n",
        "def f():\n    return 1\n    # END SOLUTION\n",
        "def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n",
        "if True:\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION\n",
    ],
    ids=["unclosed", "unopened", "nested", "indented outside a function"],
)
def test_stub_source_rejects_malformed_markers(source):
    with pytest.raises(ValueError):
        stubs.stub_source(source)


def test_command_line_writes_an_importable_package(tmp_path):
    stubs.main([str(tmp_path / "bundle")])
    written = {p.name for p in (tmp_path / "bundle").iterdir()}
    assert written == {"__init__.py"} | {f"{m}.py" for m in MODULES}
    for module, source in stubs.exercise_sources().items():
        assert (tmp_path / "bundle" / f"{module}.py").read_text(encoding="utf-8") == source
        compile(source, f"{module}.py", "exec")
