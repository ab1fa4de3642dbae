"""The records a grading run produces: small, typed, JSON round-trippable."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Test statuses. ``internal``: the two oracles disagreed, the grader's fault, never charged.
PASSED, FAILED, ERROR, INTERNAL = "passed", "failed", "error", "internal"
#: Diagnoses of functions the submission does not have (yet): reports summarise their tests.
MISSING, UNLOADABLE, NOT_IMPLEMENTED = "outcome:missing", "outcome:load-error", \
    "outcome:not-implemented"


@dataclass
class Example:
    """The smallest failing case: its inputs, what was expected and what came back (rendered)."""

    inputs: dict[str, str]
    expected: str
    got: str


@dataclass
class TestResult:
    """One scored test of one contract function."""

    function: str                  # "losses.mse"
    label: str                     # translated label
    max_points: float
    points: float = 0.0
    status: str = PASSED
    message: str = ""              # what went wrong and the hint, translated
    output: str = ""               # what the submission printed during the test (truncated)
    example: Example | None = None
    #: A stable identifier of what went wrong, for grouping a class's failures ("" when the
    #: test passed or nothing is known): "mistake:<function>:<n>" (the n-th declared mistake),
    #: "outcome:<kind>" (missing, not-implemented, timeout, memory, crash, exit, forbidden,
    #: raised:<Type>, mutated, refused, load-error, by-hand, unreadable), a checked
    #: claim "<kind>:[<param>]@<path>" (``grader.compare.claims``) such as "factor:N·D@",
    #: "sign:@[1]", "shape:transposed@", "where:<=0@", "nonfinite-row:@", or "differ" (no claim
    #: holds: the hint only describes what is observed).
    diagnosis: str = ""

    @property
    def name(self) -> str:
        return f"{self.function}: {self.label}"


@dataclass
class Report:
    """The result of grading one submission."""

    submission: str
    seed: int
    tests: list[TestResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # import errors, oracle mode, substitutions
    output: str = ""                                 # what the submission printed while loading
    oracle: str = "solutions+torch"                 # or "torch"
    seconds: float = 0.0
    status: str = "graded"                           # or "error" (the submission could not be graded)
    lang: str = "en"
    #: What ``--only`` selected, as given ("activations", "losses.mse"); empty: everything.
    selected: list[str] = field(default_factory=list)
    #: The units that could not be loaded (syntax error, exception at import) and why.
    unloaded: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return round(sum(t.points for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_points for t in self.tests), 6)

    def function_scores(self) -> dict[str, float]:
        """Points per contract function, in grading order."""
        scores: dict[str, float] = {}
        for test in self.tests:
            scores[test.function] = round(scores.get(test.function, 0.0) + test.points, 6)
        return scores

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["score"] = self.score
        data["max_score"] = self.max_score
        for test, raw in zip(self.tests, data["tests"]):
            raw["name"] = test.name
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Report":
        tests = []
        for raw in data.get("tests", []):
            raw = {k: v for k, v in raw.items() if k != "name"}
            example = raw.pop("example", None)
            tests.append(TestResult(**raw, example=Example(**example) if example else None))
        fields = {k: data[k] for k in ("submission", "seed", "notes", "output", "oracle",
                                        "seconds", "status", "lang", "selected", "unloaded")
                  if k in data}
        return cls(tests=tests, **fields)
