"""A missed benchmark target is marked on its line and makes the run exit non-zero."""

import pytest

from benchmarks import targets


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(targets, "missed", [])


def test_a_met_target_is_only_stated(capsys):
    assert targets.target("grade run", 1.02, 1.5) == "target <= 1.5x"
    assert targets.target("grade watch", 0.13, 0.3, "s") == "target <= 0.3 s"
    targets.finish()
    assert capsys.readouterr().out == "every target met\n"


def test_a_missed_target_is_marked_and_fails_the_run(capsys):
    assert targets.target("grade run", 1.7, 1.5).endswith("MISSED")
    assert targets.target("grade batch, 40", 0.2, 0.25) == "target <= 0.25x"
    with pytest.raises(SystemExit) as done:
        targets.finish()
    assert done.value.code == 1
    assert capsys.readouterr().out == "MISSED 1 target(s): grade run: 1.7x > 1.5x\n"
