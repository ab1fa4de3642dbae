"""A Dask worker preload for the tests: a submission whose code holds ``POISON`` ends the
worker process that takes it, as a fault of the grader or of the machine would (a submission
cannot do it through the sandbox). Loaded with ``dask worker --preload THIS_FILE``."""

from __future__ import annotations

import os
from typing import Any

from grader.classroom import dask_batch

POISON = "# end the worker that grades this"


def dask_setup(worker: Any) -> None:
    grade = dask_batch.GraderPlugin.grade

    def ending(self: Any, submission: Any, *args: Any) -> Any:
        if any(POISON in unit.source for unit in submission.units):
            os._exit(70)
        return grade(self, submission, *args)

    dask_batch.GraderPlugin.grade = ending
