"""The garbage collector is held back while analyses run and comes back as it was afterwards."""

from __future__ import annotations

import gc
import threading

from flash_lsp.core.collector import relaxed_gc
from flash_lsp.core.profiles import FLASH_121
from flash_lsp.core.project import Project

from .conftest import write_project


def test_an_analysis_runs_with_a_raised_threshold_and_restores_it(tmp_path, monkeypatch):
    from flash_lsp.core.flash1 import analysis

    seen = []
    original = analysis.analyze
    monkeypatch.setattr(analysis, "analyze", lambda *a: seen.append(gc.get_threshold()) or original(*a))
    before = gc.get_threshold()
    root = write_project(tmp_path / "p", {"a.py": "X = 1\n"}, main=False)
    Project(root, FLASH_121).analyze()
    assert seen and seen[0][0] >= 100_000
    assert gc.get_threshold() == before


def test_overlapping_analyses_restore_the_threshold_once_the_last_ends():
    before = gc.get_threshold()
    first_in, second_done = threading.Event(), threading.Event()
    during = []

    def second():
        first_in.wait()
        with relaxed_gc():
            pass
        during.append(gc.get_threshold())  # the first is still running
        second_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    with relaxed_gc():
        first_in.set()
        second_done.wait(10)
    thread.join()
    assert during[0][0] >= 100_000
    assert gc.get_threshold() == before


def test_a_collector_switched_off_stays_off():
    before = gc.get_threshold()
    try:
        gc.set_threshold(0)
        with relaxed_gc():
            assert gc.get_threshold()[0] == 0
        assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)
