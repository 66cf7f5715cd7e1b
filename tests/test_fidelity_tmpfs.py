"""Fidelity on tmpfs: the build scans its copy of the project, which tmpfs lists newest first, so
the order in which a project's files were created decides function order and which file supplies
an endpoint's deployment fields, unless one file's directory contains the other's (the scan takes a
directory's files before its subdirectories). The real `flash build` and our CLI run on the same
copies under /dev/shm, written in both orders; FL490 is reported exactly where the order mattered."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from flash_lsp.core.fs_order import filesystem_of
from tests import fidelity

SHM = Path("/dev/shm")
FIXTURES = {"dir_order_fields": True, "dir_order_nested": False}  # fixture → the order changes the build
pytestmark = [
    pytest.mark.fidelity,
    pytest.mark.skipif(not SHM.is_dir() or filesystem_of(SHM) != "tmpfs", reason="needs a tmpfs at /dev/shm"),
]


def _write(fixture: Path, parent: Path, first: str) -> Path:
    """The fixture copied file by file, the worker named `<first>.py` created before the other one."""
    root = parent / fixture.name
    files = sorted((p.relative_to(fixture) for p in fixture.rglob("*") if p.is_file()), key=lambda p: p.stem != first)
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fixture / rel, root / rel)
    return root


def _real(fixture: Path, venv: Path, parent: Path, first: str) -> dict:
    root = _write(fixture, parent / "real", first)
    proc = subprocess.run(
        [str(venv / "bin" / "python"), str(venv / "bin" / fidelity.WRAPPER_NAME), "build", "--keep-build"],
        cwd=root,
        env=fidelity.clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=fidelity.BUILD_TIMEOUT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads((root / ".flash" / ".build" / "flash_manifest.json").read_text())["resources"]["shared"]


def _ours(fixture: Path, venv: Path, parent: Path, first: str, profile: str) -> tuple[dict, bool]:
    """Our predicted entry of endpoint "shared", and whether `check` reports FL490."""
    root = _write(fixture, parent / "ours", first)
    options = ["--profile", profile, "--python", str(venv / "bin" / "python")]
    run = fidelity.run_cli(["manifest", str(root), *options], parent)
    assert run.returncode == 0, run.describe()
    check = fidelity.run_cli(["check", str(root), *options], parent)
    assert "FL420" not in check.stdout, check.describe()  # the check ran on a project that loads
    return json.loads(run.stdout)["resources"]["shared"], " FL490 " in check.stdout


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize("profile", sorted(fidelity.PROFILES, reverse=True))
def test_creation_order_on_tmpfs_decides_the_endpoint_as_predicted(profile, name):
    fixture = fidelity.FIXTURES / name
    venv = fidelity.ensure_ref_venv(profile)
    seen, flagged = {}, set()
    for first in ("alpha", "omega"):
        with tempfile.TemporaryDirectory(dir=SHM, prefix="flash-lsp-tmpfs-") as tmp:
            real = _real(fixture, venv, Path(tmp), first)
            ours, fl490 = _ours(fixture, venv, Path(tmp), first, profile)
        assert ours["functions"] == real["functions"]
        assert ours.get("workersMax") == real.get("workersMax")
        seen[first] = ([f["name"] for f in real["functions"]], real.get("workersMax"))
        flagged.add(fl490)
    order_matters = seen["alpha"] != seen["omega"]
    assert order_matters == FIXTURES[name], seen  # the real build: the order matters here, or not
    assert flagged == {order_matters}, "FL490 must be reported exactly where the creation order changed the build"
