"""Classes built without grading (reports made from the checks' declarations) and a
Gradescope export's metadata, for the class report's tests."""

from __future__ import annotations

from grader.checks import CHECKS
from grader.classroom.identities import Identity
from grader.classroom.store import Record
from grader.report.model import ERROR, FAILED, Report, TestResult

SEED = 5

#: As Gradescope's "Export Submissions" writes it (Ruby symbols as keys, one entry per
#: submission folder, several submitters for a group).
METADATA = """\
submission_284190011:
  :submitters:
  - :name: 김민준
    :sid: '2026123456'
    :email: minjun.kim@example.ac.kr
  :created_at: 2026-11-28 21:14:03.512731000 +09:00
  :score: 0.0
  :history: []
submission_284190012:
  :submitters:
  - :name: "=HYPERLINK(\\"http://evil.example\\")"
    :sid: '2026000002'
    :email: grace@example.edu
  - :name: Ada Lovelace
    :sid: '2026000001'
    :email: ada@example.edu
  :created_at: 2026-11-29 09:01:44.000000000 +09:00
  :score: 12.5
  :history:
  - :created_at: 2026-11-28 10:00:00.000000000 +09:00
    :score: 3.0
"""


def report(name: str, wrong: dict[str, str] | None = None, absent: tuple[str, ...] = (),
           stub: tuple[str, ...] = ()) -> Report:
    """Full points except: in ``wrong`` (function -> diagnosis) the first test fails with
    that diagnosis, functions in ``absent`` are missing, in ``stub`` not implemented."""
    wrong = wrong or {}
    tests = []
    for check in CHECKS:
        for index, test in enumerate(check.tests):
            result = TestResult(check.function, test.label, test.points, points=test.points)
            if check.function in absent or check.function in stub:
                result.points, result.status = 0.0, ERROR
                result.diagnosis = ("outcome:missing" if check.function in absent
                                    else "outcome:not-implemented")
                result.message = f"{check.function}: {result.diagnosis}"
            elif check.function in wrong and index == 0:
                result.points, result.status = 0.0, FAILED
                result.diagnosis = wrong[check.function]
                result.message = f"expected {index + 1.5}, got -{index}\n{wrong[check.function]}"
            tests.append(result)
    return Report(submission=name, seed=SEED, tests=tests)


def record(name: str, student: str = "", **kwargs) -> Record:
    return Record(name, report(name, **kwargs), identity=Identity(student=student))


def mistakes_class() -> tuple[list[Record], dict[tuple[str, str], int]]:
    """A class in which the n-th declared mistake of every check is made by ``1 + n % 3``
    students (each student makes one), with three students who attempted nothing of it and
    three with full points; returns the records and the expected (function, diagnosis) ->
    number of students."""
    records, expected = [], {}
    for check in CHECKS:
        for index, _mistake in enumerate(check.mistakes):
            kind = f"mistake:{check.function}:{index}"
            expected[check.function, kind] = 1 + index % 3
            for k in range(1 + index % 3):
                name = f"{check.function}-{index}-{k}"
                records.append(record(name, wrong={check.function: kind}))
    records += [record("absent", absent=tuple(c.function for c in CHECKS)),
                record("stub", stub=tuple(c.function for c in CHECKS)),
                record("half", absent=tuple(c.function for c in CHECKS[::2]),
                       stub=tuple(c.function for c in CHECKS[1::2]))]
    records += [record(f"full-{n}", student=f"Student {n}") for n in range(3)]
    return records, expected
