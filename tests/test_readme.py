"""Every command of the README's ``bash`` blocks runs, as written, in a fresh clone.

The clone is made with ``git clone`` (only what is committed is there), and reuses this
checkout's venv: ``.venv`` in the clone links to it and its ``bin`` leads ``PATH``, as after
``make``. Two commands are left out, each for its reason (``SKIPPED``); ``make demo`` runs
with ``-o .venv/.installed`` so that the clone's fresh timestamps do not rebuild the venv.
Recipes for machines a fresh clone does not have (a Dask cluster) are ``sh`` blocks, and say
so: every one of their commands is about the cluster.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)
#: Commands not run here, and why.
SKIPPED = {"make test": "it is this suite",
           "grade watch": "it runs until Ctrl-C (tests/test_watch.py drives it)"}
#: The commands as run here (the venv exists already).
AS_RUN = {"make demo": "make -o .venv/.installed demo"}


def commands() -> list[str]:
    """The command lines of the README's bash blocks, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [line for block in BLOCK.findall(text) for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_only_cluster_recipes_are_left_unrun():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    recipes = re.findall(r"^```sh\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    lines = [line for block in recipes for line in block.splitlines() if line.strip()]
    assert lines and all(re.search(r"dask|DASK|--scheduler", line) for line in lines), lines


def test_the_readme_has_commands_to_run():
    lines = commands()
    assert len(lines) >= 10 and any(line.startswith("grade batch") for line in lines)
    assert all(not re.search(r"\[--|\bOUT\b|K/N", line) for line in lines), \
        "a placeholder in a bash block: write a command that runs"


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="not a git checkout")
def test_every_readme_command_runs_in_a_fresh_clone(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True,
                   capture_output=True, timeout=300)
    (clone / ".venv").symlink_to(BIN.parent)
    env = {k: v for k, v in os.environ.items() if k not in (
        "GRADER_LANG", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY",
        "MAKEFLAGS", "MFLAGS", "MAKELEVEL")}   # as typed in a shell, not inside make test
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    ran = []
    for line in commands():
        if any(line.startswith(prefix) for prefix in SKIPPED):
            continue
        command = next((AS_RUN[p] + line[len(p):] for p in AS_RUN if line.startswith(p)), line)
        done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", command], cwd=clone,
                              env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, f"{line}\n{done.stderr[-2000:]}"
        ran.append((line, done.stdout))
    outputs = dict(ran)
    demo = next(out for line, out in ran if line.startswith("make demo"))
    assert demo.rstrip().splitlines()[-1].startswith("Demo summary: ")
    assert any('"score"' in out for line, out in ran if line.startswith("cat out/ag"))
    assert (clone / "out" / "class" / "gradebook.csv").is_file()
    assert (clone / "out" / "student-repo" / ".github" / "workflows" / "classroom.yml").is_file()
    assert len(outputs) >= 10
