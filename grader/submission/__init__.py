"""Step 1: load a submission (folder, module file, notebook or zip) into units for the child."""

from grader.submission.load import LoadError, Refused, Submission, Unit, load

__all__ = ["LoadError", "Refused", "Submission", "Unit", "load"]
