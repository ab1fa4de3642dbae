"""The benchmarks' targets: every measured figure is printed with its target, a missed target
is marked on its line (``MISSED``), and the run ends with one line per missed target and
exit status 1 (``make bench`` then fails)."""

from __future__ import annotations

#: Peak memory (PSS, MiB) of the whole process tree of ``grade batch --jobs 2`` (issue 25).
MEMORY_TWO_JOBS = 400
#: MiB of peak memory each worker beyond two may add (issue 25).
MEMORY_PER_JOB = 100
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
