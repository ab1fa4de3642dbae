"""Step 2: generate the inputs of every case, afresh from a seed."""

from grader.cases.draw import SHRINK_LADDER, Call, Draw, Sizes, case_rng, draw_cases
from grader.cases.kinds import Axis, Kind

__all__ = ["SHRINK_LADDER", "Axis", "Call", "Draw", "Kind", "Sizes", "case_rng", "draw_cases"]
