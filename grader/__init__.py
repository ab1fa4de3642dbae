"""Autograder for the Deep Learning Basics exercises.

The flow, one folder a step: ``submission`` (load) -> ``cases`` (generate inputs) ->
``sandbox`` (run student code in a child process) -> ``compare`` (check against the
oracles, in the parent) -> ``report`` (text, JSON, Gradescope, JUnit, ...).
``checks`` declares, once per contract function, its points, cases, oracles and tolerance;
``grading`` ties the steps together; ``classroom`` holds batch grading and bundles.
In a notebook, ``from grader import check; check("relu")`` (``grader.kernel``).
"""

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``grader.check`` on first use, so ``import grader`` stays light (the CLI's start)."""
    if name == "check":
        from grader.kernel import check
        return check
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
