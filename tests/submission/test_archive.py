"""Zip submissions are unpacked safely and loaded like the folder or file inside."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from grader.submission import LoadError, load
from grader.submission import archive
from grader.submission.archive import discard

MODULE = "def relu(x):\n    return x * (x > 0)\n"


def make_zip(path: Path, members: dict[str, str], symlinks: dict[str, str] = {}) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
        for name, target in symlinks.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def test_single_top_folder_is_descended_and_junk_ignored(tmp_path):
    path = make_zip(tmp_path / "alice.zip", {
        "alice/activations.py": MODULE, "alice/losses.py": "x = 1\n",
        "__MACOSX/alice/._activations.py": "junk", "alice/.DS_Store": "junk"})
    submission = load(path)
    assert submission.name == "alice" and submission.kind == "folder"
    assert [u.module for u in submission.units] == ["activations", "losses"]
    root = submission.root
    assert root.is_dir() and (root / "activations.py").read_text() == MODULE
    discard(submission)
    assert not root.exists()


def test_single_notebook_or_file_inside(tmp_path):
    nb = ('{"cells": [{"id": "c1", "cell_type": "code", "metadata": {}, "outputs": [], '
          '"execution_count": null, "source": "%matplotlib inline\\nimport numpy as np"}], '
          '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    assert load(make_zip(tmp_path / "nb.zip", {"hw/work.ipynb": nb})).kind == "notebook"
    assert load(make_zip(tmp_path / "py.zip", {"hw.py": MODULE})).kind == "module"


@pytest.mark.parametrize("members, symlinks", [
    ({"../evil.py": MODULE}, {}),
    ({"ok/../../evil.py": MODULE}, {}),
    ({"/etc/evil.py": MODULE}, {}),
    ({"C:/evil.py": MODULE}, {}),
    ({"..\\evil.py": MODULE}, {}),
    ({"activations.py": MODULE}, {"link.py": "/etc/passwd"}),
])
def test_escaping_members_reject_the_archive(tmp_path, members, symlinks):
    path = make_zip(tmp_path / "evil.zip", members, symlinks)
    before = list(archive._unpacked)
    with pytest.raises(LoadError, match="unsafe archive member"):
        load(path)
    assert not (tmp_path / "evil.py").exists()
    assert archive._unpacked == before   # the temporary folder is gone


def test_bounds_on_files_and_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_FILES", 3)
    many = make_zip(tmp_path / "many.zip", {f"f{i}.py": "" for i in range(4)})
    with pytest.raises(LoadError, match="more than 3 files"):
        load(many)
    monkeypatch.setattr(archive, "MAX_BYTES", 1000)
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activations.py", "#" * 5000)   # compresses far below the bound
    with pytest.raises(LoadError, match="more than"):
        load(big)


def test_not_a_zip_and_empty(tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip at all")
    with pytest.raises(LoadError, match="not a valid zip"):
        load(broken)
    with pytest.raises(LoadError, match="empty"):
        load(make_zip(tmp_path / "empty.zip", {}))
