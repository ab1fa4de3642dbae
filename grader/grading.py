"""Grade submissions: draw the cases, run them in the child, compare in the parent, report.

``Grader`` starts its sandbox (a pre-warmed fork server) *before* it imports the reference
solutions or computes a single expected value, so no secret is ever in a child's memory.
The cases and their expected values depend only on the seed, so a grader computes them once
for all the submissions it grades.
"""

from __future__ import annotations

import importlib.util
import re
import secrets
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from grader.cases import Call
from grader.checks import CHECK, CHECKS
from grader.checks.spec import Check, Test, Tolerance
from grader.compare.claims import Failure
from grader.compare.diagnose import (Explanation, argument_names, diagnose_outcome, explain,
                                     explain_raised, outcome_kind, required_count, structure)
from grader.compare.expect import Expected, expect, solution_for
from grader.compare.shrink import render_example, shrink_candidates
from grader.compare.verdict import Raises, Verdict, compare
from grader.contract import FROM_SCRATCH, module_of
from grader.edition import student_bundle
from grader.i18n import _, language
from grader.report import bound
from grader.report.model import (ERROR, FAILED, INTERNAL, NOT_IMPLEMENTED, Example, Report,
                                 TestResult)
from grader.sandbox import CallOutcome, Limits, Sandbox, Session
from grader.selection import EVERYTHING, Selection, select
from grader.submission import Submission, load

#: A function that crashed or timed out this often is not called again in that submission.
FAULT_BUDGET = 2
#: At most this many shrink candidates are tried per failing test.
SHRINK_TRIES = 8


@dataclass(frozen=True)
class Options:
    """How to grade: the seed fixes every input; the rest are instructors' choices."""

    seed: int
    limits: Limits = field(default_factory=Limits)
    hide_inputs: bool = False
    use_solutions: bool = True
    #: What to grade when ``Grader.grade`` is not told (``grade batch --only``).
    selection: Selection = EVERYTHING


def new_seed() -> int:
    """A fresh seed, printed in every report so the run can be repeated."""
    return secrets.randbelow(2**31)


@dataclass
class Case:
    """One call of a test and what the oracles expect of it."""

    call: Call
    expected: Expected


@dataclass
class Judgement:
    """How one case went: ``failed`` with a message, or ``internal`` (never charged)."""

    failed: bool = False
    error: bool = False          # raised, crashed or timed out rather than answered wrongly
    internal: bool = False
    message: str = ""
    forbidden: bool = False
    got: Any = None
    verdict: Verdict | None = None   # a wrong value: the comparison (its hint comes later)
    diagnosis: str = ""              # the identifier of what went wrong (an outcome's)


class Plan:
    """The cases of every test for one seed, with their expected values.

    A test's calls are drawn, and their expected values computed, on first need and kept:
    grading one module computes only its own, the expected values of the first submission
    are computed while its child runs the calls, and a grader that grades again (batch,
    ``grade watch``) never computes them twice.
    """

    def __init__(self, seed: int, use_solutions: bool):
        self.seed = seed
        self.use_solutions = use_solutions
        self._calls: dict[tuple[str, int], list[Call]] = {}
        self._cases: dict[tuple[str, int], list[Case]] = {}
        self._shrunk: dict[tuple[str, int, tuple], list[Case]] = {}

    def calls(self, check: Check, index: int) -> list[Call]:
        """The calls of test ``index`` of ``check``."""
        key = check.function, index
        if key not in self._calls:
            self._calls[key] = check.tests[index].draw(self.seed, check.function)
        return self._calls[key]

    def cases(self, check: Check, index: int) -> list[Case]:
        """The cases of test ``index`` of ``check``: its calls and their expected values."""
        key = check.function, index
        if key not in self._cases:
            self._cases[key] = [Case(call, expect(check, call, self.use_solutions))
                                for call in self.calls(check, index)]
        return self._cases[key]

    def shrunk(self, check: Check, index: int, like: Call) -> list[Case]:
        """Smaller cases of a test of the kinds of ``like``, smallest first, computed once
        on first need."""
        key = check.function, index, tuple(sorted(like.kinds.items()))
        if key not in self._shrunk:
            calls = shrink_candidates(check.tests[index], self.seed, check.function, like)
            self._shrunk[key] = [Case(c, expect(check, c, self.use_solutions))
                                 for c in calls[:SHRINK_TRIES]]
        return self._shrunk[key]


class Grader:
    """Grades submissions one after another in one sandbox (a batch runs one per worker)."""

    def __init__(self, options: Options):
        self.options = options
        self.warnings: list[str] = []
        self.sandbox: Sandbox | None = None
        self.plan: Plan | None = None
        self.oracle = "torch"

    def __enter__(self) -> "Grader":
        hidden = [p for p in (_package_dir("solutions"), _package_dir("grader")) if p]
        self.sandbox = Sandbox(self.options.limits, hidden_paths=hidden)
        try:
            self.sandbox.start()   # its own interpreter: it never sees what follows
            installed = solution_for(CHECKS[0].function) is not None
            use_solutions = self.options.use_solutions and installed
            self.oracle = "solutions+torch" if use_solutions else "torch"
            if self.options.use_solutions and not installed and not student_bundle():
                self.warnings.append(_("graded against PyTorch alone: the reference "
                                       "solutions are not installed here"))
            self.plan = Plan(self.options.seed, use_solutions)
            self.warnings[:0] = self.sandbox.warnings   # the server is ready by now
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the sandbox; nothing it started outlives this."""
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None

    def close_meanwhile(self) -> Callable[[], None]:
        """Stop the sandbox in a thread (mostly waiting for its processes to end), so that
        the caller writes the report meanwhile; what it returns waits for the end."""
        sandbox, self.sandbox = self.sandbox, None
        ending = threading.Thread(target=sandbox.close if sandbox else None)
        ending.start()
        return ending.join

    def grade(self, submission: Submission,
              only: Selection | str | Iterable[str] | None = None) -> Report:
        """Grade one submission: every function, or only those ``only`` selects.

        ``only`` is a ``Selection`` or what ``grader.selection.select`` takes: a module
        (``"activations"``), ``"module.function"`` or a bare function name (``"relu"``), or
        several (an iterable, or one string with commas: ``"activations.relu,losses"``).
        Unselected functions are not run and not in the report, so the score is out of the
        selected functions' points; ``Report.selected`` names the selection (empty: all).
        Callees outside the selection are answered by the reference. Raises
        ``SelectionError`` for an unknown name, before anything runs.
        """
        assert self.sandbox is not None and self.plan is not None, "use Grader in a with block"
        selection = only if isinstance(only, Selection) else \
            self.options.selection if only is None else select(only)
        started = time.monotonic()
        report = Report(submission=submission.name, seed=self.options.seed,
                        oracle=self.oracle, lang=language(), selected=list(selection.names))
        if self.oracle == "torch" and not student_bundle():   # normal in a bundle
            report.notes.append(_("Graded against PyTorch alone (no reference solutions here)."))
        report.notes.extend(bound.notes([why for _entry, why in submission.refused]))
        report.notes.extend(bound.notes(list(submission.notes)))
        with self.sandbox.open(submission) as session:
            report.notes.extend(bound.notes([
                _("{unit} could not be loaded: {error}").format(unit=unit, error=error)
                for unit, error in session.load_errors.items()]))
            report.output = session.load_output.rstrip().lstrip("\n")
            for check in (CHECK[function] for function in selection.functions):
                report.tests.extend(bound.test_result(result) for result in
                                    self._grade_function(session, submission, check, report))
            report.unloaded = bound.unloaded(session.load_errors)
        report.seconds = round(time.monotonic() - started, 3)
        return report

    # -- one function --------------------------------------------------------------------

    def _grade_function(self, session: Session, submission: Submission, check: Check,
                        report: Report) -> list[TestResult]:
        results = [TestResult(check.function, _(t.label), t.points, points=t.points)
                   for t in check.tests]
        if check.function not in session.available:
            message, diagnosis = _missing_message(session, submission, check.function)
            for result in results:
                result.points, result.status, result.message = 0.0, ERROR, message
                result.diagnosis = diagnosis
            return results
        faults = 0
        substituted: set[str] = set()
        callees = self._callees(check, report)
        for index, (test, result) in enumerate(zip(check.tests, results)):
            if faults >= FAULT_BUDGET:
                _fail(result, _("not run: the function crashed or timed out twice on earlier "
                                "cases"), ERROR)
                continue
            outputs: list[str] = []
            failed: list[tuple[Case, Judgement]] = []
            with closing(self._calls(session, check, self.plan.calls(check, index),
                                     callees)) as outcomes:
                cases = self.plan.cases(check, index)   # while the child runs the calls
                for case, outcome in zip(cases, outcomes):
                    substituted.update(outcome.callees_used)
                    outputs.append(outcome.output)
                    judgement = self._judge(check, test, case, outcome)
                    faults += bool(outcome.fault)
                    if judgement.forbidden:
                        return _forbid(results, judgement.message)
                    if judgement.internal:
                        result.status = INTERNAL
                        result.message = judgement.message
                    elif judgement.failed:
                        if failed:
                            failed.append((case, judgement))   # the claims must hold here too
                            continue
                        _fail(result, judgement.message, ERROR if judgement.error else FAILED)
                        result.diagnosis = judgement.diagnosis
                        if outcome.fault or judgement.diagnosis == NOT_IMPLEMENTED:
                            break
                        failed.append((case, judgement))
                        if judgement.verdict is None and not _raised(judgement):
                            break    # not a wrong value (modified in place, by hand): as it is
            if any(judgement.verdict is not None or not _raised(judgement)
                   for _case, judgement in failed):   # else every case raised: see below
                result.example, result.message, result.diagnosis = self._example(
                    session, check, index, failed, callees)
            elif failed and all(_raised(judgement) for _case, judgement in failed):
                # what it raised, with the variant that raises the same error if one does
                failures = [_failure(case, judgement) for case, judgement in failed]
                told = explain_raised(check, failures, failures[0])
                result.message, result.diagnosis = told.message, told.id
            result.output = _joined(outputs, self.options.limits.output_chars)
        substituted &= set(report.function_scores())   # not those left out by ``only``
        if substituted:
            report.notes.append(_("{function} was graded with the reference {callees}, so a "
                                  "mistake there is charged only once.").format(
                function=check.function, callees=", ".join(sorted(substituted))))
        return results

    def _calls(self, session: Session, check: Check, calls: list[Call],
               callees: dict[str, Callable[..., Any]]) -> Iterator[CallOutcome]:
        """The outcomes of ``calls`` (one exchange with the child), as they come."""
        watched = module_of(check.function) in FROM_SCRATCH or bool(check.requires)
        return session.calls(check.function, [(call.args, call.kwargs) for call in calls],
                             scratch=watched, callees=callees)

    def _first_then_rest(self, session: Session, check: Check, cases: list[Case],
                         callees: dict[str, Callable[..., Any]]
                         ) -> Iterator[tuple[Case, CallOutcome]]:
        """``cases`` with their outcomes: the first case alone, the others in a second
        exchange only if asked for (the smallest case usually shows the mistake, and the
        child then runs none of the others)."""
        for part in (cases[:1], cases[1:]):
            with closing(self._calls(session, check, [case.call for case in part],
                                     callees)) as outcomes:
                yield from zip(part, outcomes)

    def _callees(self, check: Check, report: Report) -> dict[str, Callable[..., Any]]:
        """The callees to answer with the reference: those the student lost points in.

        Callees are graded first, so a callee with full marks stays the student's own and
        a wrong one is charged only in its own tests.
        """
        scores = report.function_scores()
        return {name: self._reference(name) for name in check.callees
                if scores.get(name) != CHECK[name].points}

    def _reference(self, function: str) -> Callable[..., Any]:
        """The callee a child's proxy is answered with: the solution, else the torch oracle."""
        if self.oracle != "torch":
            solution = solution_for(function)
            if solution is not None:
                return solution
        return CHECK[function].torch

    def _judge(self, check: Check, test: Test, case: Case, outcome: CallOutcome) -> Judgement:
        """Compare one outcome with the expected value, in this (the parent) process."""
        def what_happened() -> str:
            return diagnose_outcome(outcome, argument_names(check), check.policy_exempt)

        kind = outcome_kind(outcome, check.policy_exempt)
        if outcome.forbidden and not check.policy_exempt:
            return Judgement(failed=True, forbidden=True, message=what_happened(), diagnosis=kind)
        if outcome.fault:
            return Judgement(failed=True, error=True, message=what_happened(), diagnosis=kind)
        expected = case.expected
        if expected.internal:
            return Judgement(internal=True, message=_(
                "internal error, not charged: the two references disagree ({detail})").format(
                detail=expected.internal))
        if outcome.error_type:
            if isinstance(expected.value, Raises) and expected.value.exception in outcome.error_types:
                return Judgement()
            return Judgement(failed=True, error=True, got=Raises(outcome.error_type),
                             message=what_happened(), diagnosis=kind)
        if check.requires and not _uses(outcome, check.requires):
            return Judgement(failed=True, message=_(
                "This exercise is about PyTorch's API: compute it with {library} (for example "
                "torch.nn.MSELoss), not by hand.").format(library=check.requires),
                diagnosis="outcome:by-hand")
        verdict = compare(outcome.value, expected.value, test.tolerance or check.tolerance)
        if not verdict.ok:
            return Judgement(failed=True, got=outcome.value, message=verdict.message,
                             verdict=verdict)
        if outcome.mutated:
            return Judgement(failed=True, got=outcome.value, message=what_happened(),
                             diagnosis=kind)
        return Judgement()

    def _example(self, session: Session, check: Check, index: int,
                 failed: list[tuple[Case, Judgement]], callees: dict[str, Callable[..., Any]]
                 ) -> tuple[Example, str, str]:
        """The example shown, its message and the diagnosis.

        The hint is a claim checked on every failing case of the test and on the example:
        the smallest case that fails the same way and keeps a hint that names a cause, else
        the first failing case when only it does, else the smallest case that fails the same
        way (else the first failing case) with what holds there."""
        # the first wrong value is shown (a case that raised only when none returned one)
        at = next((i for i, (_c, j) in enumerate(failed) if j.verdict is not None), 0)
        first_case, first = failed[at]
        failures = [_failure(case, judgement) for case, judgement in failed]
        names = argument_names(check)
        show_inputs = not self.options.hide_inputs
        shown = (first_case, first)
        if first.verdict is None:    # no case returned a wrong value: what happened, as it is
            explanation = Explanation(id=first.diagnosis)
        else:
            explanation = explain(check, failures, failures[at], names, show_inputs)
        smallest = None
        test = check.tests[index]
        smaller_cases = [c for c in self.plan.shrunk(check, index, first_case.call)
                         if not c.expected.internal] if test.shrink else []
        with closing(self._first_then_rest(session, check, smaller_cases, callees)) as tried:
            for smaller, outcome in tried:
                if outcome.fault:
                    break
                attempt = self._judge(check, test, smaller, outcome)
                if not (attempt.failed and not attempt.error and _same_form(attempt, first)):
                    continue
                if first.verdict is None:
                    smallest = (smaller, attempt), Explanation(id=attempt.diagnosis)
                    break
                there = explain(check, failures, _failure(smaller, attempt), names, show_inputs)
                smallest = smallest or ((smaller, attempt), there)
                if there.cause or not explanation.cause:
                    smallest = (smaller, attempt), there
                    break
        if smallest is not None and (smallest[1].cause or not explanation.cause):
            shown, explanation = smallest
        (case, judgement) = shown
        example = render_example(case.call, case.expected.value, judgement.got, names,
                                 required_count(check))
        if self.options.hide_inputs:
            example.inputs = {}
        return example, _join(judgement.message, explanation.message), explanation.id


def grade_path(path: str | Path, seed: int | None = None,
               only: str | Iterable[str] | None = None, **options: Any) -> Report:
    """Grade the submission at ``path`` once (starts and stops its own sandbox); ``only`` as
    in ``Grader.grade``."""
    selection = select(only)   # an unknown name fails before the sandbox starts
    submission = load(path)
    with Grader(Options(seed=new_seed() if seed is None else seed, **options)) as grader:
        return grader.grade(submission, selection)


# -- helpers ---------------------------------------------------------------------------------

def _package_dir(name: str) -> Path | None:
    """Where package ``name`` lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def _uses(outcome: CallOutcome, library: str) -> bool:
    """Whether the call used ``library`` (or a module inside it)."""
    return any(m == library or m.startswith(library + ".") for m in outcome.libraries)


def _missing_message(session: Session, submission: Submission, function: str
                     ) -> tuple[str, str]:
    """Why ``function`` is not there, and the diagnosis identifier of that."""
    module, name = module_of(function), function.split(".")[1]
    for entry, why in submission.refused:
        if entry == f"{module}.py":
            return why, "outcome:load-error"
    defines = re.compile(rf"^[ \t]*def[ \t]+{name}[ \t]*\(", re.MULTILINE)   # linear
    for unit in submission.units:
        if unit.name in session.load_errors and (
                unit.module == module or unit.kind == "namespace" and defines.search(unit.source)):
            return _("{module} could not be loaded: {error}").format(
                module=unit.name, error=session.load_errors[unit.name]), "outcome:load-error"
    return _("not found: define {name} in {module}.py (or in your notebook)").format(
        name=name, module=module), "outcome:missing"


def _same_form(attempt: Judgement, first: Judgement) -> bool:
    """Whether a smaller case fails the way the first failing one did: both wrong values of
    the same form (kind, place, shape diagnosis), or both not about values."""
    if attempt.verdict is None or first.verdict is None:
        return attempt.verdict is None and first.verdict is None
    return (attempt.verdict.kind, attempt.verdict.where, structure(attempt.verdict)[0]) == \
        (first.verdict.kind, first.verdict.where, structure(first.verdict)[0])


def _failure(case: Case, judgement: Judgement) -> Failure:
    """A failing case as the claims see it (an error's verdict: its exception, not a value)."""
    verdict = judgement.verdict or compare(judgement.got, case.expected.value, Tolerance())
    return Failure(case.call, judgement.got, case.expected.value, verdict,
                   judgement.message if _raised(judgement) else "")


def _raised(judgement: Judgement) -> bool:
    """Whether the case raised an exception of the student's own (not a fault)."""
    return judgement.error and isinstance(judgement.got, Raises)


def _fail(result: TestResult, message: str, status: str) -> None:
    result.points, result.status, result.message = 0.0, status, message


def _forbid(results: list[TestResult], message: str) -> list[TestResult]:
    for result in results:
        _fail(result, message, FAILED)
    return results


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def _joined(outputs: list[str], limit: int) -> str:
    text = "".join(o for o in outputs if o)
    return text if len(text) <= limit else text[:limit] + _("... [truncated]")
