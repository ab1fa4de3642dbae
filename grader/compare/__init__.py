"""Step 4: compare in the parent: verdicts, diagnoses of mistakes, smallest failing example."""
