"""One lesson, one test, and hints true when a test's failures are mixed (issue 21): real
sandboxes, real oracles, small submissions of well-known implementations."""

from __future__ import annotations

import re

import pytest

from grader.grading import Grader, Options
from grader.report.model import PASSED
from grader.sandbox import Limits
from grader.submission import load
from tests.test_grading import solutions_copy

IN_PLACE_NUMERICAL_GRADIENT = '''
def numerical_gradient(f, x, h=1e-5):
    """CS231n's eval_numerical_gradient: x[i] nudged in x's own dtype, then restored."""
    x = x.copy()
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        plus = f(x)
        x[ix] = old - h
        minus = f(x)
        x[ix] = old
        grad[ix] = (plus - minus) / (2 * h)
        it.iternext()
    return grad
'''

VERBOSE_BEFORE_H = '''
def numerical_gradient(f, x, verbose=False, h=1e-5):
    x = x.astype(np.float64)
    grad = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[k] = h
        grad[k] = (f(x + step) - f(x - step)) / (2 * h)
    return grad
'''

MEAN_ONLY_CLASS_INDICES = '''
def cross_entropy_loss(logits, target, reduction="mean"):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction)
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(logits)), target]))
'''

SCIPY_SOFTMAX = '''
def softmax(x, axis=None):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
'''


@pytest.fixture(scope="module")
def grader():
    with Grader(Options(seed=3, limits=Limits(call_seconds=20, load_seconds=30))) as grader:
        yield grader


def graded(grader, folder, only, **overrides):
    report = grader.grade(load(solutions_copy(folder, **overrides)), only)
    return {t.label: t for t in report.tests}


def lost(tests) -> set[str]:
    return {label for label, t in tests.items() if t.status != PASSED}


def test_in_place_float32_loses_only_the_float32_test_and_is_told_why(grader, tmp_path):
    tests = graded(grader, tmp_path / "s", "mlp.numerical_gradient", mlp=IN_PLACE_NUMERICAL_GRADIENT)
    assert lost(tests) == {"float32 x, computed in float64"}
    failed = tests["float32 x, computed in float64"]
    assert failed.points == 0 and sum(t.points for t in tests.values()) == 4
    assert "float32" in failed.message and "float64 copy" in failed.message
    assert failed.diagnosis.startswith("mistake:mlp.numerical_gradient:")
    assert any("float32" in value for value in failed.example.inputs.values())


def test_an_h_in_third_place_is_tested(grader, tmp_path):
    tests = graded(grader, tmp_path / "s", "mlp.numerical_gradient", mlp=VERBOSE_BEFORE_H)
    assert lost(tests) == {"given h, in third place"}
    assert "argument 3" in tests["given h, in third place"].example.inputs["h"]


def test_ignored_reduction_is_named_with_the_raising_cases_apart(grader, tmp_path):
    tests = graded(grader, tmp_path / "s", "losses.cross_entropy_loss",
                   losses=MEAN_ONLY_CLASS_INDICES)
    message = tests["reduction='sum'"].message
    assert "The reduction argument was ignored" in message, message
    assert "(class indices)" in message and "(class probabilities)" in message, message
    assert "IndexError" in message, message
    assert "neither" not in message, message
    identifier = tests["reduction='sum'"].diagnosis
    assert "values~mistake:losses.cross_entropy_loss:0" in identifier, identifier
    assert "raised~outcome:raised:IndexError" in identifier, identifier


def test_scipy_default_axis_is_told_about_the_default(grader, tmp_path):
    tests = graded(grader, tmp_path / "s", "activations.softmax", activations=SCIPY_SOFTMAX)
    assert lost(tests) >= {"logits (N, C), default axis", "default axis of 1-D and 3-D logits"}
    assert "axis=0" not in lost(tests)
    for label in lost(tests):
        assert "default" in tests[label].message and "axis=-1" in tests[label].message
        assert "np.sum(..., axis=axis" not in tests[label].message


def test_counts_agree_and_scalars_have_no_index(grader, tmp_path):
    tests = graded(grader, tmp_path / "s", ["losses", "mlp.numerical_gradient"],
                   losses=MEAN_ONLY_CLASS_INDICES, mlp=IN_PLACE_NUMERICAL_GRADIENT)
    for t in tests.values():
        assert not re.search(r"\b1 failing cases\b|index \[\]|index \(\)", t.message), t.message


TRANSPOSED_LINEAR = '''
def linear_forward(x, W, b):
    return W @ x + b
'''

SOFTMAX_WITHOUT_KEEPDIMS = '''
def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis))
    return e / np.sum(e, axis=axis, keepdims=True)
'''


def test_an_exception_from_a_transposed_operand_is_explained(grader, tmp_path):
    """Every case raises numpy's matmul error: the student sees it and its cause."""
    tests = graded(grader, tmp_path / "s", "mlp.linear_forward", mlp=TRANSPOSED_LINEAR)
    assert lost(tests)
    for label in lost(tests):
        message = tests[label].message
        assert "ValueError: matmul" in message, message
        assert "same error as W @ x" in message and "x @ W + b" in message, message
        assert tests[label].diagnosis == "raised-variant:operand-order"


def test_an_exception_from_a_dropped_keepdims_is_explained(grader, tmp_path):
    tests = graded(grader, tmp_path / "s", "activations.softmax",
                   activations=SOFTMAX_WITHOUT_KEEPDIMS)
    raising = [t for label, t in tests.items() if label in lost(tests) and "ValueError" in t.message]
    assert raising
    for t in raising:
        assert "keepdims=True" in t.message and "could not be broadcast" in t.message, t.message
        assert "raised-variant:keepdims" in t.diagnosis
