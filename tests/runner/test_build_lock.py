"""The per-project build lock on its own: who holds it, and builds when no lock can be taken."""

from __future__ import annotations

import logging
import os

from flash_lsp.runner import build_lock
from flash_lsp.runner.build_lock import BuildLock, LockHeld, acquire, describe
from flash_lsp.runner.build_process import BuildRunner

from .test_runner import opts


def test_the_owner_is_described_from_the_lock_file_text():
    assert describe(b"pid 12\nstarted 2026-12-05 09:30:12 UTC\nproject /p\n") == (
        "Flash LSP, pid 12, started 2026-12-05 09:30:12 UTC"
    )
    assert describe(b"") == "another Flash LSP process"  # taken, not yet written
    assert describe(b"pid 12\nstarted \x1b]0;owned\x07\n") == "Flash LSP, pid 12"  # no escapes shown


def test_a_second_acquire_names_the_first_and_release_frees_it(tmp_path):
    project = str(tmp_path / "p")
    first = acquire(project, tmp_path / "locks")
    assert isinstance(first, BuildLock) and first.fd is not None
    second = acquire(project + "/.", tmp_path / "locks")  # the same project, spelled differently
    assert isinstance(second, LockHeld) and second.message.startswith(
        f"a build of this project is already running (Flash LSP, pid {os.getpid()}, started "
    )
    assert isinstance(acquire(str(tmp_path / "other"), tmp_path / "locks"), BuildLock)
    first.release()
    again = acquire(project, tmp_path / "locks")
    assert isinstance(again, BuildLock) and again.fd is not None
    again.release()


def test_the_lock_lives_in_the_cache_dir_not_in_the_project(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASH_LSP_CACHE_DIR", str(tmp_path / "cache"))
    assert build_lock.default_lock_dir() == tmp_path / "cache" / "build-locks"
    monkeypatch.setenv("FLASH_LSP_CACHE_DIR", "off")
    assert build_lock.default_lock_dir().name == "build-locks" and "off" not in build_lock.default_lock_dir().parts


async def test_a_build_runs_without_the_lock_when_none_can_be_taken(project, fake, tmp_path, caplog):
    not_a_dir = tmp_path / "locks"
    not_a_dir.write_text("a file where the lock directory should be")
    runner = BuildRunner(grace_period=0.5, lock_dir=not_a_dir)
    with caplog.at_level(logging.WARNING, logger="flash_lsp.runner.build_lock"):
        finished = await runner.run(project, fake, opts())
    assert finished.succeeded
    assert "no build lock" in caplog.text and str(project) in caplog.text
