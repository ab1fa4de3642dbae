"""Classroom tooling: the student stubs, batch grading and releases."""
