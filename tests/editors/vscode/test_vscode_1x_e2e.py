"""runpod-flash 1.x editor features in real VS Code (code-server + Playwright, `flash1_steps.mjs`):
completion of a `GpuType` member, an invented keyword flagged and fixed through "did you mean",
renaming an endpoint through the refactor preview, and the free-variable warning with its fix.

The server runs from this checkout's interpreter (`flash.server.interpreter`); the project has no
interpreter of its own, so the bundled runpod-flash 1.21.0 API applies.
Screenshots: .cache/artifacts/vscode-1x/.
"""

from __future__ import annotations

import shutil
import sys

import pytest

from ..conftest import ARTIFACTS, REPO, run_setup
from .test_vscode_e2e import launch_and_drive, step

SHOTS = ARTIFACTS / "vscode-1x"
FIXTURE = REPO / "tests" / "fixtures" / "editor1" / "vscode"


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    run_setup("vscode")
    root = tmp_path_factory.mktemp("vscode-1x")
    project = root / "ws" / "flash1app"
    shutil.copytree(FIXTURE, project)
    settings = {"flash.server.interpreter": sys.executable}
    result, data = launch_and_drive(root, project, settings, {"suite": "flash1_steps", "project": str(project)}, SHOTS)
    logs = sorted((data / "logs").glob("**/*Flash LSP*.log")) if (data / "logs").exists() else []
    return {"steps": result["steps"], "server_log": "\n".join(p.read_text(errors="replace")[-6000:] for p in logs)}


def test_gpu_type_member_completion(session):
    labels = step(session, "gpuTypeCompletion")["labels"]
    assert {"NVIDIA_A40", "NVIDIA_GEFORCE_RTX_4090", "NVIDIA_B200"} <= set(labels), labels


def test_invented_keyword_flagged_and_fixed(session):
    data = step(session, "invalidKeyword")
    assert "unexpected keyword argument 'idle_timout'" in " ".join(data["problem"]), data["problem"]
    assert "Did you mean 'idle_timeout'?" in data["titles"], data["titles"]
    assert data["fixed"]


def test_rename_endpoint_through_the_preview(session):
    data = step(session, "renameEndpoint")
    assert any('name="condense"' in line for line in data["worker"]), data["worker"]
    assert any("async def summarize(" in line for line in data["worker"])  # the name string was the name
    assert any('Endpoint(id="condense")' in line for line in data["pipeline"]), data["pipeline"]


def test_free_variable_warning_and_move_import_fix(session):
    data = step(session, "freeVariable")
    assert "`json` (import)" in " ".join(data["problem"]), data["problem"]
    lines = data["lines"]
    assert not any(line.startswith("import json") for line in lines), lines
    body = lines[next(i for i, line in enumerate(lines) if "def summarize" in line) + 1 :]
    assert any(line.strip() == "import json" for line in body), lines


def test_endpoints_tree_and_size_of_the_1x_project(session):
    data = step(session, "treeAndSize")
    assert "condense" in data["rows"], data["rows"]
    assert data["status"].endswith("/ 1.46 GB"), data["status"]  # 1500 MiB: the 1.x limit
