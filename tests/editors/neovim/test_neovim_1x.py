"""Neovim (0.7, Debian) as a plain LSP client of a runpod-flash 1.x project opened with no settings
and no initialization options (`probe_1x.lua`): the server picks the 1.x profile by itself and the
client gets the endpoints, the diagnostics, an endpoint hover and the predicted archive size."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from ..conftest import REPO, run_headless, run_setup

HERE = Path(__file__).resolve().parent
FIXTURE = REPO / "tests" / "fixtures" / "editor1" / "neovim"
TIMEOUT = 300


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    run_setup("neovim")
    root = tmp_path_factory.mktemp("neovim-1x")
    project = root / "proj"
    shutil.copytree(FIXTURE, project)
    out = root / "result.json"
    config = {
        "cmd": [sys.executable, "-m", "flash_lsp", "serve"],
        "root": str(project),
        "file": str(project / "worker.py"),
        "hover": {"line": 8, "col": 11},  # `embed` in `async def embed(...)` (0-based)
        "timeout_ms": 90000,
        "out": str(out),
    }
    config_path = root / "config.json"
    config_path.write_text(json.dumps(config))
    xdg = str(root / "xdg")
    env = {
        **os.environ,
        "PROBE_CONFIG": str(config_path),
        "HOME": str(root),
        "XDG_CONFIG_HOME": xdg,
        "XDG_DATA_HOME": xdg,
        "XDG_STATE_HOME": xdg,
    }
    command = [shutil.which("nvim") or "nvim", "--headless", "--clean", "-S", str(HERE / "probe_1x.lua")]
    return run_headless(command, out, "neovim/result_1x", env=env, cwd=root, timeout=TIMEOUT)


def test_no_errors(probe):
    assert probe["errors"] == [], probe["errors"]


def test_the_1x_profile_and_its_endpoints_without_any_setting(probe):
    (project,) = probe["endpoints"]["projects"]
    assert project["profile"] == "flash-1.21" and project["succeeds"], project
    assert sorted(e["name"] for e in project["endpoints"]) == ["api", "embed"]


def test_a_1x_diagnostic_on_its_argument(probe):
    fl444 = [d for d in probe["diagnostics"] if d["code"] == "FL444"]  # gpu=[...] does not pin one card
    assert fl444 and fl444[0]["lnum"] == 7, probe["diagnostics"]


def test_endpoint_hover_with_its_manifest_entry(probe):
    value = probe["hover"]["value"]
    assert "endpoint **`embed`**" in value and '"module": "worker"' in value, value
    assert "command:" not in value  # Neovim cannot run VS Code command links


def test_predicted_size_for_the_1x_archive(probe):
    size = probe["size"]
    assert size["state"] == "ready" and size["python_version"] == "3.12", size
    assert 150_000 < size["archive_bytes"] < 400_000  # the bundled runpod_flash package and two files
    assert size["limit_bytes"] == 1500 * 1024 * 1024
