"""Editor end-to-end tests (real VS Code via code-server + Playwright, real Neovim, Emacs + eglot).

Marked `editors`: part of the default run, deselect with `-m "not editors"`. Everything they need is
installed by `tests/editors/setup.sh` (CI calls it first; the tests call it again, which is quick when
everything is there)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SETUP = Path(__file__).resolve().parent / "setup.sh"
FIXTURES = REPO / "tests" / "fixtures" / "editors"
CACHE = Path(os.environ.get("FLASH_LSP_EDITORS_CACHE") or REPO / ".cache")
ARTIFACTS = CACHE / "artifacts"
SETUP_TIMEOUT = 1200


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "editors: end-to-end tests in real editors (VS Code via code-server, Neovim, Emacs + eglot)"
    )


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.editors)


def run_setup(what: str) -> None:
    """Installs what the `what` tests need (apt/npm/PyPI); fails the test with the script's output."""
    proc = subprocess.run(["bash", str(SETUP), what], capture_output=True, text=True, timeout=SETUP_TIMEOUT, cwd=REPO)
    if proc.returncode != 0:
        pytest.fail(
            f"tests/editors/setup.sh {what} failed (rc {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
        )


def reference_python(profile: str = "tetra-0.24") -> Path:
    """The reference venv's interpreter (real tetra-rp), created on demand by tests/fidelity.py."""
    from tests import fidelity

    ensure = getattr(fidelity, "ensure_reference_venv", None) or fidelity.ensure_ref_venv
    return Path(ensure(profile, log=lambda *a: None)) / "bin" / "python"


def copy_fixture(name: str, parent: Path) -> Path:
    dest = parent / name
    shutil.copytree(FIXTURES / name, dest)
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM the process group started with start_new_session=True, SIGKILL after `grace`."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def run_headless(command: list[str], out: Path, artifact: str, *, env: dict, cwd: Path, timeout: float) -> dict:
    """Runs a headless editor that writes its findings as JSON to `out`; keeps a copy (and the
    editor's stderr) under .cache/artifacts/<artifact>.json / .stderr.log and returns them."""
    proc = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd, stdin=subprocess.DEVNULL
    )
    name = Path(command[0]).name
    assert out.exists(), f"{name} wrote no result (rc {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    result = json.loads(out.read_text())
    target = ARTIFACTS / f"{artifact}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2))
    target.with_suffix(".stderr.log").write_text(proc.stderr)
    return result
