"""grade batch finds each student's submission wherever it is inside the entry (one folder,
a repository with exercises/, a .zip among the files), as grade run and Gradescope do."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import solutions
from grader.classroom.batch import run_batch
from grader.cli import make_options

SOLUTIONS = Path(solutions.__file__).parent


def buggy(folder: Path) -> Path:
    """The solutions with relu returning x."""
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__*"))
    activations = folder / "activations.py"
    activations.write_text(activations.read_text().replace("return np.maximum(x, 0.0)",
                                                           "return x"))
    return folder


def test_every_layout_gets_the_flat_folders_score(tmp_path):
    klass = tmp_path / "class"
    flat = buggy(klass / "flat")
    buggy(klass / "heidi" / "heidi")                       # a zipped folder, unpacked
    buggy(klass / "victor" / "hw1-victor" / "exercises")   # a repository one level down
    (klass / "victor" / "hw1-victor" / "README.md").write_text("# hw1\n")
    (klass / "zed").mkdir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for module in flat.glob("*.py"):
            archive.write(module, f"hw1/{module.name}")
    (klass / "zed" / "hw1.zip").write_bytes(buffer.getvalue())   # a .zip among the files
    options = make_options(seed=5, hide_inputs=False, no_solutions=False, timeout=5.0,
                           memory=None)
    run_batch(klass, tmp_path / "out", options, jobs=1, progress=False)
    with (tmp_path / "out" / "gradebook.csv").open(encoding="utf-8-sig") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"flat", "heidi", "victor", "zed"}
    assert {row["status"] for row in rows.values()} == {"graded"}, rows
    assert 0 < float(rows["flat"]["score"]) < 100
    assert {row["score"] for row in rows.values()} == {rows["flat"]["score"]}
