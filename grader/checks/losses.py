"""Checks of ``losses``: the lecture's MSE, CE and Gaussian log-likelihood, and PyTorch's losses.

The PyTorch references carry the contract's names and signatures (``F.mse_loss``,
``torch.special.xlogy``, ``F.cross_entropy``, ``torch.distributions.Normal``,
``F.gaussian_nll_loss``); then the cases; then one ``Check`` per function.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from grader.cases import Axis, Call, Draw, Kind
from grader.cases.kinds import dtypes, edge, keyword, passed, shapes
from grader.checks import activations as act
from grader.checks.common import EXTREME_LOGITS, REDUCTIONS, arguments, changed, given, plain, tensor, \
    transformed, wrong
from grader.checks.spec import Check, Hint, Mistake, Test
from grader.i18n import N_
from grader.lazy import LazyModule

torch = LazyModule("torch")
F = LazyModule("torch.nn.functional")

INVALID_REDUCTIONS = ("avg", "average", "Mean", "batchmean", "")
#: Every invalid spelling of ``reduction``, one case each.
INVALID = keyword("reduction", "reduction", INVALID_REDUCTIONS)
#: Regression arrays (N, D) or (N,).
MATRIX_OR_VECTOR = shapes("2-D", "1-D")


def mse(y: np.ndarray, y_hat: np.ndarray) -> float:
    return plain(F.mse_loss(tensor(y_hat), tensor(y), reduction="sum")) / len(y)


def mse_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean") -> float | np.ndarray:
    return plain(F.mse_loss(tensor(input), tensor(target), reduction=reduction))


def cross_entropy(y: np.ndarray, y_hat: np.ndarray) -> float:
    return plain(-torch.special.xlogy(tensor(y), tensor(y_hat)).sum()) / len(y)


def cross_entropy_loss(logits: np.ndarray, target: np.ndarray, reduction: str = "mean") -> float | np.ndarray:
    return plain(F.cross_entropy(tensor(logits), tensor(target), reduction=reduction))


def gaussian_log_likelihood(y: np.ndarray, y_hat: np.ndarray, var: float = 1.0) -> float:
    normal = torch.distributions.Normal(tensor(y_hat), math.sqrt(var))
    return plain(normal.log_prob(tensor(y)).sum()) / len(y)


def gaussian_nll_loss(input: np.ndarray, target: np.ndarray, var: float | np.ndarray, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> float | np.ndarray:
    var = float(var) if np.ndim(var) == 0 else tensor(var)
    return plain(F.gaussian_nll_loss(tensor(input), tensor(target), var, full=full, eps=eps,
                                     reduction=reduction))


def nll_of(scores: Callable[..., np.ndarray]) -> Callable[..., float | np.ndarray]:
    """``cross_entropy_loss`` computed from ``scores(logits)`` in place of the log-softmax."""
    def loss(logits: np.ndarray, target: np.ndarray, reduction: str = "mean") -> float | np.ndarray:
        s = scores(logits, axis=1)
        per_row = -np.sum(target * s, axis=1) if target.shape == s.shape else -s[np.arange(len(s)), target]
        return {"mean": float(np.mean(per_row)), "sum": float(np.sum(per_row)), "none": per_row}[reduction]
    return loss


def _reduced(values: np.ndarray, reduction: str) -> float | np.ndarray:
    """``values`` reduced as PyTorch's ``reduction`` says (ValueError for an invalid one)."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"invalid reduction: {reduction!r}")
    return {"mean": lambda: float(np.mean(values)), "sum": lambda: float(np.sum(values)),
            "none": lambda: values}[reduction]()


def valid_reduction(reference: Callable[..., Any]) -> Callable[[Call], bool]:
    return lambda call: arguments(reference, call)["reduction"] in REDUCTIONS


def mean_of_matrix(reference: Callable[..., Any]) -> Callable[[Call], bool]:
    """Whether the call takes the mean (the default) of (N, D) arrays with D > 1."""
    return lambda call: (arguments(reference, call)["reduction"] == "mean"
                         and np.ndim(call.args[1]) == 2 and np.shape(call.args[1])[1] > 1)


def regression(shape: Callable[[Draw], tuple[int, ...]], dtype: type = np.float64) -> Callable[[Draw], Call]:
    """Cases ``(a, b)`` of two arrays of the same shape."""
    def make(d: Draw) -> Call:
        size = shape(d)
        return d.call(d.normal(*size).astype(dtype), d.normal(*size).astype(dtype))
    return make


def matrix(d: Draw) -> tuple[int, ...]:
    return (d.N, d.D)


def reduced(reduction: str | None) -> Callable[[Draw], Call]:
    """Cases ``(input, target, reduction=...)`` of shape (N, D) or (N,) (the "shape" kind);
    ``None``: the case's "reduction" kind."""
    def make(d: Draw) -> Call:
        shape = (d.N, d.D)[:d.kind("shape")]
        chosen = reduction if reduction is not None else d.kind("reduction")
        return d.pass_as((d.normal(*shape), d.normal(*shape)), {"reduction": chosen})
    return make


def one_hot_targets(d: Draw) -> Call:
    return d.call(d.onehot(d.N, d.C), d.probs(d.N, d.C))


def probability_targets(d: Draw) -> Call:
    return d.call(d.probs(d.N, d.C), d.probs(d.N, d.C))


def zero_probabilities(d: Draw) -> Call:
    """One-hot targets; predicted probabilities exactly 0 at some classes that are not the target."""
    y = d.onehot(d.N, d.C)
    y_hat = d.probs(d.N, d.C)
    y_hat[(y == 0) & (d.rng.random(y.shape) < 0.5)] = 0.0
    y_hat[0, np.flatnonzero(y[0] == 0)[0]] = 0.0
    return d.call(y, y_hat / y_hat.sum(axis=1, keepdims=True))


def tiny_probabilities(d: Draw) -> Call:
    """One-hot targets; the predicted probability of the target class as small as 1e-9 to
    1e-12 in some rows (where a guard log(ŷ + ε) changes the result)."""
    y, y_hat = d.onehot(d.N, d.C), d.probs(d.N, d.C)
    # the distinct rows, in order (np.unique would import numpy.ma: a tenth of a second)
    rows = np.flatnonzero(np.bincount(np.r_[0, d.rng.integers(0, d.N, size=d.N // 2)]))
    y_hat[rows, np.argmax(y[rows], axis=1)] = 10.0 ** -d.rng.integers(9, 13, size=rows.size)
    return d.call(y, y_hat / y_hat.sum(axis=1, keepdims=True))


TINY = edge("ŷ below 1e-8 where y > 0", lambda call: np.min(call.args[1][call.args[0] > 0]) < 1e-8)


def class_indices(d: Draw) -> Call:
    return d.call(d.normal(d.N, d.C, scale=3.0), d.labels(d.N, d.C))


def class_probabilities(d: Draw) -> Call:
    return d.call(d.normal(d.N, d.C, scale=3.0), d.probs(d.N, d.C))


TARGETS = Axis("target", (
    Kind("class indices", "indices", lambda call: np.ndim(call.args[1]) == 1),
    Kind("class probabilities", "probabilities", lambda call: np.ndim(call.args[1]) == 2),
))


def target_of(d: Draw, logits: np.ndarray) -> np.ndarray:
    """The case's "target" kind: class indices (N,), never a row's largest logit, or class
    probabilities (N, C)."""
    n, c = logits.shape
    if d.kind("target") == "probabilities":
        return d.probs(n, c)
    return (np.argmax(logits, axis=1) + d.rng.integers(1, c, size=n)) % c


def not_the_maximum(call: Call) -> bool:
    """Whether class-index targets avoid every row's largest logit."""
    logits, target = call.args[:2]
    return np.ndim(target) == 2 or bool(np.all(target != np.argmax(logits, axis=1)))


def logits_reduced(reduction: str) -> Callable[[Draw], Call]:
    def make(d: Draw) -> Call:
        logits = d.normal(d.N, d.C, scale=3.0)
        return d.call(logits, target_of(d, logits), reduction)
    return make


def huge_logits(d: Draw) -> Call:
    """Logits of size up to 1e4 (the "logits" kind) and a target (the "target" kind)."""
    logits = act.huge_logits(d, d.N, d.C)
    return d.call(logits, target_of(d, logits))


#: Residuals of Gaussian cases: ordinary, or some beyond 40 standard deviations (where the
#: density e^{-r²/2} underflows to 0 and its log to -inf, while the log-density is finite).
RESIDUALS = Axis("residual", (
    Kind("residuals within a few standard deviations", "small", lambda call: True),
    Kind("residuals of 40+ standard deviations", "large",
         lambda call: bool(np.max(standardised(call)) > 40)),
))


def standardised(call: Call) -> np.ndarray:
    """|y - ŷ| / σ of a Gaussian case (σ² clamped to eps as gaussian_nll_loss does)."""
    y, y_hat = np.asarray(call.args[0]), np.asarray(call.args[1])
    names = ("var", "full", "eps")
    given = dict(zip(names, call.args[2:]), **call.kwargs)
    var = np.asarray(given.get("var", 1.0), dtype=float)
    if var.ndim and var.shape == y.shape[:-1]:
        var = var[..., None]
    return np.abs(y - y_hat) / np.sqrt(np.maximum(var, given.get("eps", 1e-6)))


def far_residuals(call: Call) -> bool:
    """Whether a residual is so many standard deviations that e^{-r²/2} underflows to 0."""
    return bool(np.max(standardised(call)) > 38.6)


def residuals(d: Draw, shape: tuple[int, ...], var: float | np.ndarray) -> np.ndarray:
    """Residuals of the case's "residual" kind for variances ``var`` (broadcastable)."""
    std = np.sqrt(np.broadcast_to(var, shape))
    r = d.normal(*shape, scale=0.7) * std
    if d.kind("residual") == "large":
        flat, scale = r.reshape(-1), std.reshape(-1)
        far = d.rng.permutation(flat.size)[:max(1, flat.size // 3)]
        flat[far] = d.rng.choice([-1.0, 1.0], size=far.size) * d.uniform(far.size, low=45.0, high=60.0) * scale[far]
    return r


def gaussian(var: str) -> Callable[[Draw], Call]:
    """Cases ``(y, y_hat)`` of shape (N, D) or (N,) (the "shape" kind), residuals of the
    "residual" kind (if the test has one); ``var`` is "default" (not given), "positional",
    "keyword" or "tiny" (in third place, 1e-6 to 1e-5)."""
    def make(d: Draw) -> Call:
        y_hat = d.normal(*(d.N, d.D)[:d.kind("shape")])
        v = {"default": 1.0, "tiny": float(d.uniform(low=1e-6, high=1e-5))}.get(var) or var_float(d)
        y = y_hat + (residuals(d, y_hat.shape, v) if "residual" in d.kinds
                     else d.normal(*y_hat.shape) * math.sqrt(v))
        if var == "default":
            return d.call(y, y_hat)
        return d.call(y, y_hat, var=v) if var == "keyword" else d.call(y, y_hat, v)
    return make


KIND = object()   # a keyword of ``nll`` that follows the case's kind


def nll(var: Callable[[Draw], Any] | None = None, **kwargs: Any) -> Callable[[Draw], Call]:
    """Cases ``(input, target, var, **kwargs)``. ``var`` draws the variance of (N, D) input;
    ``None``: the case's "var" kind draws the input's shape and variance. Residuals follow
    the "residual" kind where the test has one; a keyword given as ``KIND`` takes the
    case's kind of that name."""
    def make(d: Draw) -> Call:
        shape, v = ((d.N, d.D), var(d)) if var is not None else d.kind("var")(d)
        chosen = {k: d.kind(k) if value is KIND else value for k, value in kwargs.items()}
        input = d.normal(*shape)
        if "residual" in d.kinds:
            target = input + residuals(d, shape, np.maximum(_broadcastable(v, shape), 1e-6))
        else:
            target = d.normal(*shape)
        if "passed" in d.kinds:   # full, eps and reduction in their places, or by keyword
            given = {"full": False, "eps": 1e-6, "reduction": "mean", **chosen}
            return d.pass_as((input, target, v), given)
        return d.call(input, target, v, **chosen)
    return make


def _broadcastable(var: float | np.ndarray, shape: tuple[int, ...]) -> float | np.ndarray:
    """``var`` shaped to broadcast against an input of ``shape`` (one per row gets an axis)."""
    var = np.asarray(var, dtype=float)
    return var[..., None] if var.ndim and var.shape == shape[:-1] else var


def var_float(d: Draw) -> float:
    return d.scalar(0.2, 3.0)


#: A float variance below 1 and one above (log σ² of both signs), on every seed.
FLOAT_VARIANCE = Axis("float var", (
    Kind("a float variance below 1", (0.2, 1.0), lambda call: call.args[2] < 1),
    Kind("a float variance above 1", (1.0, 3.0), lambda call: call.args[2] > 1),
))


def var_float_of_kind(d: Draw) -> float:
    """A float variance in the range of the case's "float var" kind."""
    return d.scalar(*d.kind("float var"))


def var_per_element(d: Draw) -> np.ndarray:
    return d.positive(d.N, d.D)


def var_per_row(d: Draw) -> np.ndarray:
    """One variance per row as a column (N, 1)."""
    return d.positive(d.N, 1)


def zero_per_row(d: Draw) -> np.ndarray:
    """One variance per row (N,), some exactly 0, some positive (given N > 1)."""
    var = d.with_zeros(d.positive(d.N))
    if var.size > 1 and not np.any(var > 0):
        var[-1] = d.positive(1)[0]
    return var


def var_kind(name: str, value: Callable[[Draw], tuple[tuple[int, ...], Any]],
             holds: Callable[[tuple[int, ...], Any], bool]) -> Kind:
    return Kind(name, value, lambda call: holds(np.shape(call.args[0]), call.args[2]))


#: Every form of ``var`` the contract lists; the value draws ``(input shape, var)``.
VARS = Axis("var", (
    var_kind("a float", lambda d: ((d.N, d.D), var_float(d)), lambda s, v: isinstance(v, float)),
    var_kind("one per element", lambda d: ((d.N, d.D), var_per_element(d)),
             lambda s, v: np.shape(v) == s),
    var_kind("one per row (N,)", lambda d: ((d.N, d.D), d.positive(d.N)),
             lambda s, v: len(s) == 2 and np.shape(v) == s[:-1]),
    var_kind("one per row (N, 1)", lambda d: ((d.N, d.D), var_per_row(d)),
             lambda s, v: np.shape(v) == s[:-1] + (1,)),
    var_kind("one per row of a 3-D input (N, C)", lambda d: ((d.N, d.C, d.D), d.positive(d.N, d.C)),
             lambda s, v: len(s) == 3 and np.shape(v) == s[:-1]),
))

#: Variances PyTorch rejects with ValueError for their values.
INVALID_VARS = Axis("var", (
    var_kind("a negative float", lambda d: ((d.N, d.D), -var_float(d)),
             lambda s, v: isinstance(v, float) and v < 0),
    var_kind("a negative entry", lambda d: ((d.N, d.D), _one_negative(d, var_per_element(d))),
             lambda s, v: np.shape(v) == s and np.sum(np.asarray(v) < 0) == 1),
))


#: Variances of a shape SPEC.md does not list (numpy would broadcast them; PyTorch raises).
UNLISTED_VARS = Axis("var", (
    var_kind("one per column (D,)", lambda d: ((d.N, d.D), d.positive(d.D)),
             lambda s, v: np.shape(v) == s[-1:]),
    var_kind("an extra axis (N, D, 1)", lambda d: ((d.N, d.D), d.positive(d.N, d.D, 1)),
             lambda s, v: np.shape(v) == s + (1,)),
    var_kind("a single entry (1, 1)", lambda d: ((d.N, d.D), d.positive(1, 1)),
             lambda s, v: np.shape(v) == (1, 1) and s[0] > 1),
))


def near_eps(d: Draw) -> Call:
    """(N, D) input, variances per element from 2·eps to 10·eps with eps=1e-5 (where var + eps
    and max(var, eps) differ)."""
    var = d.uniform(d.N, d.D, low=2e-5, high=1e-4)
    input = d.normal(d.N, d.D)
    return d.pass_as((input, input + d.normal(d.N, d.D) * np.sqrt(var), var), {"full": False, "eps": 1e-5})


def _plus_eps(call: Call) -> float | np.ndarray:
    given = arguments(gaussian_nll_loss, call)
    var = given["var"]
    return var + given["eps"] if np.ndim(var) == 0 else np.asarray(var) + given["eps"]


def _one_negative(d: Draw, var: np.ndarray) -> np.ndarray:
    var.reshape(-1)[d.rng.integers(var.size)] *= -1
    return var


GAUSSIAN = (MATRIX_OR_VECTOR,)
#: Residuals of 40+ standard deviations only: a lesson of its own.
FAR = Axis("residual", (RESIDUALS.kinds[1],))

ignored_reduction = N_("The reduction argument was ignored (the mean was taken).")
invalid_reduction = N_("invalid reduction raises ValueError")

CHECKS = (
    Check(
        "losses.mse", torch=mse, squared_residual=True,
        tests=(
            Test(N_("(N, D) arrays"), 1.5, regression(matrix)),
            Test(N_("1-D arrays"), 1, regression(lambda d: (d.N,)), kinds=(shapes("1-D"),)),
            Test(N_("float32 arrays"), 0.5, regression(matrix, np.float32), cases=2,
                 kinds=(dtypes("float32"),)),
        ),
        mistakes=(
            Mistake(N_("This averages over all N·D = {N}·{D} elements, like nn.MSELoss(); the lecture's "
                       "MSE sums over D and divides by N = {N}."),
                    wrong(lambda y, y_hat: float(np.mean((y - y_hat) ** 2))),
                    applies=lambda call: np.ndim(call.args[0]) == 2 and np.shape(call.args[0])[1] > 1),
            Mistake(N_("The residuals are not squared: this sums y - ŷ; the MSE sums (y - ŷ)²."),
                    wrong(lambda y, y_hat: float(np.sum(np.asarray(y, float) - y_hat) / len(y)))),
            Mistake(N_("This sums 2·(y - ŷ), the derivative of the square; the MSE sums (y - ŷ)²."),
                    wrong(lambda y, y_hat: float(np.sum(2 * (np.asarray(y, float) - y_hat)) / len(y)))),
        ),
    ),
    Check(
        "losses.mse_loss", torch=mse_loss, squared_residual=True,
        tests=(
            Test(N_("reduction='mean', the default"), 1.5, regression(matrix)),
            Test(N_("reduction='sum'"), 1, reduced("sum"), kinds=(MATRIX_OR_VECTOR, passed("reduction", 3))),
            Test(N_("reduction='none'"), 1, reduced("none"), kinds=(MATRIX_OR_VECTOR, passed("reduction", 3))),
            Test(invalid_reduction, 0.5, reduced(None), cases=1, kinds=(MATRIX_OR_VECTOR, INVALID)),
        ),
        mistakes=(
            Mistake(ignored_reduction, changed(mse_loss, reduction="mean"),
                    applies=given(mse_loss, "reduction", "mean")),
            Mistake(N_("This divides by N = {N} like the lecture's MSE; F.mse_loss averages over all "
                       "N·D = {N}·{D} elements."),
                    wrong(lambda input, target, reduction="mean": mse(target, input)),
                    applies=mean_of_matrix(mse_loss)),
            Mistake(N_("The residuals are not squared: this reduces input - target; F.mse_loss "
                       "reduces (input - target)²."),
                    wrong(lambda input, target, reduction="mean": _reduced(np.asarray(input, float) - target,
                                                                           reduction))),
            Mistake(N_("This reduces 2·(input - target), the derivative of the square; F.mse_loss "
                       "reduces (input - target)²."),
                    wrong(lambda input, target, reduction="mean": _reduced(2 * (np.asarray(input, float) - target),
                                                                           reduction))),
        ),
    ),
    Check(
        "losses.cross_entropy", torch=cross_entropy,
        tests=(
            Test(N_("one-hot targets"), 1, one_hot_targets),
            Test(N_("tiny predicted probabilities where the target is 1"), 0.5, tiny_probabilities,
                 kinds=(TINY,)),
            Test(N_("probability targets"), 1, probability_targets),
            Test(N_("predicted probability 0 where the target is 0"), 1.5, zero_probabilities,
                 kinds=(edge("ŷ = 0 where y = 0", lambda call: np.any((call.args[0] == 0) & (call.args[1] == 0))),)),
        ),
        nonfinite_hint=N_("0·log 0 gives nan: a term with y = 0 contributes 0, so take the log only "
                          "where y > 0 (np.where(y > 0, ..., 1) inside the log)."),
        mistakes=(
            Mistake(N_("The minus sign is missing: CE = -(1/N) Σ y log ŷ is positive."),
                    wrong(lambda y, y_hat: -cross_entropy(y, y_hat))),
            Mistake(N_("This uses log base 2 (or 10): cross-entropy uses the natural log, np.log."),
                    wrong(lambda y, y_hat: cross_entropy(y, y_hat) / math.log(2))),
            Mistake(N_("This averages over all N·C = {N}·{C} entries; the lecture's CE sums over the "
                       "classes and divides by N = {N}."),
                    wrong(lambda y, y_hat: cross_entropy(y, y_hat) / y.shape[1])),
        ),
    ),
    Check(
        "losses.cross_entropy_loss", torch=cross_entropy_loss,
        tests=(
            Test(N_("class indices, reduction='mean'"), 1.5, class_indices),
            Test(N_("probability targets, reduction='mean'"), 1.5, class_probabilities),
            Test(N_("reduction='sum'"), 0.5, logits_reduced("sum"), cases=2, kinds=(TARGETS,)),
            Test(N_("reduction='none'"), 0.5, logits_reduced("none"), cases=2, kinds=(TARGETS,)),
            Test(N_("logits of ±1e4"), 1.5, huge_logits, tolerance=EXTREME_LOGITS,
                 kinds=(act.STABILITY, TARGETS, Axis("not the maximum", (
                     Kind("class indices off each row's maximum", None, not_the_maximum),))),
                 every_combination=True),
            Test(invalid_reduction, 0.5,
                 lambda d: d.call(d.normal(d.N, d.C), d.labels(d.N, d.C), reduction=d.kind("reduction")),
                 cases=1, kinds=(INVALID,)),
        ),
        nonfinite_hint=N_("For logits of ±1e4, e^x overflows to inf, or a softmax probability "
                          "underflows to 0 whose log is -inf: compute the log-softmax as z - log Σ e^z "
                          "with z = logits minus each row's own maximum (along the classes), so every "
                          "sum is at least 1."),
        mistakes=(
            Mistake(ignored_reduction, changed(cross_entropy_loss, reduction="mean"),
                    applies=given(cross_entropy_loss, "reduction", "mean")),
            Mistake(N_("This uses the softmax probabilities where their log is needed: the loss is "
                       "-log softmax(logits)[target]."),
                    wrong(nll_of(act.softmax)), applies=valid_reduction(cross_entropy_loss)),
            Mistake(N_("For probability targets, sum over the C = {C} classes and average over the N = {N} "
                       "rows only: this averages over all N·C entries."),
                    wrong(lambda logits, target, reduction="mean":
                          cross_entropy_loss(logits, target) / target.shape[1]),
                    applies=mean_of_matrix(cross_entropy_loss)),
        ),
        callees=("activations.softmax", "activations.log_softmax"),
    ),
    Check(
        "losses.gaussian_log_likelihood", torch=gaussian_log_likelihood, squared_residual=True,
        nonfinite_hint=(
            Hint(N_("The density underflowed: e^(-(y - ŷ)²/(2·var)) is 0 for residuals of about 40 "
                    "standard deviations, so its log is -inf. Compute the log-density directly: "
                    "-½·log(2π·var) - (y - ŷ)²/(2·var)."), far_residuals),
        ),
        tests=(
            Test(N_("var = 1, the default"), 0.75, gaussian("default"), kinds=GAUSSIAN),
            Test(N_("given var"), 0.75, gaussian("positional"), kinds=GAUSSIAN),
            Test(N_("residuals of 40+ standard deviations"), 0.5, gaussian("positional"), cases=2,
                 kinds=(MATRIX_OR_VECTOR, FAR)),
            Test(N_("a tiny variance (1e-6 to 1e-5)"), 0.5, gaussian("tiny"), cases=2,
                 kinds=(MATRIX_OR_VECTOR, edge("var below 1e-5", lambda call: call.args[2] <= 1e-5))),
            Test(N_("var as a keyword"), 0.5, gaussian("keyword"), cases=2, kinds=GAUSSIAN),
        ),
        mistakes=(
            Mistake(N_("The constant term -½·log 2π of every element's log-density is missing."),
                    wrong(lambda y, y_hat, var=1.0: gaussian_log_likelihood(y, y_hat, var)
                          + 0.5 * math.log(2 * math.pi) * np.size(y) / len(y))),
            Mistake(N_("This is the negative log-likelihood; the lecture's MLE objective is the "
                       "log-likelihood itself (to be maximised)."),
                    wrong(lambda y, y_hat, var=1.0: -gaussian_log_likelihood(y, y_hat, var))),
            Mistake(N_("var was ignored (a variance of 1 was used)."),
                    changed(gaussian_log_likelihood, var=1.0),
                    applies=given(gaussian_log_likelihood, "var", 1.0)),
            Mistake(N_("var is the variance σ², but it was used as the standard deviation σ."),
                    transformed(gaussian_log_likelihood, "var", lambda var: var**2),
                    applies=given(gaussian_log_likelihood, "var", 1.0)),
            Mistake(N_("var is the variance σ², but its square root was used as the variance."),
                    transformed(gaussian_log_likelihood, "var", math.sqrt),
                    applies=given(gaussian_log_likelihood, "var", 1.0)),
        ),
    ),
    Check(
        "losses.gaussian_nll_loss", torch=gaussian_nll_loss, squared_residual=True,
        tests=(
            Test(N_("var a float"), 0.75, nll(var_float_of_kind), kinds=(FLOAT_VARIANCE,)),
            Test(N_("one variance per element (N, D)"), 0.5, nll(var_per_element)),
            Test(N_("one variance per row (N, 1)"), 0.5, nll(var_per_row)),
            Test(N_("residuals of 40+ standard deviations"), 0.75, nll(), kinds=(VARS, FAR)),
            Test(N_("var = 0.0, clamped to eps"), 0.75, nll(lambda d: 0.0), kinds=(edge("var = 0.0", lambda call: call.args[2] == 0.0),)),
            Test(N_("zero variances among one per row (N,), eps=1e-3"), 0.75, nll(zero_per_row, eps=1e-3),
                 kinds=(edge("a zero among positive variances (N,)", lambda call: np.shape(call.args[2]) == np.shape(call.args[0])[:1]
                             and np.any(call.args[2] == 0) and np.any(call.args[2] > 0)),)),
            Test(N_("variances near eps=1e-5"), 0.25, near_eps, cases=2,
                 kinds=(edge("var within 10·eps", lambda call: np.all(call.args[2] <= 1e-4)),
                        passed("eps", 5))),
            Test(N_("full=True"), 0.5, nll(full=True, reduction=KIND),
                 kinds=(VARS, keyword("reduction", "reduction", REDUCTIONS))),
            Test(N_("reduction='sum'"), 0.25, nll(reduction="sum"), cases=2,
                 kinds=(VARS, passed("reduction", 6))),
            Test(N_("reduction='none'"), 0.25, nll(reduction="none"), cases=2, kinds=(VARS,)),
            Test(invalid_reduction, 0.25, nll(var_float, reduction=KIND), cases=1, kinds=(INVALID,)),
            Test(N_("a negative var raises ValueError"), 0.25, nll(), cases=1,
                 kinds=(INVALID_VARS,)),
            Test(N_("a var of a shape not listed raises ValueError"), 0.25, nll(), cases=1,
                 kinds=(UNLISTED_VARS,)),
        ),
        nonfinite_hint=(
            Hint(N_("var = 0 gives log 0 and a division by 0: clamp the variance to at least eps "
                    "(np.maximum(var, eps)), as F.gaussian_nll_loss does."),
                 lambda call: np.any(np.asarray(arguments(gaussian_nll_loss, call)["var"]) == 0)),
            Hint(N_("The density underflowed: e^(-(input - target)²/(2·var)) is 0 for residuals of about "
                    "40 standard deviations, so -log of it is inf. Compute the loss directly: "
                    "½·(log var + (input - target)²/var)."), far_residuals),
        ),
        mistakes=(
            Mistake(ignored_reduction, changed(gaussian_nll_loss, reduction="mean"),
                    applies=given(gaussian_nll_loss, "reduction", "mean")),
            Mistake(N_("full=True adds the constant ½·log 2π to every element's loss; it is missing."),
                    changed(gaussian_nll_loss, full=False), applies=given(gaussian_nll_loss, "full", False)),
            Mistake(N_("The constant ½·log 2π belongs only to full=True."),
                    changed(gaussian_nll_loss, full=True), applies=given(gaussian_nll_loss, "full", True)),
            Mistake(N_("var was ignored (a variance of 1 was used)."), changed(gaussian_nll_loss, var=1.0),
                    applies=lambda call: np.any(np.asarray(arguments(gaussian_nll_loss, call)["var"]) != 1)),
            Mistake(N_("var is the variance σ², but it was used as the standard deviation σ."),
                    transformed(gaussian_nll_loss, "var", lambda var: var**2)),
            Mistake(N_("eps was ignored: the variance is clamped to at least the given eps."),
                    changed(gaussian_nll_loss, eps=1e-6), applies=given(gaussian_nll_loss, "eps", 1e-6)),
            Mistake(N_("eps was added to var: F.gaussian_nll_loss clamps the variance instead, "
                       "max(var, eps)."),
                    lambda call: gaussian_nll_loss(**{**arguments(gaussian_nll_loss, call), "eps": 0.0,
                                                      "var": _plus_eps(call)})),
        ),
    ),
)
