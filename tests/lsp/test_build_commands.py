"""`flash.build`, `flash.package`, `flash.cancelBuild`, `flash.clean` through the real server.

The server runs the fake `flash` (tests/fixtures/fake_flash) from a venv whose metadata says
tetra-rp 0.24.0. The fixture's server environment is fixed, so the fake's knobs
(`FAKE_FLASH_MODE`, `FAKE_FLASH_PIDFILE`) come from `<workspace>/../fake_flash.json`, read by the
venv's `flash` script; the interpreter setting is relative to the project root
(`../fakevenv/bin/python`, a link to the session's fake venv).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tarfile
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.fixtures.fake_flash.layout import FAKE_FLASH, make_fake_venv
from tests.runner.conftest import BUILD_PROJECTS, pid_alive, read_pids, reference_python

from .conftest import diagnostics, initialize, uri

FAKE_SETTINGS = {"interpreter": "../fakevenv/bin/python"}
pytestmark = pytest.mark.settings(FAKE_SETTINGS)
SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "flash_lsp", "serve"],
    server_env={"FLASH_LSP_CACHE_DIR": "off", "PYTHONUNBUFFERED": "1", "FLASH_LSP_LOG_LEVEL": "WARNING"},
)
WAIT = 30.0

FLASH_SCRIPT = """#!{python}
# Test stand-in for `from tetra_rp.cli.main import app`: runs fake_flash.py with extra environment
# from <project>/../fake_flash.json (the test server's environment is fixed).
import json, os, runpy, sys
config = os.path.join(os.path.dirname(os.getcwd()), "fake_flash.json")
if os.path.exists(config):
    with open(config) as fh:
        os.environ.update(json.load(fh))
sys.argv[0] = "flash"
runpy.run_path({fake!r}, run_name="__main__")
"""


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def fake_venvs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fake-flash-venvs")
    with_flash = root / "flash"
    python = make_fake_venv(with_flash, with_script=False)
    script = with_flash / "bin" / "flash"
    script.write_text(FLASH_SCRIPT.format(python=python, fake=str(FAKE_FLASH)))
    script.chmod(0o755)
    without = root / "noflash"
    make_fake_venv(without, with_dist=False, with_script=False)
    return {"fakevenv": with_flash, "noflash": without}


class FakeFlash:
    """The knobs of the fake `flash` for the next build."""

    def __init__(self, tmp_path: Path) -> None:
        self.config = tmp_path / "fake_flash.json"
        self.pidfile = tmp_path / "pids"

    def mode(self, mode: str, **env: str) -> None:
        self.pidfile.unlink(missing_ok=True)
        self.config.write_text(json.dumps({"FAKE_FLASH_MODE": mode, "FAKE_FLASH_PIDFILE": str(self.pidfile), **env}))

    def pids(self) -> list[int]:
        return read_pids(self.pidfile)


@pytest.fixture(autouse=True)
def fake_flash(tmp_path, fake_venvs, request) -> FakeFlash:
    """Links the fake venvs next to the workspace; a test's `extra_files` are added to it."""
    for name, venv in fake_venvs.items():
        (tmp_path / name).symlink_to(venv, target_is_directory=True)
    extra = getattr(request.function, "extra_files", None)
    if extra:
        workspace = request.getfixturevalue("workspace")
        for rel, text in extra.items():
            (workspace / rel).parent.mkdir(parents=True, exist_ok=True)
            (workspace / rel).write_text(text)
    fake = FakeFlash(tmp_path)
    fake.mode("success")
    return fake


def with_files(files: dict[str, str]):
    def mark(fn):
        fn.extra_files = files
        return fn

    return mark


async def _start(
    lsp_client: LanguageClient, folders: list[Path], settings: dict, trusted: bool = True, options: dict | None = None
) -> None:
    settings = {"diagnostics": {"debounceMs": 0}, **settings}

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params):
        pass

    await initialize(lsp_client, folders, settings, trusted=trusted, **(options or {}))
    lsp_client.workspace_root = folders[0]
    lsp_client.pulls_diagnostics = False


@pytest_lsp.fixture(config=SERVER)
async def untrusted_client(lsp_client: LanguageClient, workspace: Path):
    await _start(lsp_client, [workspace], FAKE_SETTINGS, trusted=False)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def output_showing_client(lsp_client: LanguageClient, workspace: Path, fake_flash):
    """A client that prints flash/buildOutput itself, as the VS Code extension does."""
    await _start(lsp_client, [workspace], FAKE_SETTINGS, options={"showsBuildOutput": True})
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def lone_client(lsp_client: LanguageClient, workspace: Path):
    """A vscode session whose test ends the server itself."""
    await _start(lsp_client, [workspace], FAKE_SETTINGS)
    yield
    if lsp_client._server is not None and lsp_client._server.returncode is None:
        await lsp_client.shutdown_session()


# ---------------------------------------------------------------- helpers


class Builds:
    """Records `flash/buildOutput` and `flash/buildFinished` and runs build commands."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.output: list[dict] = []
        self.finished: list[dict] = []
        self._changed = asyncio.Event()

        @client.feature("flash/buildOutput")
        def on_output(params):
            self.output.append(_plain(params))
            self._changed.set()

        @client.feature("flash/buildFinished")
        def on_finished(params):
            self.finished.append(_plain(params))
            self._changed.set()

    async def command(self, name: str, **args) -> dict:
        project = args.pop("project", from_fs_path(str(self.client.workspace_root)))
        result = await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=[{"project": project, **args}])
        )
        return _plain(result)

    async def until(self, predicate, timeout: float = WAIT):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("condition not met in time")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))
            except asyncio.TimeoutError:
                pass

    async def done(self, build: int) -> dict:
        return await self.until(lambda: next((f for f in self.finished if f["build"] == build), None))

    async def run(self, name: str = "flash.build") -> dict:
        result = await self.command(name)
        assert result["started"], result
        return await self.done(result["build"])

    def lines(self, build: int) -> list[str]:
        return [o["line"] for o in self.output if o["build"] == build]


def _plain(value):
    """pygls hands custom params and command results over as namedtuples; make them dicts."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def progress_tokens(client: LanguageClient, title_prefix: tuple = ("Flash: build", "Flash: package")) -> list[str]:
    return [
        token
        for token, values in client.progress_reports.items()
        if values and isinstance(values[0], types.WorkDoneProgressBegin) and values[0].title.startswith(title_prefix)
    ]


async def build_diagnostics(client: LanguageClient, rels: list[str]) -> set[tuple]:
    """(relpath, code, line, start char, severity) of every `flash build` diagnostic in `rels`."""
    found = set()
    for rel in rels:
        for d in await diagnostics(client, uri(client, rel)):
            if d.source == "flash build":
                found.add((rel, str(d.code), d.range.start.line, d.range.start.character, int(d.severity)))
    return found


async def wait_gone(pids: list[int], timeout: float) -> float:
    t0 = time.monotonic()
    while any(pid_alive(p) for p in pids):
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"build processes survived: {[p for p in pids if pid_alive(p)]}")
        await asyncio.sleep(0.01)
    return time.monotonic() - t0


# ---------------------------------------------------------------- fake flash


async def test_build_progress_output_and_finish(client):
    builds = Builds(client)
    root = client.workspace_root.resolve()
    t0 = time.monotonic()
    command = asyncio.ensure_future(builds.command("flash.build"))
    await builds.until(lambda: progress_tokens(client), timeout=5)
    begin_latency = time.monotonic() - t0
    result = await command
    assert result["started"] and result["command"][-2:] == ["build", "--keep-build"], result
    finished = await builds.done(result["build"])
    assert (finished["exitCode"], finished["cancelled"], finished["report"]) == (0, False, None)
    assert begin_latency < 1.0, f"progress began {begin_latency * 1000:.0f} ms after the command"

    (token,) = progress_tokens(client)
    values = client.progress_reports[token]
    begin, reports, end = values[0], values[1:-1], values[-1]
    assert begin.title == "Flash: build basic" and begin.cancellable
    assert isinstance(end, types.WorkDoneProgressEnd) and end.message.startswith("Build of basic succeeded in ")
    messages = [r.message for r in reports]
    for step in (
        "Starting build",
        "Building manifest (FastAPI app in main.py)",
        "Installing dependencies with pip (3 manylinux variants, Python 3.11)",
        "Created archive.tar.gz (0.0 MB)",
        "Build complete",
    ):
        assert step in messages, messages
    percentages = [r.percentage for r in reports]
    assert percentages == sorted(percentages) and percentages[-1] == 100

    lines = builds.lines(result["build"])
    script = str(root / ".." / "fakevenv" / "bin" / "flash")
    assert lines[:3] == [
        f"$ {script} build --keep-build",
        f"cwd: {root}",
        f"interpreter: {root / '..' / 'fakevenv' / 'bin' / 'python'} (from flash.interpreter setting; tetra-rp 0.24.0, "
        f"Python {sys.version.split()[0]})",
    ]
    assert "✓ Loaded ignore patterns" in lines and not any("\x1b" in line for line in lines)
    logged = [line for m in client.log_messages for line in m.message.split("\n")]
    assert all(line in logged for line in lines)
    assert (root / ".flash" / "archive.tar.gz").is_file()
    assert await build_diagnostics(client, ["main.py", "requirements.txt"]) == set()


async def test_build_output_is_not_copied_into_the_log_of_a_client_that_shows_it(output_showing_client):
    client = output_showing_client
    builds = Builds(client)
    result = await builds.command("flash.build")
    finished = await builds.done(result["build"])
    assert finished["exitCode"] == 0
    assert "✓ Loaded ignore patterns" in builds.lines(result["build"])
    logged = "\n".join(m.message for m in client.log_messages)
    assert "✓ Loaded ignore patterns" not in logged and "$ " not in logged, logged[:2000]
    assert "Build of basic succeeded in " in logged  # one line per build stays


async def test_cancel_single_flight_and_clean(client, fake_flash):
    builds = Builds(client)
    fake_flash.mode("hang")
    first = await builds.command("flash.build")
    assert first["started"]
    await builds.until(lambda: any(line.startswith("fake flash: hanging") for line in builds.lines(first["build"])))
    pids = fake_flash.pids()
    assert len(pids) == 2 and all(pid_alive(p) for p in pids)

    # single flight: a second build or package of the project is refused while one runs
    for name in ("flash.build", "flash.package"):
        second = await builds.command(name)
        message = second["message"]
        assert second == {"started": False, "reason": "already-running", "build": first["build"], "message": message}
    assert (await builds.command("flash.clean"))["reason"] == "build-running"

    # cancel from the progress UI: the whole process group is gone within 2 s
    token = progress_tokens(client)[-1]
    t0 = time.monotonic()
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    await wait_gone(pids, 2.0)
    finished = await builds.done(first["build"])
    assert finished["cancelled"] and time.monotonic() - t0 < 3.0
    # what the killed build wrote (a truncated archive, a build dir) is removed, and the end says so
    assert finished["removed"] == [".flash/.build", ".flash/archive.tar.gz"]
    assert not (client.workspace_root / ".flash" / "archive.tar.gz").exists()
    end = "Build of basic cancelled; removed the unfinished .flash/.build, .flash/archive.tar.gz"
    assert client.progress_reports[token][-1].message == end

    # flash.cancelBuild does the same, and returns once the group is gone
    fake_flash.mode("hang")
    again = await builds.command("flash.build")
    assert again["started"] and again["build"] != first["build"]
    await builds.until(lambda: len(fake_flash.pids()) == 2)
    pids = fake_flash.pids()
    cancelled = await builds.command("flash.cancelBuild")
    assert cancelled["cancelled"] and cancelled["build"] == again["build"]
    assert not any(pid_alive(p) for p in pids)
    assert (await builds.command("flash.cancelBuild")) == {"cancelled": False, "reason": "no build running"}

    # a successful build, then clean removes its output and nothing else
    fake_flash.mode("success")
    assert (await builds.run())["exitCode"] == 0
    root = client.workspace_root
    assert (root / ".flash" / "flash_manifest.json").is_file()
    cleaned = await builds.command("flash.clean")
    assert cleaned["cleaned"] and cleaned["removed"] == [".flash/.build", ".flash/archive.tar.gz"]
    assert sorted(p.name for p in (root / ".flash").iterdir()) == ["flash_manifest.json"]


ERRORS_PY = """\
from tetra_rp import CpuLiveLoadBalancer, LiveServerless, remote

api_lb = CpuLiveLoadBalancer(name="api_lb")
team = LiveServerless(name="team/gpu")
cpu_worker = LiveServerless(name="cpu_worker")


@remote(api_lb, method="POST", path="/x")
def one():
    return 1


@remote(api_lb, method="POST", path="/x")
def two():
    return 2


@remote(api_lb, method="GET", path="/ping")
def pinger():
    return 0


@remote(api_lb)
def nomethod():
    return 0


@remote(cpu_worker, dependencies=["nonexistent-pkg==9.9"])
def process_data(x):
    return x


@remote(team)
def team_fn(x):
    return x
"""
MORE_PY = """\
from tetra_rp import remote
from workers.gpu.endpoint import gpu_config


@remote(gpu_config)
def process_data(x):
    return x
"""
ERR, MORE, BAD = "workers/errs/endpoint.py", "workers/gpu/more.py", "workers/gpu/bad.py"
E, W = int(types.DiagnosticSeverity.Error), int(types.DiagnosticSeverity.Warning)
# mode → (relpath, code, line, character, severity) of each expected `flash build` diagnostic
EXPECTED = {
    "duplicate_function": {(ERR, "FL702", 28, 4, E), (MORE, "FL702", 5, 4, E)},
    "duplicate_route": {(ERR, "FL703", 7, 1, E), (ERR, "FL703", 12, 1, E)},
    "reserved_path": {(ERR, "FL704", 17, 1, E)},
    "lb_without_route": {(ERR, "FL705", 22, 1, E)},
    "handler_syntax": {(ERR, "FL706", 2, 34, E)},
    "handler_failed": {(ERR, "FL707", 3, 27, W)},
    "syntax_warning": {(BAD, "FL708", 0, 0, W)},
    "pip_failure": {(ERR, "FL712", 27, 34, E)},
    "too_large": {("requirements.txt", "FL714", 0, 0, W)},
    "success": set(),
}


@with_files({ERR: ERRORS_PY, MORE: MORE_PY, BAD: "def broken(:\n    pass\n"})
async def test_build_errors_become_diagnostics_at_the_code_they_concern(client, fake_flash):
    builds = Builds(client)
    rels = [ERR, MORE, BAD, "main.py", "requirements.txt", "workers/gpu/endpoint.py"]
    for mode, expected in EXPECTED.items():
        fake_flash.mode(mode)
        finished = await builds.run()
        assert (finished["exitCode"] == 0) == (mode in ("handler_failed", "syntax_warning", "too_large", "success"))
        # each build replaces the previous build's diagnostics; the clean one clears them
        assert await build_diagnostics(client, rels) == expected, mode
    # failed builds (not the ones that only warn) pop up once each
    failed = [m for m in client.messages if m.message.startswith("Flash: Build of basic failed (exit code 1): ")]
    assert len(failed) == 6 and all(m.type == types.MessageType.Error for m in failed)


@pytest.mark.settings({**FAKE_SETTINGS, "build": {"exclude": ["numpy"]}})
@with_files({"requirements.txt": "six\ntorch\n"})
async def test_package_report_and_drift_warning(client):
    builds = Builds(client)
    result = await builds.command("flash.package")
    # the settings' exclusions plus the recommended ones (a GPU endpoint: torch), and --keep-build
    assert result["started"] and result["command"][-4:] == ["build", "--keep-build", "--exclude", "numpy,torch"]
    finished = await builds.done(result["build"])
    assert finished["exitCode"] == 0 and finished["command"] == "flash.package"
    lines = builds.lines(result["build"])
    assert lines[3].startswith("package: recommended exclusions torch: GPU images (LiveServerless) already ship torch")
    assert "Excluded 1 package(s) (assumed in base image)" in lines
    report, markdown = finished["report"], finished["reportMarkdown"]
    archive = client.workspace_root / ".flash" / "archive.tar.gz"
    assert report["archive"] == ".flash/archive.tar.gz" and report["archive_bytes"] == archive.stat().st_size
    assert markdown.startswith("# Package report: basic") and "## Drift from the prediction" in markdown
    # the fake writes a fixed manifest: one resource where the basic project predicts five
    drift = report["drift"]
    assert not drift["no_drift"] and any(i["area"] == "manifest" for i in drift["items"])
    ds = await build_diagnostics(client, ["main.py", "requirements.txt"])
    assert ds == {("main.py", "FL701", 0, 0, W), ("requirements.txt", "FL715", 0, 0, W)}
    (d,) = [d for d in await diagnostics(client, uri(client, "main.py")) if d.code == "FL701"]
    differences = len(drift["items"])
    assert d.message.startswith(f"flash build differs from Flash LSP's prediction ({differences} difference(s)): ")


@pytest.mark.settings({"interpreter": "../noflash/bin/python"})
async def test_no_flash_installed_is_one_clear_message(client):
    builds = Builds(client)
    result = await builds.command("flash.build")
    assert (result["started"], result["reason"]) == (False, "flash-not-found")
    assert "Flash is not installed in" in result["message"] and "pip install tetra-rp" in result["message"]
    await builds.until(lambda: any("Flash" in m.message and "install" in m.message for m in client.messages))
    shown = [m for m in client.messages if "Flash" in m.message and "install" in m.message]
    assert len(shown) == 1 and shown[0].type == types.MessageType.Error and "pip install tetra-rp" in shown[0].message
    reports = client.progress_reports
    await builds.until(lambda: all(isinstance(v[-1], types.WorkDoneProgressEnd) for v in reports.values()))
    # the server is fine: a clean still answers
    assert (await builds.command("flash.clean"))["cleaned"]


async def test_untrusted_workspace_refuses_to_build(untrusted_client):
    client = untrusted_client
    builds = Builds(client)
    for name in ("flash.build", "flash.package"):
        result = await builds.command(name)
        assert (result["started"], result["reason"]) == (False, "untrusted")
    assert [m.message for m in client.messages if "untrusted" in m.message]
    assert not (client.workspace_root / ".flash").exists() and not progress_tokens(client)


async def test_server_exit_kills_running_builds(lone_client, fake_flash):
    client = lone_client
    builds = Builds(client)
    fake_flash.mode("hang")
    result = await builds.command("flash.build")
    assert result["started"]
    await builds.until(lambda: len(fake_flash.pids()) == 2)
    pids = fake_flash.pids()
    await client.shutdown_session()
    await wait_gone(pids, 3.0)


# ---------------------------------------------------------------- real tetra-rp 0.24


@pytest.fixture(scope="module")
def real_python():
    try:
        return reference_python("tetra-0.24")
    except Exception as exc:  # no network / no PyPI: nothing to compare with
        pytest.skip(f"reference venv tetra-0.24 unavailable: {exc}")


@pytest.fixture
def real_projects(tmp_path) -> list[Path]:
    return [Path(shutil.copytree(BUILD_PROJECTS / name, tmp_path / name)) for name in ("tiny_gpu", "tiny_env")]


@pytest_lsp.fixture(config=SERVER)
async def real_client(lsp_client: LanguageClient, real_projects, real_python):
    await _start(lsp_client, real_projects, {"interpreter": os.path.abspath(real_python)})
    yield
    await lsp_client.shutdown_session()


@pytest.mark.fidelity
async def test_real_package_reports_size_largest_entries_and_no_drift(real_client, real_projects):
    client = real_client
    builds = Builds(client)
    reports = {}
    for project in real_projects:
        result = await builds.command("flash.package", project=from_fs_path(str(project)))
        assert result["started"], result
        finished = await builds.done(result["build"])
        assert finished["exitCode"] == 0, builds.lines(result["build"])[-20:]
        reports[project.name] = finished

    gpu = reports["tiny_gpu"]["report"]
    archive = real_projects[0] / ".flash" / "archive.tar.gz"
    assert gpu["archive"] == ".flash/archive.tar.gz" and gpu["archive_bytes"] == archive.stat().st_size
    assert not gpu["over_limit"] and gpu["flagged"] == []
    with tarfile.open(archive) as tar:
        sizes = {m.name.removeprefix("./"): m.size for m in tar.getmembers() if m.isfile()}
    assert gpu["members"] == len(sizes) and gpu["uncompressed_bytes"] == sum(sizes.values())
    largest = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[: len(gpu["largest_files"])]
    assert [(e["path"], e["bytes"]) for e in gpu["largest_files"]] == largest
    assert {e["path"] for e in gpu["top_entries"]} >= {"main.py", "workers/", "flash_manifest.json", "handlers/"}
    assert gpu["drift"] == {"no_drift": True, "error": None, "items": []}, gpu["drift"]
    assert "No drift: the build matches the prediction." in reports["tiny_gpu"]["reportMarkdown"]

    env = reports["tiny_env"]["report"]
    assert [(f["kind"], f["path"]) for f in env["flagged"]] == [("secret", ".env")]
    assert "**secret** `.env`" in reports["tiny_env"]["reportMarkdown"]
    assert env["drift"]["no_drift"], env["drift"]
    for project in real_projects:
        assert await build_diagnostics_of(client, project, ["main.py"]) == set()


async def build_diagnostics_of(client: LanguageClient, project: Path, rels: list[str]) -> set:
    out = set()
    for rel in rels:
        for d in client.diagnostics.get(from_fs_path(str(project / rel)), []):
            if d.source == "flash build":
                out.add((rel, str(d.code), d.range.start.line))
    return out
