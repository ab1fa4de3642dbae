"""Benchmarks run on demand (make bench, make mutants); importable for their pieces."""
