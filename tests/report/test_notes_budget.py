"""Every output format keeps its size budget whatever the submission does, notes included
(tests/adversarial/many_failing_cells)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat

from grader.report import FORMATS, bound, gradescope, render
from grader.report.model import Report
from grader.report.model import TestResult as Result

ROOT = Path(__file__).resolve().parents[2]
CASE = json.loads((ROOT / "tests" / "adversarial" / "many_failing_cells" / "case.json")
                  .read_text(encoding="utf-8"))
#: As tests/report/test_hostile_submissions.py: no format's report comes near this.
MOST_BYTES = 256 * 1024


def failing_cells(path: Path) -> Path:
    cells = [nbformat.v4.new_code_cell(f"raise ValueError({str(n) + 'x' * 500!r})")
             for n in range(CASE["cells"])]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_a_report_of_thousands_of_notes_stays_within_every_budget() -> None:
    notes = [f'cell "raise ValueError({n})" could not be loaded: ValueError: ' + "x" * 500
             for n in range(CASE["cells"])]
    report = Report(submission="many", seed=1, notes=notes,
                    unloaded={f"cell {n}": "ValueError" for n in range(CASE["cells"])},
                    tests=[Result("losses.mse", "values", 100.0, 0.0, "error", "missing")])
    assert sum(map(len, notes)) > 2_000_000
    for fmt in FORMATS:
        size = len(render(report, fmt).encode("utf-8"))
        assert size < MOST_BYTES, (fmt, size)
    bounded = bound.report(report)
    assert bounded.notes[-1] == bound.more(CASE["cells"] - len(bounded.notes) + 1)
    assert len(bounded.unloaded) == bound.UNLOADED_SHOWN


def test_gradescope_results_of_a_notebook_of_failing_cells_fit_in_a_megabyte(
        tmp_path: Path) -> None:
    notebook = failing_cells(tmp_path / "many.ipynb")
    assert notebook.stat().st_size > 2_500_000
    grade = Path(sys.executable).with_name("grade")
    done = subprocess.run([str(grade), "run", str(notebook), "--format", "gradescope",
                           "--seed", "1", "--timeout", "20", "--only", "losses.mse"],
                          capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(done.stdout.encode("utf-8")) <= gradescope.BUDGET
    document = json.loads(done.stdout)
    assert document["score"] == 0 and "could not be loaded" in document["output"]
