"""Step 2: generate the inputs of every case, afresh from a seed."""

from grader.cases.draw import SHRINK_LADDER, Call, Draw, Sizes, case_rng, draw_cases

__all__ = ["SHRINK_LADDER", "Call", "Draw", "Sizes", "case_rng", "draw_cases"]
