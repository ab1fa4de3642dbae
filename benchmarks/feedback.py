"""Feedback benchmark: is every hint the grader gives a killed mutant a true claim?

Run ``make feedback`` (or ``.venv/bin/python -m benchmarks.feedback --seeds 1 2 3``). The
mutants of ``benchmarks/mutants.py`` are graded in one batch; then, for every killed mutant
and every failing test of its function, the hint's claim (rebuilt from the test's
``diagnosis`` identifier by ``grader.compare.claims.claim_of``) is checked against the
mutant's actual outputs on that test's failing cases (the mutant runs here, in this process,
on the seed's cases, with the reference standing in for callees that lost points, as the
grader does). A claim false on one of them is **misleading**.

Each killed mutant counts once: misleading if one of its hints is; else *names a cause* if
one of its failing tests gets a hint that names a cause (a declared mistake, a form of the
result, a sign, a factor law, where nan/inf come from, wrong only at 0, an outcome such as an
exception); else *neutral* (a precise description of what is observed only). The run prints
the share named over all seeds and exits 1 when a hint is misleading or that share is below
``MIN_NAMED`` (80%). Advice is part of the claim: a hint's advice is shown only where its
mechanism was verified (``grader.compare``), and the identifier audited here encodes it.

API: ``audit(mutant, report, seed) -> list[Finding]``; ``classify(findings) -> str``.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import signal
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from benchmarks import mutants as mb

MISLEADING, CAUSE, NEUTRAL = "misleading", "names a cause", "neutral"
#: The share (%) of killed mutants whose hint must name a cause: below it, the run fails.
MIN_NAMED = 80.0
#: Seconds a mutant may take on one case here (it already ran within the grader's limits).
CALL_SECONDS = 10


@dataclass(frozen=True)
class Finding:
    """One failing test's hint: its identifier, whether it names a cause, whether it held."""

    test: str
    diagnosis: str
    cause: bool
    holds: bool | None        # None: states nothing checkable about values (an outcome)
    why: str = ""             # the failing case it is false on


class _Timeout(Exception):
    pass


@contextmanager
def _limit(seconds: int) -> Iterator[None]:
    def stop(*_args: Any) -> None:
        raise _Timeout()
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def load(mutant: mb.Mutant, folder: Path) -> Any:
    """The mutated module imported as a package of its own (its imports resolve beside it)."""
    package = folder.name
    mb.submission(mutant, folder)
    (folder / "__init__.py").write_text("")
    if str(folder.parent) not in sys.path:
        sys.path.insert(0, str(folder.parent))
    return importlib.import_module(f"{package}.{mutant.module}")


def outputs(function: Callable[..., Any], call: Any) -> Any:
    """What ``function`` returns on a copy of the call's arguments (an exception as is)."""
    try:
        with _limit(CALL_SECONDS), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return function(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))
    except Exception as error:  # noqa: BLE001 - a raised exception is the outcome
        return error


def audit(mutant: mb.Mutant, report: Any, seed: int, module: Any, plan: Any) -> list[Finding]:
    """Check the hint of every failing test of the mutant's function(s) on its failing cases."""
    from grader.checks import CHECK
    from grader.compare.claims import Failure, claim_of
    from grader.compare.diagnose import argument_names
    from grader.compare.expect import solution_for
    from grader.compare.verdict import compare
    from grader.report.model import PASSED

    scores = report.function_scores()
    findings = []
    for result in report.tests:
        if result.status == PASSED or not result.function.startswith(mutant.module + ".") or (
                mutant.function in CHECK and result.function != mutant.function):
            continue
        check = CHECK[result.function]
        diagnosis = result.diagnosis
        if not diagnosis or diagnosis == "differ":
            findings.append(Finding(result.name, diagnosis, False, None))
            continue
        claim = claim_of(check, diagnosis, argument_names(check))
        if claim is None:
            findings.append(Finding(result.name, diagnosis, diagnosis.startswith("outcome:"), None))
            continue
        index = next(i for i, t in enumerate(check.tests) if t.label == result.label)
        test = check.tests[index]
        function = getattr(module, check.function.split(".")[1])
        saved = {}
        for callee in check.callees:     # the grader answers a wrong callee with the reference
            name = callee.split(".")[1]
            if scores.get(callee) != CHECK[callee].points and hasattr(module, name):
                saved[name] = getattr(module, name)
                setattr(module, name, solution_for(callee))
        holds, why = True, ""
        try:
            for case in plan.cases(check, index):
                if case.expected.internal:
                    continue
                got = outputs(function, case.call)
                verdict = compare(got, case.expected.value, test.tolerance or check.tolerance)
                if not verdict.ok and not claim.holds(
                        Failure(case.call, got, case.expected.value, verdict)):
                    holds, why = False, verdict.message.splitlines()[0]
                    break
        finally:
            for name, value in saved.items():
                setattr(module, name, value)
        findings.append(Finding(result.name, diagnosis, claim.cause, holds, why))
    return findings


def classify(findings: list[Finding]) -> str:
    """A killed mutant's class: misleading, names a cause, or neutral."""
    if any(f.holds is False for f in findings):
        return MISLEADING
    return CAUSE if any(f.cause for f in findings) else NEUTRAL


def run(seed: int, mutants: list[mb.Mutant], jobs: int, verbose: bool = False
        ) -> tuple[dict[str, dict[str, int]], list[tuple[mb.Mutant, list[Finding]]], float]:
    """Grade the mutants with ``seed`` and audit the hints of the killed ones: counts per
    module, the misleading mutants with their findings, and the seconds it took."""
    from grader.grading import Plan

    known = mb.equivalents()
    started = time.perf_counter()
    reports = mb.grade(mutants, seed, jobs)
    plan = Plan(seed, use_solutions=True)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {MISLEADING: 0, CAUSE: 0, NEUTRAL: 0})
    misleading = []
    with tempfile.TemporaryDirectory(prefix="feedback-") as tmp:
        for number, mutant in enumerate(mutants):
            report = reports[mutant.id]
            if mutant.id in known or not mb.killed(mutant, report):
                continue
            if report.status != "graded":   # the module could not be loaded: said so, with why
                findings = [Finding("", "outcome:ungradable", True, None)]
            else:
                module = load(mutant, Path(tmp) / f"fb{seed}_{number:05d}")
                findings = audit(mutant, report, seed, module, plan)
            kind = classify(findings)
            counts[mutant.module][kind] += 1
            if kind == MISLEADING:
                misleading.append((mutant, findings))
            if verbose:
                print(f"  {kind:<14} {mutant.id}  {mutant.description}: "
                      + "; ".join(f"{f.diagnosis or '-'}" for f in findings))
    return counts, misleading, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--modules", nargs="+", choices=mb.module_names(), default=None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--verbose", action="store_true", help="one line per killed mutant")
    parser.add_argument("--min-named", type=float, default=MIN_NAMED,
                        help="the share (%%) of killed mutants whose hint must name a cause")
    args = parser.parse_args(argv)
    mutants = mb.generate(args.modules)
    failed = False
    overall = {MISLEADING: 0, CAUSE: 0, NEUTRAL: 0}
    for seed in args.seeds:
        counts, misleading, elapsed = run(seed, mutants, args.jobs, args.verbose)
        print(f"\nseed {seed}: hints of killed mutants, audited in {elapsed:.1f} s")
        print(f"  {'':<20} {'killed':>7} {'misleading':>11} {'cause':>7} {'neutral':>8} {'cause %':>8}")
        total = {MISLEADING: 0, CAUSE: 0, NEUTRAL: 0}
        for name in sorted(counts):
            row = counts[name]
            for key in total:
                total[key] += row[key]
            print(_row(name, row))
        print(_row("all", total))
        for key in overall:
            overall[key] += total[key]
        for mutant, findings in misleading:
            for f in findings:
                if f.holds is False:
                    print(f"  MISLEADING {mutant.id} ({mutant.description}): {f.test}: "
                          f"{f.diagnosis} is false on: {f.why}")
        failed |= bool(misleading)
    share = named_share(overall)
    print(f"\nnamed a cause: {share:.1f}% of {sum(overall.values())} killed mutants over seeds "
          f"{' '.join(map(str, args.seeds))} (target {args.min_named:g}%); "
          f"misleading: {overall[MISLEADING]}")
    return 1 if failed or share < args.min_named else 0


def named_share(counts: dict[str, int]) -> float:
    """The percentage of killed mutants whose hints name a cause (0 when none was killed)."""
    killed = sum(counts.values())
    return 100 * counts[CAUSE] / killed if killed else 0.0


def _row(name: str, row: dict[str, int]) -> str:
    killed = sum(row.values())
    share = 100 * row[CAUSE] / killed if killed else 0.0
    return (f"  {name:<20} {killed:7d} {row[MISLEADING]:11d} {row[CAUSE]:7d} {row[NEUTRAL]:8d} "
            f"{share:7.1f}%")


if __name__ == "__main__":
    sys.exit(main())
