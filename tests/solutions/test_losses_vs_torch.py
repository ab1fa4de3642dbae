"""solutions.losses against torch.nn.functional, xlogy and torch.distributions, in float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch.distributions import Normal

from solutions import losses as L
from tests.solutions.support import FAST, assert_close, seeds, sizes, strict_floats, t, untouched

REDUCTIONS = ("mean", "sum", "none")
shapes = st.lists(st.integers(2, 6), min_size=1, max_size=3).map(tuple)


def probabilities(rng: np.random.Generator, n: int, c: int, zeros: bool = False) -> np.ndarray:
    """Rows of ``c`` probabilities; with ``zeros``, each row has zeros and a nonzero entry."""
    p = rng.uniform(0.05, 1.0, size=(n, c))
    if zeros:
        keep, rows = rng.integers(0, c, size=n), np.arange(n)
        p[rng.random((n, c)) < 0.4] = 0.0
        p[rows, (keep + 1) % c] = 0.0
        p[rows, keep] = 1.0
    return p / p.sum(axis=1, keepdims=True)


@FAST
@given(s=sizes, seed=seeds, one_dimensional=st.booleans())
def test_mse_sums_over_d_and_averages_over_n(s, seed, one_dimensional):
    rng = np.random.default_rng(seed)
    shape = (s.N,) if one_dimensional else (s.N, s.D)
    y, y_hat = rng.normal(size=shape), rng.normal(size=shape)
    with untouched(y, y_hat):
        got = L.mse(y, y_hat)
    assert_close(got, F.mse_loss(t(y_hat), t(y), reduction="sum") / s.N)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@FAST
@given(shape=shapes, seed=seeds)
def test_mse_loss_matches_torch(reduction, shape, seed):
    rng = np.random.default_rng(seed)
    y_hat, y = rng.normal(size=shape), rng.normal(size=shape)
    with untouched(y_hat, y):
        got = L.mse_loss(y_hat, y, reduction=reduction)
    assert_close(got, F.mse_loss(t(y_hat), t(y), reduction=reduction))


def test_mse_loss_default_is_mean():
    y_hat, y = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    assert_close(L.mse_loss(y_hat, y), F.mse_loss(t(y_hat), t(y)))


@FAST
@given(s=sizes, seed=seeds, one_hot=st.booleans())
def test_cross_entropy_matches_xlogy_with_zero_probabilities(s, seed, one_hot):
    rng = np.random.default_rng(seed)
    if one_hot:
        y = np.eye(s.C)[rng.integers(0, s.C, size=s.N)]
    else:
        y = probabilities(rng, s.N, s.C, zeros=True)
    y_hat = probabilities(rng, s.N, s.C)
    zero = (y == 0) & (rng.random(y.shape) < 0.5)
    zero[0] = y[0] == 0  # at least one 0 · log 0 where the target is 0
    y_hat[zero] = 0.0
    y_hat /= y_hat.sum(axis=1, keepdims=True)
    with untouched(y, y_hat), strict_floats():
        got = L.cross_entropy(y, y_hat)
    assert np.isfinite(got)
    assert_close(got, -torch.special.xlogy(t(y), t(y_hat)).sum() / s.N)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target_kind", ["indices", "probabilities"])
@FAST
@given(s=sizes, seed=seeds, scale=st.sampled_from([1.0, 10.0, 1e4]))
def test_cross_entropy_loss_matches_torch(reduction, target_kind, s, seed, scale):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, scale, size=(s.N, s.C))
    if target_kind == "indices":
        target = rng.integers(0, s.C, size=s.N)
        target_t = torch.tensor(target)
    else:
        target = probabilities(rng, s.N, s.C, zeros=True)
        target_t = t(target)
    with untouched(logits, target), strict_floats():
        got = L.cross_entropy_loss(logits, target, reduction=reduction)
    assert np.all(np.isfinite(got))
    assert_close(got, F.cross_entropy(t(logits), target_t, reduction=reduction))


def test_cross_entropy_loss_extreme_logits_and_default_reduction():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [0.0, 0.0, 1e4], [1e4, 1e4, -1e4]])
    target = np.array([1, 2, 0, 0])
    with strict_floats():
        got = L.cross_entropy_loss(logits, target)
    assert np.isfinite(got)
    assert_close(got, F.cross_entropy(t(logits), torch.tensor(target)))


def test_lecture_cross_entropy_of_softmax_equals_torch_mean():
    rng = np.random.default_rng(5)
    logits, labels = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    probs = torch.softmax(t(logits), dim=1).numpy()
    assert_close(L.cross_entropy(np.eye(4)[labels], probs),
                 F.cross_entropy(t(logits), torch.tensor(labels)))


@FAST
@given(s=sizes, seed=seeds, one_dimensional=st.booleans(), var=st.floats(0.05, 5.0))
def test_gaussian_log_likelihood_matches_normal_log_prob(s, seed, one_dimensional, var):
    rng = np.random.default_rng(seed)
    shape = (s.N,) if one_dimensional else (s.N, s.D)
    y, y_hat = rng.normal(size=shape), rng.normal(size=shape)
    with untouched(y, y_hat):
        got = L.gaussian_log_likelihood(y, y_hat, var=var)
        default = L.gaussian_log_likelihood(y, y_hat)
    assert_close(got, Normal(t(y_hat), var**0.5).log_prob(t(y)).sum() / s.N)
    assert_close(default, Normal(t(y_hat), 1.0).log_prob(t(y)).sum() / s.N)


VAR_KINDS = ("float", "zero float", "full", "full with zeros", "row", "row with 1", "axis 0 of 1")


def draw_var(kind: str, rng: np.random.Generator, shape: tuple[int, ...]):
    """A variance of the given kind for an input of ``shape``."""
    if kind == "float":
        return float(rng.uniform(0.1, 3.0))
    if kind == "zero float":
        return 0.0
    if kind == "full":
        return rng.uniform(0.1, 3.0, size=shape)
    if kind == "full with zeros":
        var = rng.uniform(0.1, 3.0, size=shape)
        var.reshape(-1)[::2] = 0.0
        return var
    if kind == "row":
        return rng.uniform(0.0, 3.0, size=shape[:-1])
    if kind == "row with 1":
        return rng.uniform(0.0, 3.0, size=shape[:-1] + (1,))
    return rng.uniform(0.0, 3.0, size=(1,) + shape[1:])


@pytest.mark.parametrize("var_kind", VAR_KINDS)
@FAST
@given(
    shape=st.lists(st.integers(2, 6), min_size=2, max_size=3, unique=True).map(tuple),
    seed=seeds,
    full=st.booleans(),
    eps=st.sampled_from([1e-6, 1e-3, 0.5]),
    reduction=st.sampled_from(REDUCTIONS),
)
def test_gaussian_nll_loss_matches_torch(var_kind, shape, seed, full, eps, reduction):
    rng = np.random.default_rng(seed)
    y_hat, y = rng.normal(size=shape), rng.normal(size=shape)
    var = draw_var(var_kind, rng, shape)
    var_t = var if isinstance(var, float) else t(var)
    expected = F.gaussian_nll_loss(t(y_hat), t(y), var_t, full=full, eps=eps, reduction=reduction)
    arrays = [a for a in (y_hat, y, var) if isinstance(a, np.ndarray)]
    with untouched(*arrays), strict_floats():
        got = L.gaussian_nll_loss(y_hat, y, var, full=full, eps=eps, reduction=reduction)
    assert_close(got, expected)


def test_gaussian_nll_loss_defaults_and_relation_to_the_lecture():
    rng = np.random.default_rng(6)
    y_hat, y, var = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), 0.7
    assert_close(L.gaussian_nll_loss(y_hat, y, var), F.gaussian_nll_loss(t(y_hat), t(y), var))
    total = L.gaussian_nll_loss(y_hat, y, var, full=True, reduction="sum")
    assert_close(total / 5, -L.gaussian_log_likelihood(y, y_hat, var))


@pytest.mark.parametrize(
    "var",
    [-1.0, np.array([[1.0, -0.5, 1.0]] * 4), np.ones(3), np.ones((4, 2)), np.ones((1, 1)),
     np.ones((4, 3, 1))],
    ids=["negative float", "negative entry", "shape (D,)", "shape (N, 2)", "two axes of 1",
         "extra axis"],
)
def test_gaussian_nll_loss_raises_where_torch_does(var):
    y_hat, y = np.zeros((4, 3)), np.ones((4, 3))
    var_t = var if isinstance(var, float) else t(var)
    with pytest.raises(ValueError):
        F.gaussian_nll_loss(t(y_hat), t(y), var_t)
    with pytest.raises(ValueError):
        L.gaussian_nll_loss(y_hat, y, var)


@pytest.mark.parametrize(
    "call",
    [
        lambda r: L.mse_loss(np.zeros(3), np.ones(3), reduction=r),
        lambda r: L.cross_entropy_loss(np.zeros((2, 3)), np.array([0, 1]), reduction=r),
        lambda r: L.cross_entropy_loss(np.zeros((2, 3)), np.full((2, 3), 1 / 3), reduction=r),
        lambda r: L.gaussian_nll_loss(np.zeros(3), np.ones(3), 1.0, reduction=r),
    ],
    ids=["mse_loss", "cross_entropy_loss indices", "cross_entropy_loss probabilities",
         "gaussian_nll_loss"],
)
@pytest.mark.parametrize("reduction", ["avg", "elementwise_mean", "Mean", ""])
def test_invalid_reduction_raises_value_error(call, reduction):
    with pytest.raises(ValueError):
        call(reduction)


def test_float32_inputs_accepted():
    rng = np.random.default_rng(7)
    y_hat, y = (rng.normal(size=(4, 3)).astype(np.float32) for _ in range(2))
    logits = (rng.normal(size=(4, 3)) * 1e4).astype(np.float32)
    labels = rng.integers(0, 3, size=4)
    probs = probabilities(rng, 4, 3, zeros=True).astype(np.float32)
    var = rng.uniform(0.0, 2.0, size=4).astype(np.float32)
    with untouched(y_hat, y, logits, probs, var), strict_floats():
        checks = [
            (L.mse(y, y_hat), F.mse_loss(t(y_hat), t(y), reduction="sum") / 4),
            (L.mse_loss(y_hat, y, "none"), F.mse_loss(t(y_hat), t(y), reduction="none")),
            (L.cross_entropy(probs, probs), -torch.special.xlogy(t(probs), t(probs)).sum() / 4),
            (L.cross_entropy_loss(logits, labels),
             F.cross_entropy(t(logits), torch.tensor(labels))),
            (L.cross_entropy_loss(logits, probs), F.cross_entropy(t(logits), t(probs))),
            (L.gaussian_log_likelihood(y, y_hat, 0.5),
             Normal(t(y_hat), 0.5**0.5).log_prob(t(y)).sum() / 4),
            (L.gaussian_nll_loss(y_hat, y, var, full=True),
             F.gaussian_nll_loss(t(y_hat), t(y), t(var), full=True)),
        ]
    for got, expected in checks:
        assert_close(got, expected, rtol=1e-4, atol=1e-5)
