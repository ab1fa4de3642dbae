"""Which grader this is: the instructors' (with the reference solutions) or the copy that
``grade release`` writes into a student bundle's ``.grader/`` (it carries ``locale/default``,
the bundle's language). What the grader says about itself follows: the bundle's ``--help``
lists the student's commands, its defaults are the bundle's, and grading against PyTorch
alone, normal there, is not warned about."""

from __future__ import annotations

from functools import lru_cache

from grader.i18n import LOCALE_DIR


@lru_cache(maxsize=None)
def student_bundle() -> bool:
    """Whether this grader is a student bundle's."""
    return (LOCALE_DIR / "default").is_file()
