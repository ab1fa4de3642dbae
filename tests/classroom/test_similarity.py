"""``grade batch --similarity``: copydetect over the submissions, the stubs as boilerplate."""

from __future__ import annotations

import importlib.util
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.classroom import html_report
from grader.classroom.similarity import code_of, similar_pairs
from grader.cli import main
from tests.classroom.class_fixtures import record

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '\n# </pre><script>alert("copied")</script>\u202e\n'
OWN_LOSSES = '''
import numpy as np


def mse(y, y_hat):
    total = 0.0
    for row_true, row_pred in zip(np.atleast_2d(y), np.atleast_2d(y_hat)):
        total = total + float(((row_true - row_pred) ** 2).sum())
    return total / len(np.atleast_2d(y))


def cross_entropy(y, y_hat):
    picked = np.where(y > 0, y * np.log(np.where(y > 0, y_hat, 1.0)), 0.0)
    return -float(picked.sum(axis=1).mean())
'''


@pytest.fixture
def klass(tmp_path) -> Path:
    folder = tmp_path / "class"
    for name in ("alice", "bob"):
        shutil.copytree(ROOT / "solutions", folder / name, ignore=shutil.ignore_patterns("__*"))
    with (folder / "alice" / "losses.py").open("a") as handle:
        handle.write(HOSTILE)
    shutil.copy(folder / "alice" / "losses.py", folder / "bob" / "losses.py")
    shutil.copytree(ROOT / "exercises", folder / "stub", ignore=shutil.ignore_patterns("__*"))
    (folder / "own").mkdir()
    (folder / "own" / "losses.py").write_text(OWN_LOSSES, encoding="utf-8")
    return folder


def test_copied_code_is_a_pair_and_the_stubs_do_not_count(klass):
    entries = {p.name: p for p in klass.iterdir()}
    pairs = similar_pairs(entries, 0.5)
    assert [(p.first, p.second) for p in pairs] == [("alice", "bob")]
    assert min(pairs[0].shares) > 0.95
    below = similar_pairs(entries, 0.0)
    assert all(p.share == 0 for p in below if "stub" in (p.first, p.second))


def test_the_side_by_side_view_is_escaped(klass):
    pairs = similar_pairs({p.name: p for p in klass.iterdir()}, 0.5)
    page = html_report.render([record("alice"), record("bob")], pairs)
    view = page.split("<details id='pair-1'>")[1].split("</details>")[0]
    assert view.count("<pre>") == 2 and "<mark>" in view
    assert "<script>" not in view and "&lt;/pre&gt;&lt;script&gt;" in view
    assert "\u202e" not in page
    assert re.search(r"<td class='n'>\d+%</td>", page)


def test_code_is_read_as_the_grader_loads_it_and_links_are_not_followed(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def relu(x):\n"
                                                                         "    return x\n")])
    nbformat.write(notebook, tmp_path / "nb.ipynb")
    assert "def relu" in code_of(tmp_path / "nb.ipynb")
    with zipfile.ZipFile(tmp_path / "z.zip", "w") as archive:
        archive.writestr("z/losses.py", "def mse(y, y_hat):\n    return 0\n")
    assert "def mse" in code_of(tmp_path / "z.zip")
    secret = tmp_path / "secret.py"
    secret.write_text("TOP_SECRET = 1\n", encoding="utf-8")
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "losses.py").symlink_to(secret)
    (tmp_path / "link.py").symlink_to(secret)
    assert "TOP_SECRET" not in code_of(tmp_path / "linked")
    assert code_of(tmp_path / "link.py") == ""


def test_without_copydetect_the_option_says_what_to_install(tmp_path, monkeypatch, capsys):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "copydetect" else find_spec(name, *a))
    (tmp_path / "class" / "a").mkdir(parents=True)
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(tmp_path / "class"), "-o", str(tmp_path / "out"), "--similarity"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and len(err.strip().splitlines()) == 1
    assert "pip install 'dlgrade[similarity]'" in err
