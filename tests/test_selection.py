"""``grader.selection``: modules, module.function and bare names resolve in grading order."""

from __future__ import annotations

import pytest

from grader.checks import CHECK
from grader.contract import FUNCTIONS, MODULES
from grader.i18n import set_language
from grader.selection import EVERYTHING, SelectionError, select


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language(None)


def test_nothing_selects_everything():
    assert select(None) is EVERYTHING and EVERYTHING.functions == FUNCTIONS
    assert select(",".join(MODULES)) is EVERYTHING and not EVERYTHING.names


def test_a_module_a_function_and_a_bare_name_in_grading_order():
    selection = select("losses.mse,activations, relu_grad")
    expected = [f"activations.{f}" for f in MODULES["activations"]] + ["losses.mse"]
    assert list(selection.functions) == expected
    assert selection.names == ("losses.mse", "activations", "activations.relu_grad")


def test_an_iterable_of_names_is_the_same_as_commas():
    assert select(["activations.relu", "losses"]) == select("activations.relu,losses")
    assert sum(CHECK[f].points for f in select("losses").functions) == \
        sum(CHECK[f"losses.{f}"].points for f in MODULES["losses"])


@pytest.mark.parametrize("names, says", [
    ("activ", "did you mean activations?"),
    ("frobnicate", "give a module (activations, linear_regression, mlp, losses, torch_api)"),
    ("activations.rleu", "activations has relu, sigmoid, tanh"),
    ("relu,,losses", "empty name"),
    ("", "empty name"),
])
def test_an_unknown_or_empty_name_is_one_line_listing_valid_names(names, says):
    with pytest.raises(SelectionError) as error:
        select(names)
    assert says in str(error.value) and "\n" not in str(error.value)
