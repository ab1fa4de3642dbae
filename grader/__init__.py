"""Autograder for the Deep Learning Basics exercises.

The flow, one folder a step: ``submission`` (load) -> ``cases`` (generate inputs) ->
``sandbox`` (run student code in a child process) -> ``compare`` (check against the
oracles, in the parent) -> ``report`` (text, JSON, Gradescope, JUnit, ...).
``checks`` declares, once per contract function, its points, cases, oracles and tolerance;
``grading`` ties the steps together; ``classroom`` holds batch grading and bundles.
"""

__version__ = "0.1.0"
