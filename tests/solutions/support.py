"""Shared pieces of the solution-versus-PyTorch tests."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
import torch
from hypothesis import settings
from hypothesis import strategies as st

#: Few examples, no deadline, no example database on disk: the suite stays fast and clean.
FAST = settings(max_examples=15, deadline=None, database=None)

seeds = st.integers(0, 2**32 - 1)


class Sizes(NamedTuple):
    N: int
    D: int
    H: int
    O: int  # D_out
    C: int


#: N, D, H, D_out and C all different, each at least 2, so a transpose or a wrong count shows.
sizes = st.lists(st.integers(2, 8), min_size=5, max_size=5, unique=True).map(lambda s: Sizes(*s))


def t(a: Any) -> torch.Tensor:
    """A float64 tensor holding a copy of ``a``."""
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def as_array(a: Any) -> np.ndarray:
    """``a`` (tensor, array or number) as a numpy array."""
    if isinstance(a, torch.Tensor):
        return a.detach().numpy()
    return np.asarray(a)


def assert_close(got: Any, expected: Any, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Same shape exactly (no broadcasting), then close elementwise."""
    got, expected = as_array(got), as_array(expected)
    assert got.shape == expected.shape, f"shape {got.shape}, expected {expected.shape}"
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


@contextlib.contextmanager
def strict_floats() -> Iterator[None]:
    """Every warning, overflow, division by zero and invalid operation raises.

    Underflow to 0 stays allowed: sigmoid(-1000) and softmax of logits 1e4 apart
    are 0 to within double precision, and that is the right answer.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


@contextlib.contextmanager
def untouched(*arrays: np.ndarray) -> Iterator[None]:
    """Assert the code inside leaves ``arrays`` exactly as they were."""
    copies = [np.copy(a) for a in arrays]
    yield
    for before, after in zip(copies, arrays):
        assert after.dtype == before.dtype
        np.testing.assert_array_equal(after, before)
