"""A Gradescope submission's seed comes from its id, else from its content (never drawn)."""

from __future__ import annotations

import json

from grader.classroom.regrade import SEEDS, seed_of, submission_id
from grader.submission import load


def submission(tmp_path, text="def relu(x):\n    return x\n"):
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / "activations.py").write_text(text)
    return load(folder)


def test_the_id_decides_the_seed(tmp_path):
    metadata = tmp_path / "submission_metadata.json"
    metadata.write_text(json.dumps({"id": 123, "users": [{"name": "Heidi"}]}))
    one = seed_of(metadata, submission(tmp_path))
    assert 0 <= one < SEEDS
    assert seed_of(metadata, submission(tmp_path, "def relu(x):\n    return 0 * x\n")) == one
    metadata.write_text(json.dumps({"id": 124}))
    assert seed_of(metadata, submission(tmp_path)) != one


def test_without_an_id_the_content_decides(tmp_path):
    missing = tmp_path / "absent.json"
    first = seed_of(missing, submission(tmp_path))
    assert seed_of(missing, submission(tmp_path)) == first
    assert seed_of(missing, submission(tmp_path, "def relu(x):\n    return -x\n")) != first


def test_a_broken_metadata_file_means_the_content(tmp_path):
    metadata = tmp_path / "submission_metadata.json"
    for text in ("{not json", "[1, 2]", '{"id": null}', '{"id": ""}', '{"id": {"a": 1}}'):
        metadata.write_text(text)
        assert submission_id(metadata) is None
        assert seed_of(metadata, submission(tmp_path)) == seed_of(tmp_path / "no", submission(
            tmp_path))


def test_seed_and_seed_from_together_are_refused_in_one_line(tmp_path, capsys):
    import pytest

    from grader.cli import main

    submission(tmp_path)
    with pytest.raises(SystemExit) as done:
        main(["run", str(tmp_path / "submission"), "--seed", "1", "--seed-from",
              str(tmp_path / "submission_metadata.json")])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "--seed-from" in err and len(err.splitlines()) == 1
