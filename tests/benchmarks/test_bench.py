"""The benchmark script's pieces still work (no timing is asserted: speed is measured on demand)."""

import importlib.util
import os
from pathlib import Path

import pytest

from grader.submission import load

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"


def bench():
    spec = importlib.util.spec_from_file_location("bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_class_mixes_correct_buggy_and_crashing_submissions(tmp_path):
    bench().make_class(tmp_path / "class", 20)
    entries = sorted((tmp_path / "class").iterdir())
    assert len(entries) == 20
    sources = [load(entry).units for entry in entries]
    assert all(sources)
    texts = ["".join(u.source for u in units) for units in sources]
    assert any("ctypes.string_at(0)" in t for t in texts)          # crashing
    assert any("sign slip" in t for t in texts)                     # buggy


def test_memory_is_summed_over_the_process_tree():
    assert bench().tree_pss(os.getpid()) > 10 * 2**20


def test_the_dask_cluster_starts_two_workers_and_stops_them_all(tmp_path):
    pytest.importorskip("distributed")
    with bench().DaskCluster(tmp_path / "cluster", workers=2) as cluster:
        assert cluster.address.startswith("tcp://127.0.0.1:")
        workers = cluster.worker_pids()
        assert len(workers) == 2
        started = [*cluster.pids(), *workers]
    for pid in started:
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][:1]
    except FileNotFoundError:
        return "Z"


def test_memory_targets_are_the_issues_and_a_miss_is_marked(capsys, monkeypatch):
    from benchmarks import targets

    monkeypatch.setattr(targets, "missed", [])
    module, mib = bench(), 2**20
    module.memory("met --jobs 2", 2, 390 * mib, (2, 390 * mib))
    module.memory("met --jobs 4", 4, 560 * mib, (2, 390 * mib))
    assert "MISSED" not in capsys.readouterr().out and targets.missed == []
    module.memory("missed --jobs 2", 2, 450 * mib, (2, 450 * mib))
    module.memory("missed --jobs 3", 3, 600 * mib, (2, 450 * mib))
    out = capsys.readouterr().out
    assert "peak memory 450 MiB (target <= 400 MiB  MISSED)" in out
    assert "+150 MiB per worker beyond 2 (target <= 100 MiB  MISSED)" in out
    assert len(targets.missed) == 2


def test_throughput_targets_are_the_issues_and_a_miss_is_marked(capsys, monkeypatch):
    from benchmarks import targets

    monkeypatch.setattr(targets, "missed", [])
    module = bench()
    module.report("small class", 10.0, 40, 2.0, 0, 0, goal=False)
    module.report("met", 90.0, 1000, 2.0, 0, 0, goal=True)
    assert "MISSED" not in capsys.readouterr().out and targets.missed == []
    module.report("missed", 120.0, 1000, 2.0, 0, 0, goal=True)
    assert "0.060x, target <= 0.05x  MISSED" in capsys.readouterr().out
    assert targets.RUN_RATIO == 1.1 and len(targets.missed) == 1


def test_grade_run_and_the_baseline_take_turns_after_one_warm_up(monkeypatch):
    module, ran = bench(), []
    times = iter([9.0, 1.0, 2.0, 1.2, 2.2, 1.1, 2.1])

    def timed(command):
        ran.append("baseline" if command == module.BASELINE else "run")
        return next(times)

    monkeypatch.setattr(module, "timed", timed)
    assert module.interleaved(["grade", "run"], 3) == (1.1, 2.1)
    assert ran == ["run", "baseline", "run", "baseline", "run", "baseline", "run"]


def test_the_timed_batch_is_not_the_one_whose_memory_is_sampled(tmp_path, monkeypatch):
    module, events = bench(), []
    fake = tmp_path / "grade"   # stands for `grade batch`: runs a moment, writes its -o folder
    fake.write_text('#!/bin/sh\nsleep 0.3\nfor a; do last="$a"; done\nmkdir -p "$last"\n')
    fake.chmod(0o755)
    monkeypatch.setattr(module, "GRADE", str(fake))
    real_timed, real_pss = module.timed, module.tree_pss

    def timed(command):
        events.append("timed start")
        try:
            return real_timed(command)
        finally:
            events.append("timed end")

    def tree_pss(pid):
        events.append("sampled")
        return real_pss(pid)

    monkeypatch.setattr(module, "timed", timed)
    monkeypatch.setattr(module, "tree_pss", tree_pss)
    elapsed, peak, _worker, _template = module.batch(tmp_path / "class", tmp_path / "out",
                                                     "--jobs", "2")
    assert elapsed > 0 and peak > 0
    assert events[:2] == ["timed start", "timed end"] and "sampled" in events[2:]
    assert (tmp_path / "out-timed").is_dir() and (tmp_path / "out").is_dir()
