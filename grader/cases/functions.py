"""Scalar test functions for ``numerical_gradient``: name -> (numpy version, torch version).

Both versions take an array / tensor of any shape and return a scalar (a float / a 0-d
tensor, so autograd gives the exact gradient). Each is curved enough that, on a few
standard-normal entries, a forward difference with h = 1e-5 is off by more than 1e-7
relative to the largest gradient entry, while a centred one stays within 1e-9.
Only numpy is needed to call the numpy versions; torch is imported by the caller.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def _cubic_sin(x: np.ndarray) -> float:
    return float(np.sum(x**3 / 3 + x + np.sin(x)))


def _cubic_sin_torch(x: Any) -> Any:
    import torch
    return torch.sum(x**3 / 3 + x + torch.sin(x))


def _softplus_exp(x: np.ndarray) -> float:
    return float(np.sum(np.logaddexp(0.0, 2 * x) + np.exp(0.5 * x)))


def _softplus_exp_torch(x: Any) -> Any:
    import torch
    return torch.sum(torch.nn.functional.softplus(2 * x) + torch.exp(0.5 * x))


def _coupled(x: np.ndarray) -> float:
    flat = x.reshape(-1)
    weights = 1.0 + np.arange(flat.size) / max(flat.size, 1)
    return float((flat @ weights) ** 3 / 30 + np.sum(flat**3 / 3 + 2 * flat))


def _coupled_torch(x: Any) -> Any:
    import torch
    flat = x.reshape(-1)
    weights = 1.0 + torch.arange(flat.numel(), dtype=x.dtype) / max(flat.numel(), 1)
    return (flat @ weights) ** 3 / 30 + torch.sum(flat**3 / 3 + 2 * flat)


#: name -> (numpy function returning a float, torch function returning a 0-d tensor).
SCALAR_FUNCTIONS: dict[str, tuple[Callable[[np.ndarray], float], Callable[[Any], Any]]] = {
    "cubic_sin": (_cubic_sin, _cubic_sin_torch),
    "softplus_exp": (_softplus_exp, _softplus_exp_torch),
    "coupled": (_coupled, _coupled_torch),
}
