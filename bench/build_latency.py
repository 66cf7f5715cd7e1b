"""Build runner latency with the fake `flash` (tests/fixtures/fake_flash).

Prints the median (and min/max) of N runs of:

* start → first Progress: from calling `BuildRunner.start()` to the first progress event, which
  the fake derives from its first console line, the way the real build prints its config panel;
* cancel → group gone: from calling `handle.cancel()` on a hanging build (a process plus a
  sleeping child in its group) to the moment no process of the group is left.

`--real PYTHON` also times start → first Progress for a real `flash build` run by that interpreter
(e.g. `.cache/ref-venvs/tetra-0.24/bin/python`), where importing the SDK dominates.

`--lsp` also times, through the real server over stdio (`flash-lsp serve`, fake `flash` in a
throw-away venv): `workspace/executeCommand flash.build` → `$/progress` begin, → the command's
response, and `window/workDoneProgress/cancel` → `flash/buildFinished` (cancelled) on a hanging build.

Usage: python bench/build_latency.py [-n 10] [--real PYTHON] [--lsp]
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

from flash_lsp.runner import procs  # noqa: E402
from flash_lsp.runner.build_process import BuildOptions, BuildRunner  # noqa: E402
from flash_lsp.runner.events import Output, Progress  # noqa: E402
from flash_lsp.runner.interpreter import resolve_flash  # noqa: E402
from tests.fixtures.fake_flash.layout import fake_command, make_fake_venv  # noqa: E402

PROJECT = REPO / "tests" / "fixtures" / "build_projects" / "tiny_gpu"
FAKE_FLASH = REPO / "tests" / "fixtures" / "fake_flash" / "fake_flash.py"
# `flash` of the --lsp venv (it names tetra_rp, as Flash's script does): the mode comes from a file.
LSP_FLASH_SCRIPT = """#!{python}
# stands in for: from tetra_rp.cli.main import app
import os, runpy, sys
with open(os.environ["FAKE_FLASH_MODE_FILE"]) as fh:
    os.environ["FAKE_FLASH_MODE"] = fh.read().strip()
sys.argv[0] = "flash"
runpy.run_path({fake!r}, run_name="__main__")
"""


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


def _field(obj, name: str):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


async def lsp_latencies(n: int, project: Path, python: Path) -> dict[str, list[float]]:
    """executeCommand → progress begin / → response, and progress cancel → buildFinished, via stdio."""
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient
    from pygls.uris import from_fs_path

    client = LanguageClient("bench", "1")
    begun: dict[str, float] = {}
    finished: dict[int, float] = {}

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def create(params):
        return None

    @client.feature(types.PROGRESS)
    def progress(params):
        value = params.value
        kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
        if kind == "begin" and str(params.token).startswith("flash-build-"):
            begun.setdefault(params.token, time.perf_counter())

    @client.feature("flash/buildFinished")
    def build_finished(params):
        finished[_field(params, "build")] = time.perf_counter()

    for method in (
        "window/logMessage",
        "flash/buildOutput",
        "flash/indexStatus",
        "flash/modelChanged",
        "textDocument/publishDiagnostics",
        "window/showMessage",
    ):
        client.feature(method)(lambda params: None)

    env = {**os.environ, "FLASH_LSP_CACHE_DIR": "off", "FLASH_LSP_LOG_LEVEL": "WARNING"}
    config = project.parent / "fake_mode.env"
    # the server passes its environment to the build: the mode is read from a file per run instead
    env["FAKE_FLASH_MODE_FILE"] = str(config)
    await client.start_io(sys.executable, "-m", "flash_lsp", "serve", env=env)
    root = from_fs_path(str(project))
    caps = types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True))
    await client.initialize_async(
        types.InitializeParams(
            capabilities=caps,
            root_uri=root,
            workspace_folders=[types.WorkspaceFolder(uri=root, name=project.name)],
            initialization_options={"trusted": True, "settings": {"interpreter": str(python)}},
        )
    )
    client.initialized(types.InitializedParams())
    out: dict[str, list[float]] = {"begin": [], "response": [], "cancel": []}

    async def wait_for(table: dict, key, timeout: float = 60.0) -> float:
        deadline = time.perf_counter() + timeout
        while key not in table:
            if time.perf_counter() > deadline:
                raise TimeoutError(key)
            await asyncio.sleep(0.001)
        return table[key]

    async def execute(command: str) -> dict:
        return await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command, arguments=[{"project": root}])
        )

    for i in range(n + 1):  # the first run warms the server up and is not counted
        config.write_text("success")
        before = set(begun)
        t0 = time.perf_counter()
        result = await execute("flash.build")
        t_response = time.perf_counter()
        deadline = time.perf_counter() + 10
        while not set(begun) - before and time.perf_counter() < deadline:
            await asyncio.sleep(0.001)
        (token,) = set(begun) - before
        await wait_for(finished, _field(result, "build"))
        if i:
            out["begin"].append(begun[token] - t0)
            out["response"].append(t_response - t0)
    for _ in range(n):
        config.write_text("hang")
        before = set(begun)
        result = await execute("flash.build")
        while not set(begun) - before:
            await asyncio.sleep(0.001)
        (token,) = set(begun) - before
        await asyncio.sleep(0.3)  # the fake is running and hanging
        t0 = time.perf_counter()
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
        out["cancel"].append(await wait_for(finished, _field(result, "build")) - t0)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return out


def summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name:<34} median {statistics.median(ms):8.1f} ms   min {min(ms):8.1f}   max {max(ms):8.1f}   (n={len(ms)})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--real", metavar="PYTHON", help="also time a real flash build with this interpreter")
    parser.add_argument("--lsp", action="store_true", help="also time build commands through the real server")
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
        if args.lsp:
            python = make_fake_venv(Path(tmp) / "fakevenv", with_script=False)
            script = python.parent / "flash"
            script.write_text(LSP_FLASH_SCRIPT.format(python=python, fake=str(FAKE_FLASH)))
            script.chmod(0o755)
            times = await lsp_latencies(args.n, project, python)
            print(summary("lsp: command -> progress begin", times["begin"]))
            print(summary("lsp: command -> response", times["response"]))
            print(summary("lsp: progress cancel -> finished", times["cancel"]))
    await runner.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
