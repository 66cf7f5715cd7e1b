"""Fidelity on tmpfs: the build scans its copy of the project, which tmpfs lists newest first, so
the order in which a project's files were created decides function order and which file supplies
an endpoint's deployment fields. The real `flash build` and our CLI run on the same copies under
/dev/shm, written in both orders."""

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
FIXTURE = fidelity.FIXTURES / "dir_order_fields"
pytestmark = [
    pytest.mark.fidelity,
    pytest.mark.skipif(not SHM.is_dir() or filesystem_of(SHM) != "tmpfs", reason="needs a tmpfs at /dev/shm"),
]


def _write(parent: Path, first: str) -> Path:
    """The fixture copied file by file, `workers/<first>.py` created before the other worker."""
    root = parent / FIXTURE.name
    files = sorted((p.relative_to(FIXTURE) for p in FIXTURE.rglob("*") if p.is_file()), key=lambda p: p.stem != first)
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURE / rel, root / rel)
    return root


def _real(venv: Path, parent: Path, first: str) -> dict:
    root = _write(parent / "real", first)
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


def _ours(venv: Path, parent: Path, first: str, profile: str) -> dict:
    root = _write(parent / "ours", first)
    run = fidelity.run_cli(
        ["manifest", str(root), "--profile", profile, "--python", str(venv / "bin" / "python")], parent
    )
    assert run.returncode == 0, run.describe()
    return json.loads(run.stdout)["resources"]["shared"]


@pytest.mark.parametrize("profile", sorted(fidelity.PROFILES, reverse=True))
def test_creation_order_on_tmpfs_decides_the_endpoint_as_predicted(profile):
    venv = fidelity.ensure_ref_venv(profile)
    seen = {}
    for first in ("alpha", "omega"):
        with tempfile.TemporaryDirectory(dir=SHM, prefix="flash-lsp-tmpfs-") as tmp:
            real = _real(venv, Path(tmp), first)
            ours = _ours(venv, Path(tmp), first, profile)
        assert ours["functions"] == real["functions"]
        assert ours.get("workersMax") == real.get("workersMax")
        seen[first] = [f["name"] for f in real["functions"]]
    assert seen["alpha"] != seen["omega"]  # the order really depends on creation order here
