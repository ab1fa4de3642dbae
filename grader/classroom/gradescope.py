"""``grade gradescope OUT.zip``: the Gradescope autograder bundle (grader and solutions).

At the zip's root: ``setup.sh`` (a venv with CPU PyTorch and ``requirements.txt``),
``run_autograder`` (grades ``$AUTOGRADER_ROOT/submission`` into ``results/results.json``), and
the ``grader`` and ``solutions`` packages, so Gradescope grades against both oracles. The
packages are run from the source folder, never installed into the venv, so the sandbox's
hiding of those folders from student code covers every copy. ``visibility`` rules
(``PATTERN=LEVEL``, see ``grader.report.gradescope``) and the feedback language are baked into
``run_autograder``, which derives each submission's seed from Gradescope's
``submission_metadata.json`` (``grader.classroom.regrade``), so a regrade gives the same
score.
"""

from __future__ import annotations

import shlex
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from grader.classroom.assignment import points_of
from grader.classroom.bundle import copy_package, dependencies, write_template
from grader.selection import EVERYTHING, Selection


def build_bundle(out_zip: Path, visibility: Sequence[tuple[str, str]] = (),
                 lang: str = "ko", selection: Selection = EVERYTHING) -> None:
    """Write the Gradescope autograder zip to ``out_zip``; tests matching a ``visibility``
    rule's glob get its level; the feedback is in ``lang`` (``ko``, the course's, or ``en``);
    with a ``selection`` (``--only``) it grades only those functions, out of their points."""
    out_zip = Path(out_zip)
    options = " ".join(f"--visibility {shlex.quote(f'{pattern}={level}')}"
                       for pattern, level in visibility)
    if not selection.everything:
        options += f" --only {shlex.quote(','.join(selection.names))}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_template(root / "setup.sh", "setup.sh", executable=True)
        write_template(root / "run_autograder", "run_autograder", executable=True,
                       visibility=options, lang=lang,
                       max_score=f"{points_of(selection.functions):g}")
        (root / "requirements.txt").write_text("\n".join(dependencies()) + "\n")
        copy_package("grader", root / "grader")
        copy_package("solutions", root / "solutions")
        out_zip.parent.mkdir(parents=True, exist_ok=True)
        _zip(root, out_zip)


def _zip(folder: Path, out_zip: Path) -> None:
    """Zip ``folder``'s contents (not the folder itself), keeping executable bits."""
    with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo.from_file(path, path.relative_to(folder).as_posix())
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
