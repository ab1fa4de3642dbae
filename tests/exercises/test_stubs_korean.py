"""The stubs of a bundle released in Korean: every docstring and every raise message is
Korean (from the catalog, the notebooks' source too), and every translated worked example
still passes as a doctest on the reference solutions; in English nothing changes."""

from __future__ import annotations

import ast
import doctest
import importlib
import re

import pytest

from grader.classroom import stubs
from grader.contract import MODULES

HANGUL = re.compile("[가-힣]")


def docstrings(source: str) -> dict[str, str]:
    """Name ("" for the module) -> docstring, for the module and each function."""
    tree = ast.parse(source)
    found = {"": ast.get_docstring(tree)}
    found |= {node.name: ast.get_docstring(node) for node in ast.walk(tree)
              if isinstance(node, ast.FunctionDef)}
    return found


def raise_messages(source: str) -> list[str]:
    return [node.exc.args[0].value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
            and getattr(node.exc.func, "id", "") == "NotImplementedError"]


@pytest.fixture(scope="module")
def korean() -> dict[str, str]:
    return stubs.exercise_sources("ko")


@pytest.mark.parametrize("module", list(MODULES))
def test_every_docstring_and_raise_message_is_korean(korean, module):
    source = korean[module]
    compile(source, f"{module}.py", "exec")
    untranslated = [name or "(module)" for name, text in docstrings(source).items()
                    if not text or not HANGUL.search(text)]
    assert not untranslated, f"{module}: no Korean docstring for {untranslated}: add it to grader.po"
    messages = raise_messages(source)
    assert len(messages) == len(MODULES[module])
    assert all(HANGUL.search(m) for m in messages), messages


@pytest.mark.parametrize("module", list(MODULES))
def test_translated_examples_pass_on_the_solutions(korean, module):
    solution = importlib.import_module(f"solutions.{module}")
    english = docstrings(stubs.exercise_sources("en")[module])
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(verbose=False)
    for name, text in docstrings(korean[module]).items():
        test = parser.get_doctest(text, dict(vars(solution)), f"{module}.{name}", None, 0)
        assert len(test.examples) == len(parser.get_examples(english[name])), \
            f"{module}.{name}: the translation lost or added an example"
        result = runner.run(test, out=lambda _text: None)
        assert result.failed == 0, f"{module}.{name}: a translated example fails on the solution"


def test_a_broken_translated_example_is_caught():
    solution = importlib.import_module("solutions.activations")
    broken = ">>> relu(np.array([-2.0]))\narray([-2.])"
    test = doctest.DocTestParser().get_doctest(broken, dict(vars(solution)), "x", None, 0)
    assert doctest.DocTestRunner().run(test, out=lambda _text: None).failed == 1


def test_english_stubs_are_the_committed_ones_and_korean_ones_differ_only_in_words(korean):
    english = stubs.exercise_sources("en")
    assert stubs.exercise_sources() == english
    for module in MODULES:
        assert not HANGUL.search(english[module].split('"""')[-1])   # code after the docstrings
        code = [ast.dump(node) for node in ast.parse(korean[module]).body[1:]
                if not isinstance(node, ast.FunctionDef)]
        assert code == [ast.dump(node) for node in ast.parse(english[module]).body[1:]
                        if not isinstance(node, ast.FunctionDef)]
        assert [n.name for n in ast.parse(korean[module]).body if isinstance(n, ast.FunctionDef)] \
            == list(MODULES[module])


def test_release_writes_korean_stubs_and_english_on_request(tmp_path):
    from grader.classroom.release import build_release

    build_release(tmp_path / "ko", lang="ko")
    build_release(tmp_path / "en", lang="en")
    relu_ko = (tmp_path / "ko" / "exercises" / "activations.py").read_text(encoding="utf-8")
    relu_en = (tmp_path / "en" / "exercises" / "activations.py").read_text(encoding="utf-8")
    assert "relu 함수를 구현하세요" in relu_ko and "원소별로" in relu_ko
    assert "implement relu: see the docstring" in relu_en and "elementwise" in relu_en
    assert HANGUL.search((tmp_path / "ko" / "exercises" / "__init__.py").read_text())


def test_korean_notebook_code_cells_are_korean_too(tmp_path):
    import nbformat

    from grader.classroom.notebooks import METADATA_KEY
    from grader.classroom.release import build_release

    build_release(tmp_path, lang="ko")
    for module in MODULES:
        notebook = nbformat.read(tmp_path / "notebooks" / f"{module}.ipynb", as_version=4)
        cells = [c for c in notebook.cells if METADATA_KEY in c.metadata]
        assert len(cells) == len(MODULES[module])
        for cell in cells:
            (node,) = ast.parse(cell.source).body
            assert HANGUL.search(ast.get_docstring(node)), cell.source
            assert all(HANGUL.search(m) for m in raise_messages(cell.source)), cell.source
