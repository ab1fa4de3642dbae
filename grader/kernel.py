"""``check()``: grade the functions of the running notebook, otter-grader style.

    from grader import check
    check("relu")           # one function; check("activations") a module; check() all

The functions are read from the kernel (``grader.submission.kernel``); a function whose cell
is still the stub is taken from the bundle's ``exercises/`` when written there (``grader.uses``,
and the report's notes say so). They are graded like any submission: in a sandbox child forked from a warm fork server, never in the kernel itself.
The first call starts one ``Grader`` (its sandbox, one seed) that later calls reuse for the
kernel's life, so a repeated check costs one fork and the calls, and a change in the result
is a change in the code. The result shows as an HTML table in Jupyter and as the terminal
report elsewhere.

This is feedback, not a grade: the kernel is the student's own process, so nothing it shows
is beyond the student's reach; only grading on the instructor's side counts.
"""

from __future__ import annotations

import atexit
import sys
from dataclasses import replace
from typing import Any, Iterable

from grader.grading import Grader, Options, new_seed
from grader.i18n import LANGUAGES, _, using
from grader.report.model import Report
from grader.selection import SelectionError, select
from grader.submission.kernel import kernel_submission
from grader.uses import stubs_from_exercises

_grader: Grader | None = None


class CheckResult:
    """What ``check()`` returns: the report, shown as HTML in Jupyter and as text elsewhere."""

    def __init__(self, report: Report | None, problem: str = "", lang: str | None = None):
        self.report = report
        self.problem = problem
        self.lang = lang          # the language of this call's check(), None: the default

    @property
    def score(self) -> float:
        return self.report.score if self.report else 0.0

    @property
    def max_score(self) -> float:
        return self.report.max_score if self.report else 0.0

    def __repr__(self) -> str:
        from grader.report import text

        if self.report is None:
            return "grade: error: " + self.problem
        with using(self.lang):
            return text.render(self.report, notebook=True).rstrip("\n")

    def _repr_html_(self) -> str:
        from grader.report import neutral, notebook_html

        if self.report is None:
            return f"<p style='color:#cf222e'>{neutral.html(self.problem)}</p>"
        with using(self.lang):
            return notebook_html.render(self.report)


def check(names: str | Iterable[str] | None = None, *, lang: str | None = None,
          seed: int | None = None, namespace: dict[str, Any] | None = None) -> CheckResult:
    """Grade the notebook's functions that ``names`` selects (a module, ``module.function``
    or a function name, several with commas; None: every function).

    ``lang`` is ``"en"`` or ``"ko"`` for this call only (default: ``$GRADER_LANG``, else
    the bundle's language, else English); ``seed``
    starts the kernel's grader with that seed (else the first call draws one and keeps it);
    ``namespace`` defaults to the caller's globals (the notebook's). A bad name gives a
    result that says so in one line.
    """
    if lang is not None and lang not in LANGUAGES:
        return CheckResult(None, _("unknown language {lang}: use one of {languages}").format(
            lang=lang, languages=", ".join(LANGUAGES)))
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    with using(lang):
        try:
            selection = select(names)
        except SelectionError as error:
            return CheckResult(None, str(error), lang)
        notes = stubs_from_exercises(namespace, list(selection.functions))
        submission = kernel_submission(namespace, selection.functions, name=_("this notebook"))
        submission = replace(submission, notes=submission.notes + tuple(notes))
        try:
            report = _kernel_grader(seed).grade(submission, selection)
        except Exception:       # the kernel's sandbox died (the machine, a kill): once afresh
            _close()
            report = _kernel_grader(seed).grade(submission, selection)
    return CheckResult(report, lang=lang)


def _kernel_grader(seed: int | None) -> Grader:
    """The kernel's grader, started on first use (or again with another ``seed``)."""
    global _grader
    if _grader is not None and seed is not None and _grader.options.seed != seed:
        _close()
    if _grader is None:
        grader = Grader(Options(seed=new_seed() if seed is None else seed))
        grader.__enter__()
        _grader = grader
    return _grader


def _close() -> None:
    global _grader
    if _grader is not None:
        _grader.close()
        _grader = None


atexit.register(_close)
