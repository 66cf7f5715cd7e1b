"""Fixtures for the build runner tests: project copies, the fake `flash`, an event recorder."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from flash_lsp.runner.build_process import BuildRunner
from flash_lsp.runner.events import BuildEvent
from tests.fixtures.fake_flash.layout import fake_command, make_fake_venv

REPO = Path(__file__).resolve().parents[2]
BUILD_PROJECTS = REPO / "tests" / "fixtures" / "build_projects"
REAL_OUTPUT = Path(__file__).parent / "data" / "real-0.24"
WAIT = 60.0  # generous: a loaded 2-core machine


def pid_alive(pid: int) -> bool:
    """`os.kill(pid, 0)`, except that a zombie counts as dead (this container's PID 1 does not reap)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
        return data[data.rfind(b")") + 2 :].split()[0] not in (b"Z", b"X")
    except OSError:
        return False


def read_pids(pidfile: Path) -> list[int]:
    return [int(x) for x in pidfile.read_text().split()] if pidfile.exists() else []


def wait_for_pids(pidfile: Path, count: int, timeout: float = WAIT) -> list[int]:
    """The pids in `pidfile` once it holds `count` of them (or whatever it holds after `timeout`)."""
    deadline = time.monotonic() + timeout
    while len(read_pids(pidfile)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return read_pids(pidfile)


TREE_SIZE = 5  # the fake's main process, child, setsid parent and its grandchild, daemon


def marked(marker: str) -> list[int]:
    """Live processes with `marker` in their argv."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                argv = Path(entry.path, "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if marker.encode() in argv and pid_alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def wait_until_gone(marker: str, pids: list[int], timeout: float) -> list[int]:
    """The processes still alive after `timeout`: those with `marker` in their argv and those of `pids`.

    Both are asked because a process that is still exiting has an empty argv but is not a zombie yet.
    """
    deadline = time.monotonic() + timeout
    while True:
        left = sorted(set(marked(marker)) | {pid for pid in pids if pid_alive(pid)})
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


@pytest.fixture
def closing():
    """`closing(obj)` returns `obj` and calls `obj.close()` after the test (helper processes)."""
    objects = []

    def keep(obj):
        objects.append(obj)
        return obj

    yield keep
    for obj in objects:
        obj.close()


@pytest.fixture
def tree_env(tmp_path: Path):
    """Environment for mode `tree` and its marker; whatever a failing test leaves is killed after it
    (request it before `closing`, so the helper processes are closed first)."""
    marker = f"flash-tree-{uuid.uuid4().hex}"
    yield {"FAKE_FLASH_PIDFILE": str(tmp_path / "pids"), "FAKE_FLASH_MARKER": marker}, marker
    deadline = time.monotonic() + 3.0  # a surviving build may still be spawning
    while time.monotonic() < deadline:
        for pid in {*marked(marker), *(p for p in read_pids(tmp_path / "pids") if pid_alive(p))}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        if not marked(marker):
            break


class Recorder:
    """Event callback that keeps every event and lets a test await one matching a predicate."""

    def __init__(self) -> None:
        self.events: list[BuildEvent] = []
        self._waiters: list[tuple[Callable[[BuildEvent], bool], asyncio.Future]] = []

    def __call__(self, event: BuildEvent) -> None:
        self.events.append(event)
        for predicate, fut in self._waiters:
            if not fut.done() and predicate(event):
                fut.set_result(event)

    async def wait_for(self, predicate: Callable[[BuildEvent], bool], timeout: float = WAIT) -> BuildEvent:
        for event in self.events:
            if predicate(event):
                return event
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, fut))
        return await asyncio.wait_for(fut, timeout)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


def copy_project(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(BUILD_PROJECTS / name, target)
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project("tiny_gpu", tmp_path)


@pytest.fixture
def fake():
    return fake_command()


@pytest.fixture(scope="session")
def fake_venv(tmp_path_factory) -> Path:
    """A venv whose metadata says tetra-rp 0.24.0 and whose bin/flash is the fake; returns bin/python."""
    return make_fake_venv(tmp_path_factory.mktemp("fakevenv") / "venv")


@pytest.fixture
async def runner(tmp_path):
    r = BuildRunner(grace_period=0.5, lock_dir=tmp_path / "locks")
    yield r
    await r.shutdown()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


# ---------------------------------------------------------------- reference venv (fidelity tests)


def reference_python(profile: str = "tetra-0.24") -> Path:
    """Interpreter of the reference venv with the real SDK.

    Uses `tests/fidelity.py` (`ensure_reference_venv`, or its `ensure_ref_venv`) when present;
    otherwise a minimal local equivalent: `${FLASH_LSP_REF_CACHE:-<repo>/.cache}/ref-venvs/<profile>`
    created with `python3 -m venv` + `pip install tetra-rp==<version>`.
    """
    try:
        from tests import fidelity
    except ImportError:
        fidelity = None
    ensure = getattr(fidelity, "ensure_reference_venv", None) or getattr(fidelity, "ensure_ref_venv", None)
    venv = Path(ensure(profile)) if ensure else _local_reference_venv(profile)
    return venv / "bin" / "python"


def _local_reference_venv(profile: str) -> Path:
    versions = {"tetra-0.24": "0.24.0", "tetra-0.20": "0.20.0"}
    venv = Path(os.environ.get("FLASH_LSP_REF_CACHE") or REPO / ".cache") / "ref-venvs" / profile
    if not (venv / "bin" / "flash").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", f"tetra-rp=={versions[profile]}"], check=True
        )
    return venv
