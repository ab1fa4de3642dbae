"""Input generation as small composable pieces.

A ``Draw`` hands out the pieces of one case (normal arrays, logits, probability rows,
one-hot targets, MLP parameters, ...) from a seeded generator and a set of ``Sizes``.
Default sizes are all different (N, D, H, C, O = D_out) so that transposes, wrong axes
and wrong counts show; ``simple`` mode draws small round numbers, which is what the
shrinker uses to find the smallest failing example.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.cases.kinds import Axis, Kind, assignments


@dataclass(frozen=True)
class Sizes:
    """Dimensions of one case: batch N, features D, hidden H, classes C, outputs O."""

    N: int
    D: int
    H: int
    C: int
    O: int

    @classmethod
    def random(cls, rng: np.random.Generator) -> "Sizes":
        """Five different sizes, N >= 2 and C >= 2, small enough to read."""
        n, d, h, c, o = rng.choice(np.arange(2, 9), size=5, replace=False)
        return cls(N=int(n), D=int(d), H=int(h), C=int(c), O=int(o))

    def as_dict(self) -> dict[str, int]:
        return {"N": self.N, "D": self.D, "H": self.H, "C": self.C, "O": self.O}


#: Shrink candidates, smallest first (C >= 2: a class dimension of 1 is degenerate).
SHRINK_LADDER: tuple[Sizes, ...] = (
    Sizes(1, 1, 1, 2, 1),
    Sizes(2, 1, 1, 2, 1),
    Sizes(2, 3, 1, 2, 1),
    Sizes(2, 1, 3, 3, 1),
    Sizes(3, 2, 1, 4, 2),
    Sizes(2, 3, 4, 5, 6),
    Sizes(3, 2, 4, 5, 6),
)


@dataclass(frozen=True)
class Call:
    """The arguments of one call of a contract function, and the sizes they were drawn with."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    sizes: Sizes | None = None
    kinds: dict[str, str] = field(default_factory=dict)   # axis -> the name of its kind here


def case_rng(seed: int, *names: str | int) -> np.random.Generator:
    """A generator for one case, fixed by the run's seed and the case's names."""
    keys = [seed & 0xFFFFFFFF, seed >> 32 & 0xFFFFFFFF]
    keys += [n if isinstance(n, int) else zlib.crc32(n.encode()) for n in names]
    return np.random.default_rng(keys)


class Draw:
    """Pieces of one case, drawn from ``rng`` at ``sizes``."""

    def __init__(self, rng: np.random.Generator, sizes: Sizes, simple: bool = False,
                 kinds: dict[str, Kind] | None = None):
        self.rng = rng
        self.sizes = sizes
        self.simple = simple
        self.kinds = kinds or {}
        self.N, self.D, self.H, self.C, self.O = sizes.N, sizes.D, sizes.H, sizes.C, sizes.O

    def call(self, *args: Any, **kwargs: Any) -> Call:
        """Package the arguments of a case."""
        return Call(tuple(args), dict(kwargs), self.sizes,
                    {axis: kind.name for axis, kind in self.kinds.items()})

    def pass_as(self, args: tuple[Any, ...], optional: dict[str, Any]) -> Call:
        """A call of ``args`` and the ``optional`` arguments (in signature order, following
        ``args``): by keyword or positionally, as the case's "passed" kind says (by keyword
        when the test declares no such axis)."""
        if "passed" in self.kinds and self.kind("passed") == "positional":
            return self.call(*args, *optional.values())
        return self.call(*args, **optional)

    def kind(self, axis: str) -> Any:
        """The value of this case's kind on ``axis`` (KeyError: the test declares no such axis)."""
        return self.kinds[axis].value

    def normal(self, *shape: int, scale: float = 1.0) -> np.ndarray:
        """Gaussian values (simple mode: integers in [-2, 2])."""
        if self.simple:
            return self.rng.integers(-2, 3, size=shape).astype(np.float64)
        return self.rng.normal(0.0, scale, size=shape)

    def uniform(self, *shape: int, low: float = -1.0, high: float = 1.0) -> np.ndarray:
        """Uniform values in [low, high) (simple mode: multiples of 0.5)."""
        if self.simple:
            steps = max(int((high - low) / 0.5), 1)
            return low + 0.5 * self.rng.integers(0, steps, size=shape).astype(np.float64)
        return self.rng.uniform(low, high, size=shape)

    def positive(self, *shape: int, low: float = 0.1, high: float = 2.0) -> np.ndarray:
        """Strictly positive values (variances, learning rates)."""
        if self.simple:
            return self.rng.integers(1, 3, size=shape).astype(np.float64) * max(low, 0.5)
        return self.rng.uniform(low, high, size=shape)

    def scalar(self, low: float = -1.0, high: float = 1.0) -> float:
        """One Python float."""
        return float(self.uniform(low=low, high=high))

    def extreme(self, *shape: int, size: float = 1e3) -> np.ndarray:
        """Values of both signs within +-size, reaching both ends, with exact zeros mixed in."""
        values = np.clip(self.normal(*shape) * size / 2, -size, size)
        flat = values.reshape(-1)
        if flat.size:
            flat[0] = size
        if flat.size > 1:
            flat[-1] = -size
        if flat.size > 2:
            flat[flat.size // 2] = 0.0
        return values

    def with_zeros(self, values: np.ndarray, fraction: float = 0.3) -> np.ndarray:
        """A copy of ``values`` with some entries set to exactly 0 (always at least one)."""
        out = np.array(values, dtype=np.float64)
        flat = out.reshape(-1)
        if flat.size:
            mask = self.rng.random(flat.size) < fraction
            mask[self.rng.integers(flat.size)] = True
            flat[mask] = 0.0
        return out

    def labels(self, n: int, c: int) -> np.ndarray:
        """Integer class indices of shape (n,), int64."""
        return self.rng.integers(0, c, size=n).astype(np.int64)

    def onehot(self, n: int, c: int) -> np.ndarray:
        """One-hot rows of shape (n, c)."""
        return np.eye(c)[self.labels(n, c)]

    def probs(self, n: int, c: int) -> np.ndarray:
        """Probability rows of shape (n, c)."""
        p = self.rng.uniform(0.05, 1.0, size=(n, c))
        if self.simple:
            p = self.rng.integers(1, 4, size=(n, c)).astype(np.float64)
        return p / p.sum(axis=1, keepdims=True)

    def params(self, d_in: int, h: int, d_out: int) -> dict[str, np.ndarray]:
        """MLP parameters W1 (d_in, h), b1 (h,), W2 (h, d_out), b2 (d_out,)."""
        return {
            "W1": self.normal(d_in, h, scale=1 / np.sqrt(d_in)),
            "b1": self.normal(h, scale=0.5),
            "W2": self.normal(h, d_out, scale=1 / np.sqrt(h)),
            "b2": self.normal(d_out, scale=0.5),
        }


def draw_cases(seed: int, function: str, make: Any, label: str, count: int,
               axes: tuple[Axis, ...] = (), every_combination: bool = False) -> list[Call]:
    """The cases of one test: at least ``count``, with every kind of every axis (see
    ``grader.cases.kinds``); each from its own generator at random sizes."""
    calls = []
    for index, kinds in enumerate(assignments(axes, count, every_combination)):
        rng = case_rng(seed, function, label, index)
        calls.append(make(Draw(rng, Sizes.random(rng), kinds=kinds)))
    return calls
