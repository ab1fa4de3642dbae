"""Pieces the checks share: float64 tensors in, plain data out, and mistakes' variants.

``wrong(fn)`` turns code that has a mistake into a ``Mistake.variant``; ``changed(fn,
name=value)`` is a reference with one argument replaced: the result of code that ignores
that argument (an ignored ``reduction`` is ``reduction="mean"``).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import numpy as np

from grader.cases import Call
from grader.checks.spec import Tolerance
from grader.lazy import LazyModule

torch = LazyModule("torch")

#: Logits of size 1e4 in float32 carry absolute errors of about 1e-3.
EXTREME_LOGITS = Tolerance(rtol=1e-4, atol=2e-3)

#: The valid values of PyTorch's ``reduction``.
REDUCTIONS = ("mean", "sum", "none")


def tensor(a: Any, grad: bool = False) -> torch.Tensor:
    """``a`` as a float64 tensor (integer arrays stay int64, for class indices)."""
    array = np.asarray(a)
    if array.dtype.kind in "iu" and not grad:
        return torch.as_tensor(array, dtype=torch.int64)
    return torch.tensor(array, dtype=torch.float64, requires_grad=grad)


def plain(t: torch.Tensor) -> float | np.ndarray:
    """A tensor as plain data: a Python float for a 0-d tensor, else a float64 array."""
    t = t.detach()
    return float(t) if t.dim() == 0 else t.numpy().astype(np.float64)


#: A function's signature, read once (``inspect.signature`` costs ~30 us a call).
_signature = functools.lru_cache(maxsize=256)(inspect.signature)


def arguments(fn: Callable[..., Any], call: Call) -> dict[str, Any]:
    """The call's arguments by name, defaults included."""
    bound = _signature(fn).bind(*call.args, **call.kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def wrong(fn: Callable[..., Any]) -> Callable[[Call], Any]:
    """A mistake's variant from code with the function's signature that has the mistake."""
    return lambda call: fn(*call.args, **call.kwargs)


def changed(fn: Callable[..., Any], **changes: Any) -> Callable[[Call], Any]:
    """``fn`` on the call's arguments with ``changes`` applied: an ignored argument."""
    return lambda call: fn(**{**arguments(fn, call), **changes})


def transformed(fn: Callable[..., Any], name: str, how: Callable[[Any], Any]) -> Callable[[Call], Any]:
    """``fn`` on the call's arguments with ``name`` replaced by ``how(name)``."""
    def variant(call: Call) -> Any:
        bound = arguments(fn, call)
        return fn(**{**bound, name: how(bound[name])})
    return variant


def given(fn: Callable[..., Any], name: str, *unlike: Any) -> Callable[[Call], bool]:
    """True when the call's ``name`` argument is none of ``unlike``."""
    return lambda call: arguments(fn, call)[name] not in unlike
