"""Reading a submission's files: links, FIFOs, devices, sockets and sizes are refused, by name,
and the rest of the submission is still read."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from grader.submission import LoadError, Refused, load
from grader.submission import files
from grader.submission.files import Folder

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
MODULE = "def relu(x):\n    return x * (x > 0)\n"


def within(function, *args, seconds: float = 60):
    """``function(*args)``, failing (rather than hanging the suite) if it blocks."""
    result: list = []

    def target():
        try:
            result.append(("ok", function(*args)))
        except BaseException as error:  # handed back to the test
            result.append(("raised", error))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"{function.__name__} blocked"
    kind, value = result[0]
    if kind == "raised":
        raise value
    return value


def honest(folder: Path) -> Path:
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__*"))
    return folder


def test_a_module_linked_to_the_solutions_is_refused_and_the_rest_read(tmp_path):
    folder = honest(tmp_path / "alice")
    (folder / "losses.py").unlink()
    (folder / "losses.py").symlink_to(SOLUTIONS / "losses.py")
    submission = load(folder)
    assert "losses.py" not in [u.name for u in submission.units]
    assert len(submission.units) == 4
    [(entry, why)] = submission.refused
    assert entry == "losses.py"
    assert "alice/losses.py is a symbolic link" in why and "\n" not in why


def test_an_exercises_folder_linked_to_the_solutions_refuses_the_submission(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "exercises").symlink_to(SOLUTIONS)
    with pytest.raises(Refused, match="alice/exercises is a symbolic link"):
        load(tmp_path / "alice")


def test_the_given_path_may_not_be_a_link_and_the_message_says_where_it_points(tmp_path):
    (tmp_path / "alice").symlink_to(SOLUTIONS)
    with pytest.raises(Refused) as refusal:
        load(tmp_path / "alice")
    assert "symbolic link" in str(refusal.value) and str(SOLUTIONS) in str(refusal.value)


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/passwd", "secret.txt"])
def test_a_helper_linked_anywhere_is_not_read(tmp_path, target):
    folder = tmp_path / "alice"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("TOKEN = 'zq-secret'\n", encoding="utf-8")
    (folder / "losses.py").write_text("from leak import TOKEN\n", encoding="utf-8")
    (folder / "leak.py").symlink_to(tmp_path / target)
    submission = load(folder)
    assert submission.helpers == ()
    assert [entry for entry, _why in submission.refused] == ["leak.py"]


def test_a_fifo_module_does_not_block(tmp_path):
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "activations.py").write_text(MODULE, encoding="utf-8")
    os.mkfifo(folder / "losses.py")
    submission = within(load, folder)
    assert [u.name for u in submission.units] == ["activations.py"]
    assert "named pipe" in dict(submission.refused)["losses.py"]


@pytest.mark.parametrize("name", ["hw.py", "hw.ipynb", "hw.zip"])
def test_a_fifo_given_as_the_submission_does_not_block(tmp_path, name):
    os.mkfifo(tmp_path / name)
    with pytest.raises(Refused, match="named pipe"):
        within(load, tmp_path / name)


def test_a_module_linked_to_dev_zero_is_not_read(tmp_path):
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "activations.py").write_text(MODULE, encoding="utf-8")
    (folder / "mlp.py").symlink_to("/dev/zero")
    assert dict(within(load, folder).refused)["mlp.py"].endswith("itself there")


def test_a_socket_is_refused(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "activations.py").write_text(MODULE, encoding="utf-8")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "losses.py"))
    try:
        assert "socket" in dict(load(folder).refused)["losses.py"]
    finally:
        server.close()


def test_a_huge_module_is_refused_without_being_read(tmp_path):
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "activations.py").write_text(MODULE, encoding="utf-8")
    with open(folder / "losses.py", "wb") as handle:   # sparse: no disk, no memory
        handle.write(b"def mse(y, y_hat):\n    return 0.0\n")
        handle.truncate(1 << 30)
    (folder / "big_helper.py").write_text("#" * (files.MAX_FILE_BYTES + 1), encoding="utf-8")
    submission = load(folder)
    assert [u.name for u in submission.units] == ["activations.py"]
    refused = dict(submission.refused)
    assert "larger than 1 MB" in refused["losses.py"] and "big_helper.py" in refused


def test_a_huge_notebook_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_NOTEBOOK_BYTES", 1000)
    (tmp_path / "hw.ipynb").write_text("{" + " " * 2000 + "}", encoding="utf-8")
    with pytest.raises(Refused, match="larger than"):
        load(tmp_path / "hw.ipynb")


def test_the_submission_as_a_whole_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_SUBMISSION_BYTES", 3000)
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "activations.py").write_text(MODULE, encoding="utf-8")
    for n in range(4):
        (folder / f"helper{n}.py").write_text("#" * 1000, encoding="utf-8")
    with pytest.raises(LoadError, match="more than"):
        load(folder)


def test_a_folder_of_links_only_is_refused_as_a_whole(tmp_path):
    folder = tmp_path / "mallory"
    folder.mkdir()
    for module in ("activations", "losses"):
        (folder / f"{module}.py").symlink_to(SOLUTIONS / f"{module}.py")
    with pytest.raises(Refused, match="mallory/activations.py is a symbolic link"):
        load(folder)


def test_one_notebook_of_several_may_be_refused(tmp_path):
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(MODULE)])
    nbformat.write(nb, str(tmp_path / "activations.ipynb"))
    (tmp_path / "losses.ipynb").symlink_to(tmp_path / "activations.ipynb")
    submission = load(tmp_path)
    assert submission.kind == "notebook" and len(submission.units) == 1
    assert [entry for entry, _why in submission.refused] == ["losses.ipynb"]


def test_a_link_on_the_way_to_an_entry_is_not_followed(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "x.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with Folder.at(tmp_path) as top:
        assert top.kind("link") == "link"
        with pytest.raises(Refused, match="symbolic link"):
            top.folder("link")
        with top.folder("real") as real:
            assert real.read("x.py") == b"x = 1\n"


def test_undecodable_names_are_read(tmp_path):
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9"))
    folder.mkdir()
    (folder / "activations.py").write_text(MODULE, encoding="utf-8")
    submission = load(folder)
    assert [u.name for u in submission.units] == ["activations.py"]
    assert submission.units[0].path.encode("utf-8")   # encodable: it goes to the child


def test_a_folder_named_like_a_module_is_refused_by_name(tmp_path):
    (tmp_path / "activations.py").write_text(MODULE, encoding="utf-8")
    (tmp_path / "losses.py").mkdir()
    assert dict(load(tmp_path).refused)["losses.py"].endswith("losses.py is a folder, not a file")
