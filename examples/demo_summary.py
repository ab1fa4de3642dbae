"""The last line of ``make demo``: what its two reports showed, in one line.

Usage: python examples/demo_summary.py BUGGY_REPORT SOLUTIONS_REPORT (the text reports that
``grade run`` wrote, in English or Korean).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SCORE = re.compile(r"^(?:Score|점수): ([\d.]+) / ([\d.]+)", re.MULTILINE)
FAILED = re.compile(r" (?:failed|error|실패|오류) +[\d.]+/[\d.]+ *$", re.MULTILINE)


def summary(buggy: str, solutions: str) -> str:
    """One line: each report's score, and how many lines of the buggy one's table failed."""
    (got, most), (full, full_most) = (SCORE.search(text).groups() for text in (buggy, solutions))
    failed = len(FAILED.findall(buggy))
    return (f"Demo summary: examples/buggy_submission scored {got} / {most} ({failed} failing "
            f"lines in its table, each failure followed by what is wrong and its smallest "
            f"failing example); the reference solutions scored {full} / {full_most}; both on "
            f"seed 1, the same inputs.")


if __name__ == "__main__":
    buggy_path, solutions_path = sys.argv[1:3]
    print(summary(Path(buggy_path).read_text(encoding="utf-8"),
                  Path(solutions_path).read_text(encoding="utf-8")))
