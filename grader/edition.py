"""Which grader this is: the instructors' (with the reference solutions) or the copy that
``grade release`` writes into a student bundle's ``.grader/`` (it carries ``locale/default``,
the bundle's language, and for one assignment's bundle ``locale/assignment``, what it
grades). What the grader says about itself follows: the bundle's ``--help`` lists the
student's commands, its defaults are the bundle's, and grading against PyTorch alone,
normal there, is not warned about."""

from __future__ import annotations

from functools import lru_cache

from grader.i18n import LOCALE_DIR

#: In an assignment's bundle (``grade release --only``): the names it grades, as ``--only``
#: takes them.
ASSIGNMENT = LOCALE_DIR / "assignment"


@lru_cache(maxsize=None)
def student_bundle() -> bool:
    """Whether this grader is a student bundle's."""
    return (LOCALE_DIR / "default").is_file()


@lru_cache(maxsize=None)
def assignment() -> str:
    """What this bundle's ``grade run`` and ``grade watch`` grade when not told (``--only``'s
    names), or "" for everything."""
    try:
        return ASSIGNMENT.read_text(encoding="utf-8").strip() if student_bundle() else ""
    except OSError:
        return ""
