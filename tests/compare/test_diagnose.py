"""Every diagnosis, triggered by a realistic buggy result, in English and in Korean."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from grader.cases import Call, Sizes
from grader.checks import CHECK
from grader.checks.spec import Check
from grader.compare.claims import Failure
from grader.compare.diagnose import argument_names, diagnose, diagnose_outcome, explain
from grader.compare.expect import expect
from grader.compare.verdict import Raises, compare
from grader.i18n import set_language
from grader.sandbox import CallOutcome, Limits, Refused, Sandbox
from grader.submission import load

SIZES = Sizes(N=4, D=3, H=5, C=6, O=7)
RNG = np.random.default_rng(0)


@pytest.fixture(params=["en", "ko"])
def lang(request):
    set_language(request.param)
    yield request.param
    set_language(None)


def check(nonfinite_hint: str = "") -> Check:
    """A check with no declared mistakes: only the generic diagnoses apply."""
    return Check("module.function", torch=lambda *a: None, tests=(), nonfinite_hint=nonfinite_hint)


def hint(got, expected, call=Call((), {}, SIZES), names=("x",), on=None) -> str:
    """The diagnosis of ``got`` against ``expected`` (the case must fail)."""
    on = on or check()
    verdict = compare(got, expected, on.tolerance)
    assert not verdict.ok
    return diagnose(on, call, got, expected, verdict, arg_names=names)


def explained(cases, names=("x",), on=None):
    """The explanation of several failing cases ``(got, expected, call)``; the last is shown."""
    on = on or check()
    failures = []
    for got, expected, call in cases:
        verdict = compare(got, expected, on.tolerance)
        assert not verdict.ok
        failures.append(Failure(call, got, expected, verdict))
    return explain(on, failures, failures[-1], arg_names=names)


def says(message: str, lang: str, en: str, ko: str) -> None:
    assert (en if lang == "en" else ko) in message, message


# Shapes -------------------------------------------------------------------------------------

def test_transposed(lang):
    x, W = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 7))
    message = hint((x @ W).T, x @ W)
    says(message, lang, "(7, 4) but should have (4, 7)", "(7, 4)입니다. 올바른 모양은 (4, 7)")
    says(message, lang, "transposed", "행렬 전치")


def test_column_instead_of_vector(lang):
    x = RNG.normal(size=(4, 3))
    says(hint(x.sum(axis=1, keepdims=True), x.sum(axis=1)), lang, "keepdims", "keepdims")


def test_reduced_an_axis_that_should_stay(lang):
    x = RNG.normal(size=(4, 3))
    says(hint(x.sum(axis=1), x), lang, "an axis is missing", "축 하나가 빠졌습니다")


def test_array_where_a_number_is_expected(lang):
    y, y_hat = RNG.normal(size=4), RNG.normal(size=4)
    says(hint((y - y_hat) ** 2, float(np.mean((y - y_hat) ** 2))), lang,
         "where a single number is expected", "수 하나가 나와야")


def test_tuple_and_dict_expected(lang):
    says(hint(np.zeros(2), (1.0, 2.0)), lang, "tuple of 2 values", "값 2개로 이루어진 튜플")
    says(hint([1.0], {"W1": np.ones(2)}), lang, "keys W1", "W1 키를 가진 딕셔너리")


# Values -------------------------------------------------------------------------------------

def mse_case(n, d):
    y, y_hat = RNG.normal(size=(n, d)), RNG.normal(size=(n, d))
    return Call((y, y_hat), {}, Sizes(N=n, D=d, H=9, C=10, O=11)), float(np.sum((y - y_hat) ** 2))


def test_averaged_over_the_wrong_count(lang):
    (a, sa), (b, sb) = mse_case(4, 3), mse_case(2, 5)
    too_small = explained([(sa / 12, sa / 4, a), (sb / 10, sb / 2, b)])
    says(too_small.message, lang, "divided by D on every failing case (D = 5",
         "기댓값보다 D배 작습니다 (보여 준 예에서 D = 5")
    assert too_small.id == "factor:1/D@" and too_small.cause
    too_large = explained([(sa, sa / 12, a), (sb, sb / 10, b)])
    says(too_large.message, lang, "N·D times the expected one on every failing case (N·D = 10",
         "N·D배입니다 (보여 준 예에서 N·D = 10")
    assert too_large.id == "factor:N·D@"


def test_a_law_read_off_one_case_is_not_a_finding(lang):
    """One case, or cases of one size, cannot tell a count from a constant."""
    a, sa = mse_case(4, 3)
    one = explained([(sa / 12, sa / 4, a)])
    assert one.id.startswith("ratio:") and not one.cause
    says(one.message, lang, "0.333333 times the expected one on every failing case (a constant ratio)",
         "0.333333배입니다 (일정한 비율)")
    (b, sb), (c, sc) = mse_case(4, 5), mse_case(6, 3)
    # (N/2)x the truth: N = 4 and N = 6 give 2 and 3; a constant 2 is not claimed
    law = explained([(2 * sb, sb, b), (3 * sc, sc, c)])
    assert law.id == "factor:N/2@" and law.cause


def test_factor_two(lang):
    x, y = RNG.normal(size=5), RNG.normal(size=5)
    residual = float(np.mean(x * (y - 0.5 * x)))
    call = Call((x, y, 0.5, 0.0), {}, Sizes(5, 3, 4, 6, 7))
    squared = Check("module.function", torch=lambda *a: None, tests=(), squared_residual=True,
                    derivatives="")
    says(hint(-residual, -2 * residual, call, on=squared), lang, "exactly 1/2 times", "정확히 1/2배")
    says(hint(-residual, -2 * residual, call, on=squared), lang, "constant 2", "상수 2")
    plain = hint(-residual, -2 * residual, call)
    says(plain, lang, "a factor 2 too many or too few", "2를 한 번 더 곱했거나 빠뜨린")
    assert "square" not in plain and "제곱" not in plain


def test_the_derivative_of_a_square_only_where_the_result_is_a_derivative(lang):
    """A halved loss beside right gradients is not told about the derivative of a square."""
    loss_and_grad = Check("module.function", torch=lambda *a: None, tests=(),
                          squared_residual=True, derivatives="[1]")
    grad = np.array([0.5, -1.5])
    halved_loss = hint((1.0, grad), (2.0, grad), Call((grad,), {}, SIZES), on=loss_and_grad)
    says(halved_loss, lang, "a factor 2 too many or too few", "2를 한 번 더 곱했거나 빠뜨린")
    assert "square" not in halved_loss and "제곱" not in halved_loss
    halved_grad = hint((2.0, grad / 2), (2.0, grad), Call((grad,), {}, SIZES), on=loss_and_grad)
    says(halved_grad, lang, "constant 2", "상수 2")


def test_flipped_sign(lang):
    x, y = RNG.normal(size=5), RNG.normal(size=5)
    db = -2 * float(np.mean(y - 0.5 * x))
    message = hint((0.1, -db), (0.1, db), Call((x, y, 0.5, 0.0), {}, SIZES))
    says(message, lang, "opposite sign", "부호가 반대")
    assert "(y - ŷ)²" not in message     # only where a squared residual is involved
    squared = Check("module.function", torch=lambda *a: None, tests=(), squared_residual=True,
                    derivatives="")
    assert "(y - ŷ)²" in hint((0.1, -db), (0.1, db), Call((x, y, 0.5, 0.0), {}, SIZES), on=squared)


def test_derivative_wrong_exactly_at_zero(lang):
    x = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
    message = hint((x >= 0).astype(float), (x > 0).astype(float), Call((x,), {}, SIZES))
    says(message, lang, "only where x is exactly 0 (you give 1, expected 0)",
         "x 값이 정확히 0인 곳에서만 틀렸습니다 (결과 1, 기댓값 0)")


def test_overflow_names_the_input_element(lang):
    x = np.array([[0.5, 1000.0], [-2.0, 3.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    message = hint(naive, np.tanh(x), Call((x,), {}, SIZES))
    says(message, lang, "The nan comes from the input x[0, 1] = 1000",
         "nan 값은 입력 x[0, 1] = 1000에서 나왔습니다")
    says(message, lang, "numerically stable", "수치적으로 안정적인")


def test_overflow_names_the_row(lang):
    x = np.array([[1.0, 2.0], [1e4, -3.0]])
    with np.errstate(over="ignore"):
        naive = np.log(np.exp(x).sum(axis=1))
    top = x.max(axis=1)
    message = hint(naive, top + np.log(np.exp(x - top[:, None]).sum(axis=1)),
                   Call((x,), {}, SIZES), names=("logits",))
    says(message, lang, "The inf comes from row 1 of logits, which reaches 10000",
         "inf 값은 logits의 1번 행에서 나왔습니다. 그 행에는 절댓값이 10000")


def test_overflow_names_the_largest_input_with_the_checks_hint(lang):
    logits, target = np.array([[1e4, 0.0, -1e4]]), np.array([1])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        naive = float(-np.log(np.exp(logits) / np.exp(logits).sum())[0, 1])
    hinted = check(nonfinite_hint="Look for an exp, a log or a division that overflows for "
                   "large inputs, and use a numerically stable formulation.")
    message = hint(naive, 1e4, Call((logits, target), {}, SIZES), ("logits", "target"), hinted)
    says(message, lang, "The inf comes from large inputs: logits holds values as large as 10000",
         "inf 값은 큰 입력에서 나왔습니다: 실패한 모든 경우에서 logits에 절댓값이 10000")
    says(message, lang, "numerically stable", "수치적으로 안정적인")


def test_zero_log_zero(lang):
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    y_hat = np.array([[0.0, 0.7, 0.3], [0.5, 0.5, 0.0]])
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = float(-np.sum(y * np.log(y_hat)) / 2)
    correct = float(-(np.log(0.7) + np.log(0.5)) / 2)
    message = hint(naive, correct, Call((y, y_hat), {}, SIZES), ("y", "y_hat"))
    says(message, lang, "where y and y_hat are both 0", "y, y_hat 모두 0인 곳")
    says(message, lang, "0·log 0 counts as 0", "0·log 0 항은 0으로 칩니다")


def test_off_by_one_history(lang):
    losses = [3.0, 2.0, 1.5]
    says(hint((0.5, 0.1, losses + [1.2]), (0.5, 0.1, losses)), lang,
         "4 entries but should have 3", "결과의 항목은 4개인데 3개여야")


# Exceptions and refused values --------------------------------------------------------------

def test_invalid_argument_must_raise(lang):
    says(hint(1.0, Raises("ValueError")), lang, "must raise ValueError", "ValueError 예외를 발생")
    says(hint(Raises("KeyError"), Raises("ValueError")), lang,
         "must raise ValueError, not KeyError", "KeyError 대신 ValueError")


def test_refused_inside_a_result(lang):
    got = (Refused("MyFloat", "a float subclass"), 1.0)
    says(hint(got, (2.0, 1.0)), lang, "returned a MyFloat (a float subclass)", "MyFloat 값을 반환")


def test_a_plain_wrong_value_is_described(lang):
    message = hint(np.array([1.0, 5.0, 3.0]), np.array([2.0, 3.0, 3.0]))
    says(message, lang, "2 of 3 values differ", "값 3개 중 2개가 다릅니다")
    says(message, lang, "neither a constant ratio nor a constant offset", "일정한 비율도 일정한 차이도 아닙니다")
    assert len(re.findall(r"\d+(?:\.\d+)?", message)) <= 2, message   # at most two numbers


# Outcomes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("outcome, en, ko", [
    (CallOutcome(fault="timeout", fault_detail="exceeded 10 s"),
     "Time limit exceeded (exceeded 10 s)", "시간 제한을 넘었습니다 (exceeded 10 s)"),
    (CallOutcome(fault="memory"), "Memory limit exceeded", "메모리 제한"),
    (CallOutcome(error_type="MemoryError", error="MemoryError"), "Memory limit exceeded", "메모리 제한"),
    (CallOutcome(fault="crash", fault_detail="killed by signal 11 (SIGSEGV)"),
     "crashed while running your function (killed by signal 11", "비정상 종료"),
    (CallOutcome(fault="exit", fault_detail="exit code 3"), "sys.exit()", "sys.exit()"),
    (CallOutcome(fault="protocol", fault_detail="result too large"),
     "could not be read back (result too large)", "읽어 올 수 없습니다"),
    (CallOutcome(error_type="NotImplementedError", error="NotImplementedError: write relu"),
     "Not implemented yet", "아직 구현되지 않았습니다"),
    (CallOutcome(value=1.0, forbidden=("torch.tensor",)),
     "Uses torch.tensor", "라이브러리를 사용했습니다 (torch.tensor)"),
    (CallOutcome(error_type="ValueError", error="ValueError: bad reduction (losses.py, line 3)"),
     "raised an exception: ValueError: bad reduction (losses.py, line 3)",
     "예외가 발생했습니다: ValueError: bad reduction"),
    (CallOutcome(value=np.zeros(2), mutated=("1", "reduction")),
     "modified the argument y_hat, reduction in place",
     "인자 y_hat, reduction의 값을 제자리에서"),
    (CallOutcome(value=Refused("ndarray subclass Tricky", "subclasses are not accepted")),
     "returned a ndarray subclass Tricky", "ndarray subclass Tricky 값을 반환"),
])
def test_outcome(lang, outcome, en, ko):
    says(diagnose_outcome(outcome, arg_names=("y", "y_hat")), lang, en, ko)


def test_outcome_argument_without_a_name(lang):
    message = diagnose_outcome(CallOutcome(value=0.0, mutated=("2",)), arg_names=("y",))
    says(message, lang, "the argument arg2 in place", "인자 arg2의 값을")


def test_torch_allowed_where_it_is_the_point():
    assert diagnose_outcome(CallOutcome(value=1.0, forbidden=("torch",)), policy_exempt=True) == ""
    assert diagnose_outcome(CallOutcome(value=1.0)) == ""


# Buggy implementations against the real checks ----------------------------------------------

def diagnoses(function: str, buggy, seed: int = 1) -> list[str]:
    """What the grader says about ``buggy`` on each failing test of ``function``: the
    explanation of all its failing cases, the first one shown."""
    on = CHECK[function]
    said = []
    for test in on.tests:
        failures = []
        for call in test.draw(seed, function):
            expected = expect(on, call)
            assert not expected.internal
            try:
                got = buggy(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))
            except Exception as error:  # what the student's code raised: a result like any other
                got = error
            verdict = compare(got, expected.value, test.tolerance or on.tolerance)
            if not verdict.ok:
                failures.append(Failure(call, got, expected.value, verdict))
        if failures:
            said.append(explain(on, failures, failures[0]).message)
    assert said, f"the buggy {function} passed"
    return said


def any_says(messages: list[str], lang: str, en: str, ko: str) -> None:
    part = en if lang == "en" else ko
    assert any(part in m for m in messages), messages


def naive_tanh(x):
    with np.errstate(over="ignore", invalid="ignore"):
        return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def naive_cross_entropy_loss(logits, target, reduction="mean"):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        rows = -np.log(p[np.arange(len(p)), target] if target.ndim == 1 else p)
    rows = rows if target.ndim == 1 else np.sum(target * rows, axis=1)
    return {"mean": float(np.mean(rows)), "sum": float(np.sum(rows)), "none": rows}[reduction]


def naive_cross_entropy(y, y_hat):
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(y * np.log(y_hat)) / len(y))


def gradients_without_2(x, y, w, b):
    residual = y - (w * x + b)
    return float(-np.mean(x * residual)), float(-np.mean(residual))


def gradients_dw_flipped(x, y, w, b):
    residual = y - (w * x + b)
    return float(2 * np.mean(x * residual)), float(-2 * np.mean(residual))


def descend(x, y, lr=0.1, steps=100, w0=0.0, b0=0.0):
    """Gradient descent; the losses before every update and after the last one."""
    w, b, losses = w0, b0, []
    for _ in range(steps):
        residual = y - (w * x + b)
        losses.append(float(np.mean(residual**2)))
        w, b = w + lr * 2 * np.mean(x * residual), b + lr * 2 * np.mean(residual)
    return w, b, losses + [float(np.mean((y - (w * x + b)) ** 2))]


def fit_from_zero(x, y, lr=0.1, steps=100, w0=0.0, b0=0.0):
    w, b, losses = descend(x, y, lr, steps)
    return w, b, losses[:-1]


def fit_recording_after(x, y, lr=0.1, steps=100, w0=0.0, b0=0.0):
    w, b, losses = descend(x, y, lr, steps, w0, b0)
    return w, b, losses[1:]


def softmax_last_axis(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def mse_loss_never_raising(input, target, reduction="mean"):
    squared = (input - target) ** 2
    return squared if reduction == "none" else float(np.sum(squared))


def mse_loss_rows(input, target, reduction="mean"):
    squared = (input - target) ** 2
    if reduction == "none":
        return squared.mean(axis=-1)
    return float(squared.sum() if reduction == "sum" else squared.mean())


REAL = [
    ("linear_regression.predict", lambda x, w, b: (w * x + b).reshape(-1, 1),
     "keepdims", "keepdims"),
    ("mlp.linear_forward", lambda x, W, b: (x @ W + b).T, "transposed", "행렬 전치"),
    ("losses.mse", lambda y, y_hat: np.sum((y - y_hat) ** 2, axis=-1),
     "where a single number is expected", "수 하나가 나와야"),
    ("losses.mse_loss", mse_loss_rows, "an axis is missing", "축 하나가 빠졌습니다"),
    ("linear_regression.loss", lambda x, y, w, b: float(np.sum((y - (w * x + b)) ** 2)),
     "is N times the expected one", "N배입니다"),
    ("linear_regression.gradients", gradients_without_2, "constant 2", "상수 2"),
    ("linear_regression.gradients", gradients_dw_flipped, "opposite sign", "부호가 반대"),
    ("activations.relu_grad", lambda x: np.where(x > 0, 1.0, np.where(x == 0, 0.5, 0.0)),
     "Wrong only where x is exactly 0 (you give 0.5, expected 0)",
     "x 값이 정확히 0인 곳에서만 틀렸습니다 (결과 0.5, 기댓값 0)"),
    ("activations.tanh", naive_tanh, "The nan comes from the input x[", "nan 값은 입력 x["),
    ("activations.tanh", naive_tanh, "tanh overflowed", "tanh가 오버플로"),
    ("losses.cross_entropy_loss", naive_cross_entropy_loss,
     "comes from large inputs: logits holds values as large as 10000",
     "큰 입력에서 나왔습니다: 실패한 모든 경우에서 logits에 절댓값이 10000"),
    ("losses.cross_entropy", naive_cross_entropy, "where y and y_hat are both 0",
     "y, y_hat 모두 0인 곳"),
    ("linear_regression.fit", descend, "off by one", "off-by-one"),
    ("losses.mse_loss", mse_loss_never_raising, "must raise ValueError",
     "ValueError 예외를 발생시켜야"),
    # declared mistakes come first
    ("losses.mse", lambda y, y_hat: float(np.mean((y - y_hat) ** 2)),
     "This averages over all N·D", "N·D"),
    ("activations.relu_grad", lambda x: np.where(x >= 0, 1.0, 0.0), "not x >= 0", "x >= 0"),
    ("losses.gaussian_log_likelihood",
     lambda y, y_hat, var=1.0: float(np.sum(-0.5 * np.log(2 * np.pi * var**2)
                                            - (y - y_hat) ** 2 / (2 * var**2)) / len(y)),
     "used as the standard deviation", "표준편차"),
    ("losses.gaussian_log_likelihood",
     lambda y, y_hat, var=1.0: float(np.sum(-0.5 * np.log(var) - (y - y_hat) ** 2 / (2 * var))
                                     / len(y)),
     "constant term", "상수항"),
    ("activations.softmax", lambda x, axis=-1: softmax_last_axis(x), "use the axis argument",
     "axis 인자를 사용하세요"),
    ("losses.mse_loss", lambda input, target, reduction="mean": float(np.mean((input - target) ** 2)),
     "reduction argument was ignored", "reduction 인자를 무시하고"),
    ("linear_regression.fit", fit_from_zero, "start from the given w0 and b0",
     "주어진 w0와 b0에서 시작하세요"),
    ("linear_regression.fit", fit_recording_after, "the losses after each update",
     "각 갱신 후의 손실"),
]


@pytest.mark.parametrize("function, buggy, en, ko", REAL,
                         ids=[f"{f}-{en[:24]}" for f, _b, en, _k in REAL])
def test_buggy_implementation(lang, function, buggy, en, ko):
    any_says(diagnoses(function, buggy), lang, en, ko)


def test_coincidences_are_not_claimed(lang):
    """relu_grad returning 1 everywhere is not told "x > 0"; code wrong by a factor
    everywhere is not told "wrong only at 0"; a stable sigmoid wrong elsewhere is not told
    it overflowed."""
    said = diagnoses("activations.relu_grad", lambda x: np.ones_like(x))
    assert not any("x >= 0" in m or "exactly 0" in m or "정확히 0" in m for m in said), said
    said = diagnoses("activations.relu_grad", lambda x: 2.0 * (x > 0))
    assert not any("exactly 0" in m or "정확히 0" in m for m in said), said

    def stable_but_wrong(x):
        with np.errstate(all="ignore"):
            z = np.exp(np.abs(x))
            return np.where(x >= 0, 1 / (1 + 1 / z), z / (1 + z))
    said = diagnoses("activations.sigmoid", stable_but_wrong)
    assert not any("overflowed" in m or "오버플로" in m for m in said), said


def test_a_shift_by_the_global_maximum_is_named(lang):
    def global_shift(x, axis=-1):
        with np.errstate(all="ignore"):
            z = x - np.max(x)
            return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
    said = diagnoses("activations.log_softmax", global_shift)
    any_says(said, lang, "lies more than 700 below the largest value of the whole array",
             "배열 전체의 최댓값")
    assert not any("log of 0" in m for m in said), said


def test_forward_difference_is_named(lang):
    def forward(f, x, h=1e-5):
        x = x.astype(np.float64)
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            step = np.zeros_like(x)
            step[i] = h
            grad[i] = (f(x + step) - f(x)) / h
        return grad

    any_says(diagnoses("mlp.numerical_gradient", forward), lang, "forward difference", "전진 차분")


# Outcomes of buggy functions run in the sandbox ---------------------------------------------

BUGGY_LOSSES = '''
import os, sys
import numpy as np
import torch

def mse(y, y_hat):
    raise NotImplementedError("write mse")

def mse_loss(input, target, reduction="mean"):
    input -= target
    return float(np.mean(input ** 2))

def cross_entropy(y, y_hat):
    return float(torch.nn.functional.cross_entropy(torch.tensor(y_hat), torch.tensor(y)))

def cross_entropy_loss(logits, target, reduction="mean"):
    raise ValueError("shapes do not match")

def gaussian_log_likelihood(y, y_hat, var=1.0):
    while True:
        pass

def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    return np.zeros(10**11)
'''

SANDBOXED = [
    ("losses.mse", "Not implemented yet", "아직 구현되지 않았습니다"),
    ("losses.mse_loss", "modified the argument input in place", "인자 input의 값을 제자리에서"),
    ("losses.cross_entropy", "Uses torch", "라이브러리를 사용했습니다 (torch"),
    ("losses.cross_entropy_loss", "raised an exception: ValueError: shapes do not match",
     "예외가 발생했습니다: ValueError: shapes do not match"),
    ("losses.gaussian_log_likelihood", "Time limit exceeded", "시간 제한을 넘었습니다"),
    ("losses.gaussian_nll_loss", "Memory limit exceeded", "메모리 제한을 넘었습니다"),
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """What each buggy function of BUGGY_LOSSES gave on a case of its first test."""
    root = tmp_path_factory.mktemp("submission")
    (root / "losses.py").write_text(BUGGY_LOSSES)
    limits = Limits(call_seconds=1, memory_bytes=512 * 1024**2)
    with Sandbox(limits) as box, box.open(load(root)) as session:
        found = {}
        for function, _en, _ko in SANDBOXED:
            test = CHECK[function].tests[0]
            call = test.draw(1, function)[:1][0]
            found[function] = session.call(function, call.args, call.kwargs, scratch=True)
    return found


@pytest.mark.parametrize("function, en, ko", SANDBOXED)
def test_sandboxed_outcome(lang, outcomes, function, en, ko):
    names = argument_names(CHECK[function])
    says(diagnose_outcome(outcomes[function], arg_names=names), lang, en, ko)


def test_a_conditional_nonfinite_hint_is_shown_only_where_it_holds(lang):
    """gaussian_nll_loss: var = 0 and a density that underflowed each get their own hint."""
    from grader.checks.spec import Hint

    on = Check("module.function", torch=lambda *a: None, tests=(), nonfinite_hint=(
        Hint("zero var", lambda call: call.args[0] == 0), Hint("far", lambda call: call.args[0] > 9)))
    assert "zero var" in hint(np.inf, 1.0, Call((0,), {}, SIZES), on=on)
    assert "far" in hint(np.inf, 1.0, Call((10,), {}, SIZES), on=on)
    says(hint(np.inf, 1.0, Call((5,), {}, SIZES), on=on), lang, "numerically stable", "수치적으로 안정적인")


def test_the_gaussian_hints_name_the_cause_of_each_failing_case(lang):
    from tests.checks.harness import cases
    from tests.checks.test_mistakes_caught import BUGGY, nll, nll_of_density

    for function, implementation in (("losses.gaussian_nll_loss", nll_of_density),
                                     ("losses.gaussian_log_likelihood",
                                      BUGGY["losses.gaussian_log_likelihood"][-1])):
        check = CHECK[function]
        far = [(c, e) for _t, pairs in cases(function, 0) for c, e in pairs
               if c.kinds.get("residual") == "residuals of 40+ standard deviations"]
        assert far
        for call, expected in far:
            with np.errstate(all="ignore"):
                got = implementation(*call.args, **call.kwargs)
            message = diagnose(check, call, got, expected, compare(got, expected, check.tolerance))
            says(message, lang, "The density underflowed", "확률 밀도가 언더플로되었습니다")
    check = CHECK["losses.gaussian_nll_loss"]
    zero = next(p for t, p in cases(check.function, 0) if t.label == "var = 0.0, clamped to eps")
    for call, expected in zero:
        with np.errstate(all="ignore"):
            got = nll(*call.args, **call.kwargs, clamp=False)
        message = diagnose(check, call, got, expected, compare(got, expected, check.tolerance))
        says(message, lang, "var = 0 gives log 0", "var = 0")


def test_a_constant_term_off_in_every_element_is_named(lang):
    """2π -> π in the log-density: off by ½·log 2 per element, so by D·½·log 2 per case."""
    def log_pi(y, y_hat, var=1.0):
        return float(np.sum(-0.5 * np.log(np.pi * var) - (y - y_hat) ** 2 / (2 * var)) / len(y))
    said = diagnoses("losses.gaussian_log_likelihood", log_pi)
    any_says(said, lang, "for each of the D terms", "D개 항마다")


def test_a_step_left_out_of_the_division_is_named(lang):
    def without_h(f, x, h=1e-5):
        x = x.astype(np.float64)
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            step = np.zeros_like(x)
            step[i] = h
            grad[i] = (f(x + step) - f(x - step)) / 2
        return grad
    said = diagnoses("mlp.numerical_gradient", without_h)
    assert len(said) == 4 and all(("h times" if lang == "en" else "h배") in m for m in said), said


def test_mixed_failures_are_told_group_by_group(lang):
    """A test whose cases raise on one kind and return wrong values on another: each group
    gets its own hint, named by its kind, and the negatives of a neutral text are not said."""
    def mean_only(logits, target, reduction="mean"):
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(reduction)
        z = logits - logits.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-np.mean(log_p[np.arange(len(logits)), target]))
    said = diagnoses("losses.cross_entropy_loss", mean_only)
    grouped = [m for m in said if "IndexError" in m and ("(class indices)" in m or "(class indices):" in m)]
    assert grouped, said
    for message in grouped:
        says(message, lang, "The reduction argument was ignored", "reduction 인자를 무시하고")
        assert "neither" not in message and "1 failing cases" not in message


def test_wrong_keys_are_named(lang):
    got = {"W1": np.ones(2), "b1": np.ones(2), "W2": np.ones(2)}
    expected = {"W1": np.ones(2), "b1": np.ones(2), "W2": np.ones(2), "b2": np.ones(2)}
    says(hint((1.0, got), (1.0, expected)), lang, "missing b2", "빠진 키: b2")


def test_a_step_squared_is_named(lang):
    def times_2h(f, x, h=1e-5):
        x = x.astype(np.float64)
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            step = np.zeros_like(x)
            step[i] = h
            grad[i] = (f(x + step) - f(x - step)) * (2 * h)
        return grad
    said = diagnoses("mlp.numerical_gradient", times_2h)
    assert all("4h²" in m for m in said), said


def test_the_wrong_items_of_a_tuple_are_located(lang):
    """A learning rate dropped from w's update only: the hint says only result[0] is wrong."""
    said = diagnoses("linear_regression.gd_step", lambda w, b, dw, db, lr: (w - dw, b - lr * db))
    any_says(said, lang, "Only result[0] is wrong", "result[0] 항목만 틀렸습니다")
    any_says(said, lang, "(result[1]: right)", "(result[1]: 맞음)")


# -- exceptions explained by a checked variant (grader.compare.raised) -------------------------

def softmax_without_keepdims(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax_sum_without_keepdims(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis))


RAISING = [
    ("mlp.linear_forward", lambda x, W, b: W @ x + b, "same error as W @ x", "W @ x 식이 내는"),
    ("mlp.linear_forward", lambda x, W, b: np.dot(W, x) + b, "same error as np.dot(W, x)",
     "np.dot(W, x) 식이"),
    ("mlp.linear_backward", lambda dout, x, W: (np.dot(dout, W), x.T @ dout, dout.sum(axis=0)),
     "dx = dout @ W.T", "dx = dout @ W.T"),
    ("mlp.linear_backward", lambda dout, x, W: (dout @ W.T, np.dot(x, dout), dout.sum(axis=0)),
     "dW = x.T @ dout", "dW = x.T @ dout"),
    ("mlp.mlp_forward", lambda x, params, activation="relu": np.maximum(
        np.dot(params["W1"], x) + params["b1"], 0) @ params["W2"] + params["b2"],
     "the first layer computes x @ W1 + b1", "첫 번째 층은 x @ W1 + b1"),
    ("activations.softmax", softmax_without_keepdims, "keepdims=True", "keepdims=True 옵션으로"),
    ("activations.log_softmax", log_softmax_sum_without_keepdims, "keepdims=True",
     "keepdims=True 옵션으로"),
]


@pytest.mark.parametrize("function, buggy, en, ko", RAISING,
                         ids=[f"{f}-{en[:20]}" for f, _b, en, _k in RAISING])
def test_an_exception_reproduced_by_a_variant_is_explained(lang, function, buggy, en, ko):
    """A numpy shape error from a transposed operand or a dropped keepdims keeps the student's
    own message and names the cause, on every test where the function raised."""
    raising = [m for m in diagnoses(function, buggy) if "ValueError" in m]
    assert raising
    for message in raising:
        says(message, lang, en, ko)


def test_an_exception_no_variant_reproduces_is_told_as_it_is(lang):
    """The same type of exception with another message (another product) names no cause."""
    for message in diagnoses("mlp.linear_forward", lambda x, W, b: x @ W @ W + b):
        assert "ValueError" in message and "same error" not in message \
            and "같은 입력에서" not in message, message


def test_an_error_two_variants_raise_names_no_cause(lang):
    """numpy's matmul error names two sizes only: dout @ W raises the same error as
    dout @ x.T (both multiply D_out columns by D rows), so no cause is named; nor for
    W1 @ x in mlp_forward, whose error W2.T @ h raises too."""
    for function, buggy in (
            ("mlp.linear_backward", lambda dout, x, W: (dout @ W, x.T @ dout, dout.sum(axis=0))),
            ("mlp.mlp_forward", lambda x, params, activation="relu": np.maximum(
                params["W1"] @ x + params["b1"], 0) @ params["W2"] + params["b2"])):
        for message in diagnoses(function, buggy):
            assert "ValueError: matmul" in message, message
            assert "same error" not in message and "같은 입력에서" not in message, message


def test_an_exception_variant_is_checked_on_every_failing_case():
    """The claim holds only where the variant raises exactly the student's error; its
    identifier rebuilds the same test (``claim_of``)."""
    from grader.compare.claims import claim_of

    on = CHECK["mlp.linear_forward"]
    x, W, b = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 5)), RNG.normal(size=5)
    call = Call((x, W, b), {}, Sizes(N=4, D=3, H=5, C=6, O=5))
    expected = expect(on, call).value

    def failure(error):
        return Failure(call, error, expected, compare(error, expected, on.tolerance))
    try:
        W @ x
    except ValueError as error:
        same = error
    told = explain(on, [failure(same)], failure(same))
    assert told.id == "raised-variant:operand-order" and told.cause
    claim = claim_of(on, told.id, argument_names(on))
    assert claim.holds(failure(same))
    assert not claim.holds(failure(ValueError("matmul: something else")))
    assert not claim.holds(failure(TypeError(str(same))))
    mixed = explain(on, [failure(same), failure(ValueError("other"))], failure(same))
    assert mixed.id == "outcome:raised:ValueError"
