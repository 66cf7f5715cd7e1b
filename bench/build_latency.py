"""Build runner latency with the fake `flash` (tests/fixtures/fake_flash).

Prints the median (and min/max) of N runs of:

* start → first Progress: from calling `BuildRunner.start()` to the first progress event, which
  the fake derives from its first console line, the way the real build prints its config panel;
* cancel → group gone: from calling `handle.cancel()` on a hanging build (a process plus a
  sleeping child in its group) to the moment no process of the group is left.

`--real PYTHON` also times start → first Progress for a real `flash build` run by that interpreter
(e.g. `.cache/ref-venvs/tetra-0.24/bin/python`), where importing the SDK dominates.

Usage: python bench/build_latency.py [-n 10] [--real PYTHON]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flash_lsp.build import procs  # noqa: E402
from flash_lsp.build.events import Output, Progress  # noqa: E402
from flash_lsp.build.interpreter import resolve_flash  # noqa: E402
from flash_lsp.build.runner import BuildOptions, BuildRunner  # noqa: E402

from tests.fixtures.fake_flash.layout import fake_command  # noqa: E402

PROJECT = REPO / "tests" / "fixtures" / "build_projects" / "tiny_gpu"


def _first(predicate):
    fut = asyncio.get_running_loop().create_future()

    def on_event(event):
        if not fut.done() and predicate(event):
            fut.set_result(time.perf_counter())

    return fut, on_event


async def start_to_progress(runner: BuildRunner, project: Path, command, env: dict) -> float:
    fut, on_event = _first(lambda e: isinstance(e, Progress))
    t0 = time.perf_counter()
    handle = await runner.start(project, command, BuildOptions(env=env), on_event)
    t1 = await asyncio.wait_for(fut, 120)
    await handle.wait()
    return t1 - t0


async def cancel_to_gone(runner: BuildRunner, project: Path, command) -> float:
    fut, on_event = _first(lambda e: isinstance(e, Output) and e.line.startswith("fake flash: hanging"))
    handle = await runner.start(project, command, BuildOptions(env={"FAKE_FLASH_MODE": "hang"}), on_event)
    await asyncio.wait_for(fut, 60)
    pgid = handle.pid
    t0 = time.perf_counter()
    await handle.cancel()
    elapsed = time.perf_counter() - t0
    assert not procs.group_alive(pgid), "process group survived cancel"
    return elapsed


def summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name:<34} median {statistics.median(ms):8.1f} ms   min {min(ms):8.1f}   max {max(ms):8.1f}   (n={len(ms)})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--real", metavar="PYTHON", help="also time a real flash build with this interpreter")
    args = parser.parse_args()
    runner = BuildRunner()
    command = fake_command()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "tiny_gpu"
        shutil.copytree(PROJECT, project)
        first = [
            await start_to_progress(runner, project, command, {"FAKE_FLASH_MODE": "success"}) for _ in range(args.n)
        ]
        cancel = [await cancel_to_gone(runner, project, command) for _ in range(args.n)]
        print(summary("fake: start -> first Progress", first))
        print(summary("fake: cancel -> process group gone", cancel))
        if args.real:
            real_command = await resolve_flash(
                project, setting=os.path.abspath(args.real)
            )  # abspath: keep the venv symlink
            real = [await start_to_progress(runner, project, real_command, {}) for _ in range(max(3, args.n // 3))]
            print(summary(f"real {real_command.package} {real_command.version}: start -> first Progress", real))
    await runner.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
