"""The benchmarks' targets: every measured figure is printed with its target, a missed target
is marked on its line (``MISSED``), and the run ends with one line per missed target and
exit status 1 (``make bench`` then fails)."""

from __future__ import annotations

#: ``grade run`` on one submission, over a fresh ``import numpy, torch`` (issue 25).
RUN_RATIO = 1.1
#: ``grade batch --jobs 2`` per submission over the import, for a class of ``BATCH_SIZE``
#: (issue 25; smaller classes pay the batch's fixed cost over fewer submissions).
BATCH_RATIO, BATCH_SIZE = 0.05, 1000
#: Peak memory (PSS, MiB) of the whole process tree of ``grade batch --jobs 2`` over a class
#: of ``MEMORY_SIZE``, and what each worker beyond two may add (issue 25).
MEMORY_TWO_JOBS, MEMORY_PER_JOB, MEMORY_SIZE = 400, 100, 200
#: The lines of the targets missed so far in this process.
missed: list[str] = []


def target(what: str, value: float, limit: float, unit: str = "x") -> str:
    """``target <= 1.5x``, followed by ``  MISSED`` (and remembered) when ``value`` is above
    ``limit``."""
    text = f"target <= {limit:g}{'' if unit == 'x' else ' '}{unit}"
    if value > limit:
        missed.append(f"{what}: {value:.3g}{'' if unit == 'x' else ' '}{unit} > {limit:g}"
                      f"{'' if unit == 'x' else ' '}{unit}")
        return text + "  MISSED"
    return text


def finish() -> None:
    """End the run: a line per missed target and exit status 1, or one line saying all met."""
    if missed:
        print(f"MISSED {len(missed)} target(s): " + "; ".join(missed))
        raise SystemExit(1)
    print("every target met")
