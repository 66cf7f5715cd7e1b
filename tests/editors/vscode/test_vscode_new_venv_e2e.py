"""A `.venv` created after the folder opened, in real VS Code (code-server + Playwright,
`new_venv_steps.mjs`): a runpod-flash 1.x project importing numpy (worker.py) and fastlib (other.py)
is opened with no interpreter of its own, so the build is predicted to fail with "No module named"
for both; a venv holding runpod-flash 1.21.0 and numpy is then written into the project (no pip
run: the layout the analysis reads, `tests/venv_layout.py`) and the numpy finding goes away without
an edit or a re-index; then an editable install of fastlib (a .pth and a dist-info, no .py file)
clears the other.

The server runs from this checkout's interpreter with debug logging and protocol tracing, so its
log (`server.log` in the artifacts) shows which file-watch events VS Code delivered.
Screenshots: .cache/artifacts/vscode-new-venv/.
"""

from __future__ import annotations

import sys

import pytest

from tests.venv_layout import make_venv

from ..conftest import ARTIFACTS, run_setup
from .test_vscode_e2e import launch_and_drive, step

SHOTS = ARTIFACTS / "vscode-new-venv"
WORKER = """\
import numpy

from runpod_flash import Endpoint, GpuType


@Endpoint(name="summarize", gpu=GpuType.NVIDIA_A40)
async def summarize(text: str) -> dict:
    return {"n": numpy.__name__}
"""
OTHER = WORKER.replace("numpy", "fastlib").replace('"summarize"', '"other"').replace("summarize(", "other(")


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    run_setup("vscode")
    root = tmp_path_factory.mktemp("vscode-new-venv")
    project = root / "ws" / "novenv"
    project.mkdir(parents=True)
    (project / "worker.py").write_text(WORKER)
    (project / "other.py").write_text(OTHER)
    template = root / "venv-template"
    site = make_venv(template, ("numpy",))
    settings = {"flash.server.interpreter": sys.executable, "flash.logLevel": "debug", "flash.trace.server": "verbose"}
    config = {
        "suite": "new_venv_steps",
        "project": str(project),
        "venvTemplate": str(template),
        "sitePackages": str(site.relative_to(template)),
    }
    result, data = launch_and_drive(root, project, settings, config, SHOTS)
    logs = sorted((data / "logs").glob("**/*Flash LSP*.log")) if (data / "logs").exists() else []
    server_log = "\n".join(p.read_text(errors="replace") for p in logs)
    (SHOTS / "server.log").write_text(server_log)  # which file-watch events VS Code delivered
    return {"steps": result["steps"], "server_log": server_log}


def test_the_build_is_predicted_to_miss_both_packages_before_the_venv(session):
    rows = [" ".join(r) for r in step(session, "missingModule")["rows"]]
    for name in ("numpy", "fastlib"):
        assert any("FL420" in r and f"No module named '{name}'" in r for r in rows), rows


def test_the_finding_goes_away_once_the_venv_exists(session):
    data = step(session, "venvCreated")
    assert data["cleared"], f"{data['rows']}\n--- server log ---\n{session['server_log'][-3000:]}"
    assert "a build interpreter changed" in session["server_log"]


def test_an_editable_install_clears_the_other_finding(session):
    """No .py file reaches site-packages: the dist-info events or the server's poll report it (the
    log, kept in the artifacts, shows which; code-server does not always deliver the events)."""
    data = step(session, "editableInstall")
    assert data["cleared"], f"{data['rows']}\n--- server log ---\n{session['server_log'][-3000:]}"
