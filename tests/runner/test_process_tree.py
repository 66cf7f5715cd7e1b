"""No process of a build outlives it: cancel, `kill -9` of the process that runs the build, and the
per-project build lock shared by every process (docs/builds.md).

The fake build of mode `tree` starts a child, a grandchild that calls `setsid` and a double-forked
daemon, all sleeping, each with a unique marker in its argv.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flash_lsp.runner.build_process import BuildRunner
from flash_lsp.runner.events import AlreadyRunning, Output

from .conftest import REPO, TREE_SIZE, WAIT, Recorder, marked, pid_alive, read_pids, wait_until_gone
from .test_runner import opts

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the subreaper is Linux only")


class Driver:
    """`tests.runner.build_driver` in its own process: a second owner of a `BuildRunner`."""

    def __init__(self, project: Path, lock_dir: Path, env: dict[str, str]) -> None:
        path = os.pathsep.join(filter(None, (str(REPO), os.environ.get("PYTHONPATH"))))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.runner.build_driver", str(project), str(lock_dir)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": path, **env},
            stdout=subprocess.PIPE,
            text=True,
        )

    def next(self, key: str) -> object:
        """The value of the next message that has `key` (skipping others); fails at EOF."""
        for line in self.proc.stdout:
            message = json.loads(line)
            if key in message:
                return message[key]
        raise AssertionError(f"driver ended without {key!r} (exit {self.proc.wait()})")

    def wait_hanging(self) -> int:
        pid = self.next("started")
        while not str(self.next("output")).startswith("fake flash: hanging"):
            pass
        return pid

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


@pytest.fixture
def lock_dir(tmp_path: Path) -> Path:
    return tmp_path / "locks"


async def test_cancel_kills_setsid_and_double_forked_descendants(project, fake, tmp_path, lock_dir, tree_env):
    runner = BuildRunner(grace_period=0.5, lock_dir=lock_dir)
    env, marker = tree_env
    recorder = Recorder()
    try:
        handle = await runner.start(project, fake, opts("tree", env=env), recorder)
        await recorder.wait_for(lambda e: isinstance(e, Output) and e.line.startswith("fake flash: hanging"))
        pids = read_pids(tmp_path / "pids")
        assert len(pids) == TREE_SIZE and sorted(marked(marker)) == sorted(pids[1:])
        finished = await handle.cancel()
    finally:
        await runner.shutdown()
    assert finished.cancelled and finished.exit_code == -signal.SIGTERM
    assert not [pid for pid in pids if pid_alive(pid)], "a build process survived cancel"
    assert finished.duration < WAIT


async def test_a_build_that_ends_takes_its_escaped_descendants_along(runner, project, fake, tmp_path, tree_env):
    env, marker = tree_env
    recorder = Recorder()
    handle = await runner.start(project, fake, opts("tree", env=env), recorder)
    await recorder.wait_for(lambda e: isinstance(e, Output) and e.line.startswith("fake flash: hanging"))
    main = read_pids(tmp_path / "pids")[0]
    os.kill(main, signal.SIGKILL)  # the build's main process ends by itself (as far as the runner knows)
    finished = await handle.wait()
    assert finished.exit_code == -signal.SIGKILL and not finished.cancelled
    assert marked(marker) == []


def test_kill_9_of_the_runner_process_kills_the_whole_build(project, tmp_path, lock_dir, tree_env, closing):
    env, marker = tree_env
    driver = closing(Driver(project, lock_dir, {"FAKE_FLASH_MODE": "tree", **env}))
    driver.wait_hanging()
    pids = read_pids(tmp_path / "pids")
    assert len(pids) == TREE_SIZE and all(pid_alive(pid) for pid in pids)
    driver.proc.kill()
    driver.proc.wait()
    left = wait_until_gone(marker, pids, 15.0)  # generous: a loaded 2-core machine is slow to reap
    assert left == [], f"survived kill -9 of the runner: {left}"


def test_a_second_process_refuses_to_build_the_same_project(project, tmp_path, lock_dir, tree_env, closing):
    env, _ = tree_env
    first = closing(Driver(project, lock_dir, {"FAKE_FLASH_MODE": "tree", **env}))
    first.wait_hanging()
    second = closing(Driver(project, lock_dir, {"FAKE_FLASH_MODE": "success"}))
    refused = second.next("refused")
    assert re.fullmatch(
        rf"a build of this project is already running \(Flash LSP, pid {first.proc.pid}, "
        r"started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)",
        refused,
    ), refused
    assert second.proc.wait(WAIT) == 0
    assert not (project / ".flash" / "archive.tar.gz").exists(), "the refused build ran anyway"


async def test_the_lock_is_free_after_the_build_ends_and_after_its_holder_dies(
    project, fake, tmp_path, lock_dir, tree_env, closing
):
    runner = BuildRunner(grace_period=0.5, lock_dir=lock_dir)
    try:
        slow = closing(Driver(project, lock_dir, {"FAKE_FLASH_MODE": "slow_start", "FAKE_FLASH_DELAY": "2"}))
        slow.next("started")
        held = await runner.start(project, fake, opts())
        assert isinstance(held, AlreadyRunning) and held.running_build_id is None
        assert f"pid {slow.proc.pid}" in held.message
        assert slow.next("finished") == 0
        after_end = await runner.run(project, fake, opts())
        assert not isinstance(after_end, AlreadyRunning) and after_end.succeeded

        env, marker = tree_env
        holder = closing(Driver(project, lock_dir, {"FAKE_FLASH_MODE": "tree", **env}))
        holder.wait_hanging()
        assert isinstance(await runner.start(project, fake, opts()), AlreadyRunning)
        holder.proc.kill()
        deadline = time.monotonic() + 5.0
        while isinstance(again := await runner.start(project, fake, opts()), AlreadyRunning):
            assert time.monotonic() < deadline, "the lock outlived its holder by 5 s"
            await asyncio.sleep(0.05)
        assert (await again.wait()).succeeded
        assert marked(marker) == []
    finally:
        await runner.shutdown()
