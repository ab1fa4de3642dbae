"""For several seeds, on every case of every check, the solution and PyTorch agree."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from grader.cases import SHRINK_LADDER, Draw, case_rng
from grader.checks import CHECK, CHECKS
from grader.compare.expect import expect
from grader.compare.verdict import Raises

SEEDS = (0, 1, 2)


def plain_kinds(value: Any) -> bool:
    """Expected values hold Python floats, float64 arrays, tuples, lists of floats, dicts, str, Raises."""
    if type(value) in (float, str, Raises):
        return True
    if type(value) is np.ndarray:
        return value.dtype == np.float64
    if type(value) in (tuple, dict):
        return all(plain_kinds(v) for v in (value.values() if isinstance(value, dict) else value))
    return type(value) is list and all(type(v) is float for v in value)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_solution_and_torch_agree(check, seed):
    for test in check.tests:
        for call in test.draw(seed, check.function):
            expected = expect(check, call)
            assert expected.internal == "", f"{test.label}: {expected.internal}"
            assert plain_kinds(expected.value), (test.label, expected.value)
            alone = expect(check, call, use_solutions=False)
            assert alone.internal == "" and plain_kinds(alone.value)


def test_torch_numerical_gradient_is_close_to_autograd():
    """The centred-difference oracle with the default h is within O(h²) of the exact gradient."""
    import torch

    from grader.cases.functions import SCALAR_FUNCTIONS

    check = CHECK["mlp.numerical_gradient"]
    for call in check.tests[0].draw(0, check.function):
        f, x = call.args
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        SCALAR_FUNCTIONS[f.name][1](xt).backward()
        np.testing.assert_allclose(check.torch(f, x), xt.grad.numpy(), rtol=1e-8, atol=1e-9)


def test_invalid_reductions_expect_value_error():
    for function in ("losses.mse_loss", "losses.cross_entropy_loss", "losses.gaussian_nll_loss",
                     "torch_api.mse_loss_and_grad"):
        check = CHECK[function]
        test = check.tests[-1]
        for call in test.draw(0, function):
            assert expect(check, call).value == Raises("ValueError")


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_shrink_sizes_and_simple_values_agree(check):
    """The shrinker redraws cases at small sizes with simple values: the oracles still agree."""
    for test in check.tests:
        for like in test.draw(0, check.function) if test.shrink else ():
            for sizes in SHRINK_LADDER:
                call = test.make(Draw(case_rng(0, check.function, test.label), sizes, simple=True,
                                      kinds=test.kinds_of(like)))
                expected = expect(check, call)
                assert expected.internal == "", f"{test.label} at {sizes}: {expected.internal}"


def test_sgd_update_is_what_torch_optim_sgd_does():
    """The checks use torch.optim.sgd.sgd (cheap to import); it must equal SGD.step."""
    import torch

    from grader.checks.linear_regression import sgd_step

    for lr in (0.01, 0.3):
        a = torch.tensor([0.5, -1.5], dtype=torch.float64, requires_grad=True)
        b = a.detach().clone().requires_grad_(True)
        for p in (a, b):
            p.grad = torch.tensor([0.25, 2.0], dtype=torch.float64)
        torch.optim.SGD([a], lr=lr).step()
        sgd_step([b], lr)
        assert torch.equal(a, b)
