"""The whole-project migration to runpod 2.0 in real VS Code (code-server + Playwright,
`migrate_steps.mjs`), then a build with the real `rp`.

A runpod-flash 1.21 project (a CPU queue function with a dependency) is opened with `flash.interpreter`
set to the runpod 2.0.0rc2 reference venv's python: "Flash: Migrate Project to runpod 2.0" opens the
Refactor Preview, applying it writes the files, and "Build with rp" runs `rp flash deploy --build-only`
of that interpreter (pip finds the runtime packages in the local wheelhouse first). One workbench.
Screenshots: .cache/artifacts/vscode-migrate/.
"""

from __future__ import annotations

import shutil
import sys
import tarfile

import pytest

from ..conftest import ARTIFACTS, REPO, run_setup
from .test_vscode_e2e import launch_and_drive, step

SHOTS = ARTIFACTS / "vscode-migrate"
FIXTURE = REPO / "tests" / "fixtures" / "migrate" / "f_qb_cpu"


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    from tests import fidelity_runpod2 as rp2

    run_setup("vscode")
    python = rp2.venv() / "bin" / "python"
    wheelhouse = rp2.wheelhouse(python)
    root = tmp_path_factory.mktemp("vscode-migrate")
    project = root / "ws" / "qbcpu"
    shutil.copytree(FIXTURE, project)
    before = {p.name: p.read_text() for p in project.iterdir() if p.is_file()}
    settings = {"flash.server.interpreter": sys.executable, "flash.interpreter": str(python)}
    with pytest.MonkeyPatch.context() as env:  # code-server, the server and the build inherit it
        # the runtime packages from the local wheelhouse; runpod itself (a requirement now) from the index
        env.setenv("PIP_FIND_LINKS", str(wheelhouse))
        result, data = launch_and_drive(
            root, project, settings, {"suite": "migrate_steps", "project": str(project)}, SHOTS
        )
    logs = sorted((data / "logs").glob("**/*Flash LSP*.log")) if (data / "logs").exists() else []
    return {
        "steps": result["steps"],
        "project": project,
        "before": before,
        "server_log": "\n".join(p.read_text(errors="replace")[-6000:] for p in logs),
    }


def test_migration_applied_from_the_refactor_preview(session):
    data = step(session, "migrateFromPreview")
    assert any("worker.py" in r for r in data["previewRows"]), data["previewRows"]
    assert "migrated qbcpu to runpod 2.0 (2 files)" in data["notification"], data["notification"]
    assert not data["dirtyTabs"], data["dirtyTabs"]  # applied as a refactoring: saved, not left dirty
    assert "runpod_flash" in session["before"]["worker.py"]
    worker = (session["project"] / "worker.py").read_text()
    assert 'app = runpod.App("qbcpu")' in worker and "@app.queue(" in worker and "runpod_flash" not in worker
    lines = (session["project"] / "requirements.txt").read_text().splitlines()
    requirements = [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]
    assert requirements == ["six"], lines  # runpod 2.0 is installed where rp runs, not vendored (FL959)


def test_build_with_rp_after_the_migration(session):
    data = step(session, "buildWithRp")
    assert data["finished"] == "Flash: build of qbcpu finished.", data
    progress = [s.removeprefix("Flash: build qbcpu: ") for s in data["seen"]]
    assert "Running rp flash deploy --build-only" in progress, progress  # the runpod 2.0 build, rp's steps
    # rp's last step is shown for a moment only, before the finished notification replaces it: seen as
    # progress, or else as rp's own line in the build output
    done = any(s.startswith("Build complete: qbcpu-artifact.tar.gz (") for s in progress)
    assert done or any("built qbcpu qbcpu-artifact.tar.gz (" in line for line in data["output"]), data
    artifact = session["project"] / "qbcpu-artifact.tar.gz"
    assert artifact.is_file(), sorted(p.name for p in session["project"].iterdir())
    with tarfile.open(artifact) as tar:
        names = tar.getnames()
    assert "runpod_manifest.json" in names and "worker.py" in names, names[:20]
