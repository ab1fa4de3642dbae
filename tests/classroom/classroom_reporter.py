"""What GitHub Classroom's reporter (autograding-grading-reporter v1) makes of runner results.

Written from the rules of its source, not copied: for each name of the ``runners`` input
(split on ",", trimmed), the variable ``<NAME upper-cased>_RESULTS`` is base64-decoded
(Node's ``Buffer.from(value, "base64")``), read as UTF-8 and parsed as JSON. The console
shows, per runner, ``passed / all × max_score`` ("Total points for X: T/M", only when
max_score is not 0), a line per test (``✅ name`` / ``❌ name``, or ``Error: message`` for an
error, falling back to the name when the message is empty) and ``Test code:`` followed by the
test's ``test_code`` when it is not empty, whatever the test's status. Classroom records
``Points T/M`` where T sums the tests' ``score`` and M the runners' ``max_score`` (runners
with a falsy max_score left out). The job fails when a runner's status
is ``fail`` or ``error``.

``NODE_DECODER`` does the same under Node, so the decoding is checked against the real
runtime (base64 leniency, UTF-8, JSON.parse).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field


@dataclass
class Reported:
    """What the reporter shows and records."""

    runner_totals: dict[str, float] = field(default_factory=dict)   # console, per runner
    console_total: float = 0.0                                      # its "Total:" row
    points: float = 0.0                                             # the notice's T
    max_points: float = 0.0                                         # the notice's M
    lines: list[str] = field(default_factory=list)                  # one per test
    console: list[str] = field(default_factory=list)                # all it prints per test
    failed: bool = False


def decode(value: str) -> dict:
    """One runner's result, decoded as the reporter decodes it."""
    return json.loads(base64.b64decode(value).decode("utf-8"))


def report(runners: str, env: dict[str, str]) -> Reported:
    """What the reporter makes of the ``runners`` input and the environment ``env``."""
    out = Reported()
    for runner in runners.split(","):
        results = decode(env[f"{runner.strip().upper()}_RESULTS"])
        tests, max_score = results["tests"], results.get("max_score") or 0
        passed = sum(test["status"] == "pass" for test in tests)
        total = passed / len(tests) * max_score
        out.runner_totals[runner] = total
        out.console_total += total
        for test in tests:
            if test["status"] == "pass":
                out.lines.append(f"✅ {test['name']}")
            elif test["status"] == "error":
                out.lines.append(f"Error: {test['message'] or test['name']}")
            else:
                out.lines.append(f"❌ {test['name']}")
            out.console.append(out.lines[-1])
            if test.get("test_code"):
                out.console.append(f"Test code:\n{test['test_code']}\n")
        if results.get("max_score"):
            out.max_points += results["max_score"]
            out.points += sum(test["score"] for test in tests)
        out.failed |= results["status"] in ("fail", "error")
    return out


#: The same rules in JavaScript, run by ``node``: reads RUNNERS and the *_RESULTS variables
#: from its environment, prints the ``Reported`` fields as JSON.
NODE_DECODER = r"""
const out = {runner_totals: {}, console_total: 0, points: 0, max_points: 0, lines: [],
             console: [], failed: false};
for (const runner of process.env.RUNNERS.split(",")) {
  const encoded = process.env[`${runner.trim().toUpperCase()}_RESULTS`];
  const results = JSON.parse(Buffer.from(encoded, "base64").toString("utf-8"));
  const maxScore = results.max_score || 0;
  const passed = results.tests.filter((t) => t.status === "pass").length;
  const total = (passed / results.tests.length) * maxScore;
  out.runner_totals[runner] = total;
  out.console_total += total;
  for (const t of results.tests) {
    if (t.status === "pass") out.lines.push(`✅ ${t.name}`);
    else if (t.status === "error") out.lines.push(`Error: ${t.message || t.name}`);
    else out.lines.push(`❌ ${t.name}`);
    out.console.push(out.lines[out.lines.length - 1]);
    if (t.test_code) out.console.push(`Test code:\n${t.test_code}\n`);
  }
  if (results.max_score) {
    out.max_points += results.max_score;
    for (const t of results.tests) out.points += t.score;
  }
  out.failed = out.failed || results.status === "fail" || results.status === "error";
}
console.log(JSON.stringify(out));
"""
