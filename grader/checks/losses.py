"""Checks of ``losses``: the lecture's MSE, CE and Gaussian log-likelihood, and PyTorch's losses.

The PyTorch references carry the contract's names and signatures (``F.mse_loss``,
``torch.special.xlogy``, ``F.cross_entropy``, ``torch.distributions.Normal``,
``F.gaussian_nll_loss``); then the cases; then one ``Check`` per function.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F

from grader.cases import Call, Draw
from grader.checks import activations as act
from grader.checks.common import EXTREME_LOGITS, REDUCTIONS, arguments, changed, given, plain, tensor, \
    transformed, wrong
from grader.checks.spec import Check, Mistake, Test
from grader.i18n import N_

INVALID_REDUCTIONS = ("avg", "average", "Mean", "batchmean", "")


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


def reduced(reductions: tuple[str, ...]) -> Callable[[Draw], Call]:
    """Cases ``(input, target, reduction=...)`` of shape (N, D) or (N,)."""
    def make(d: Draw) -> Call:
        shape = d.choice([(d.N, d.D), (d.N,)])
        return d.call(d.normal(*shape), d.normal(*shape), reduction=d.choice(reductions))
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


def class_indices(d: Draw) -> Call:
    return d.call(d.normal(d.N, d.C, scale=3.0), d.labels(d.N, d.C))


def class_probabilities(d: Draw) -> Call:
    return d.call(d.normal(d.N, d.C, scale=3.0), d.probs(d.N, d.C))


def either_target(d: Draw) -> np.ndarray:
    """Class indices (N,) or class probabilities (N, C)."""
    return d.choice([d.labels(d.N, d.C), d.probs(d.N, d.C)])


def logits_reduced(reduction: str) -> Callable[[Draw], Call]:
    return lambda d: d.call(d.normal(d.N, d.C, scale=3.0), either_target(d), reduction)


def gaussian(var: str) -> Callable[[Draw], Call]:
    """Cases ``(y, y_hat)`` of shape (N, D) or (N,), targets near the predictions; ``var``
    is "default" (not given), "positional" or "keyword"."""
    def make(d: Draw) -> Call:
        y_hat = d.normal(*d.choice([(d.N, d.D), (d.N,)]))
        y = y_hat + d.normal(*y_hat.shape, scale=0.7)
        if var == "default":
            return d.call(y, y_hat)
        return d.call(y, y_hat, var_float(d)) if var == "positional" else d.call(y, y_hat, var=var_float(d))
    return make


def nll(var: Callable[[Draw], Any], **kwargs: Any) -> Callable[[Draw], Call]:
    """Cases ``(input, target, var, **kwargs)`` of (N, D) arrays; a tuple of values is a choice."""
    def make(d: Draw) -> Call:
        chosen = {k: d.choice(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}
        return d.call(d.normal(d.N, d.D), d.normal(d.N, d.D), var(d), **chosen)
    return make


def var_float(d: Draw) -> float:
    return d.scalar(0.2, 3.0)


def var_per_element(d: Draw) -> np.ndarray:
    return d.positive(d.N, d.D)


def var_per_row(d: Draw) -> np.ndarray:
    """One variance per row as a column (N, 1)."""
    return d.positive(d.N, 1)


def var_any(d: Draw) -> float | np.ndarray:
    return d.choice([var_float, var_per_element, var_per_row])(d)


def zero_per_row(d: Draw) -> np.ndarray:
    """One variance per row (N,), some exactly 0."""
    return d.with_zeros(d.positive(d.N))


ignored_reduction = N_("The reduction argument was ignored (the mean was taken).")
invalid_reduction = N_("invalid reduction raises ValueError")

CHECKS = (
    Check(
        "losses.mse", torch=mse,
        tests=(
            Test(N_("(N, D) arrays"), 1.5, regression(matrix)),
            Test(N_("1-D arrays"), 1, regression(lambda d: (d.N,))),
            Test(N_("float32 arrays"), 0.5, regression(matrix, np.float32), cases=2),
        ),
        mistakes=(
            Mistake(N_("This averages over all N·D = {N}·{D} elements, like nn.MSELoss(); the lecture's "
                       "MSE sums over D and divides by N = {N}."),
                    wrong(lambda y, y_hat: float(np.mean((y - y_hat) ** 2))),
                    applies=lambda call: np.ndim(call.args[0]) == 2 and np.shape(call.args[0])[1] > 1),
        ),
    ),
    Check(
        "losses.mse_loss", torch=mse_loss,
        tests=(
            Test(N_("reduction='mean', the default"), 1.5, regression(matrix)),
            Test(N_("reduction='sum'"), 1, reduced(("sum",))),
            Test(N_("reduction='none'"), 1, reduced(("none",))),
            Test(invalid_reduction, 0.5, reduced(INVALID_REDUCTIONS), cases=1),
        ),
        mistakes=(
            Mistake(ignored_reduction, changed(mse_loss, reduction="mean"),
                    applies=given(mse_loss, "reduction", "mean")),
            Mistake(N_("This divides by N = {N} like the lecture's MSE; F.mse_loss averages over all "
                       "N·D = {N}·{D} elements."),
                    wrong(lambda input, target, reduction="mean": mse(target, input)),
                    applies=mean_of_matrix(mse_loss)),
        ),
    ),
    Check(
        "losses.cross_entropy", torch=cross_entropy,
        tests=(
            Test(N_("one-hot targets"), 1.5, one_hot_targets),
            Test(N_("probability targets"), 1, probability_targets),
            Test(N_("predicted probability 0 where the target is 0"), 1.5, zero_probabilities),
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
            Test(N_("reduction='sum'"), 0.5, logits_reduced("sum"), cases=2),
            Test(N_("reduction='none'"), 0.5, logits_reduced("none"), cases=2),
            Test(N_("logits of ±1e4"), 1.5,
                 lambda d: d.call(d.extreme(d.N, d.C, size=1e4), either_target(d)), tolerance=EXTREME_LOGITS),
            Test(invalid_reduction, 0.5,
                 lambda d: d.call(d.normal(d.N, d.C), d.labels(d.N, d.C),
                                  reduction=d.choice(INVALID_REDUCTIONS)),
                 cases=1),
        ),
        nonfinite_hint=N_("log(softmax(logits)) is log 0 = -inf for logits of 1e4: compute the log-softmax "
                          "as z - log Σ e^z with z = logits - max(logits) along the classes."),
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
        "losses.gaussian_log_likelihood", torch=gaussian_log_likelihood,
        tests=(
            Test(N_("var = 1, the default"), 1, gaussian("default")),
            Test(N_("given var"), 1.5, gaussian("positional")),
            Test(N_("var as a keyword"), 0.5, gaussian("keyword"), cases=2),
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
        "losses.gaussian_nll_loss", torch=gaussian_nll_loss,
        tests=(
            Test(N_("var a float"), 1, nll(var_float)),
            Test(N_("one variance per element (N, D)"), 0.75, nll(var_per_element)),
            Test(N_("one variance per row (N, 1)"), 0.75, nll(var_per_row)),
            Test(N_("var = 0.0, clamped to eps"), 0.75, nll(lambda d: 0.0)),
            Test(N_("zero variances among one per row (N,), eps=1e-3"), 0.75, nll(zero_per_row, eps=1e-3)),
            Test(N_("full=True"), 1, nll(var_any, full=True, reduction=REDUCTIONS)),
            Test(N_("reduction='sum'"), 0.25, nll(var_any, reduction="sum"), cases=2),
            Test(N_("reduction='none'"), 0.25, nll(var_any, reduction="none"), cases=2),
            Test(invalid_reduction, 0.5, nll(var_float, reduction=INVALID_REDUCTIONS), cases=1),
        ),
        nonfinite_hint=N_("var = 0 gives log 0 and a division by 0: clamp the variance to at least eps "
                          "(np.maximum(var, eps)), as F.gaussian_nll_loss does."),
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
        ),
    ),
)
