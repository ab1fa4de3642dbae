"""Step 1: load a submission (folder, module file, notebook or zip) into units for the child."""

from grader.submission.load import LoadError, Submission, Unit, load

__all__ = ["LoadError", "Submission", "Unit", "load"]
