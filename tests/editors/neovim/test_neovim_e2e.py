"""Neovim 0.7 (Debian) as a real LSP client of `python -m flash_lsp serve`: diagnostics, hover and
`flash.build` (with the real tetra-rp 0.24 in the reference venv) through `vim.lsp` (probe.lua)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from ..conftest import copy_fixture, reference_python, run_headless, run_setup

HERE = Path(__file__).resolve().parent
TIMEOUT = 420


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    run_setup("neovim")
    ref_python = str(reference_python("tetra-0.24"))
    root = tmp_path_factory.mktemp("neovim-e2e")
    hello = copy_fixture("hello", root)
    tiny = copy_fixture("tiny", root)
    settings = {"flash.interpreter": ref_python, "flash.diagnostics.debounceMs": 0}
    out = root / "result.json"
    config = {
        "cmd": [sys.executable, "-m", "flash_lsp", "serve"],
        "init_options": {"settings": settings, "trusted": True},
        "settings": {"flash": {"interpreter": ref_python, "diagnostics": {"debounceMs": 0}}},
        "timeout_ms": 60000,
        "out": str(out),
        "analyse": {
            "root": str(hello),
            "file": str(hello / "workers" / "extra" / "endpoint.py"),
            # `generate` in `async def generate(...)` (0-based line 10)
            "hover": {"file": str(hello / "workers" / "gpu" / "endpoint.py"), "line": 10, "col": 12},
        },
        "build": {
            "root": str(tiny),
            "file": str(tiny / "workers" / "gpu" / "endpoint.py"),
            "command": "flash.build",
            "timeout_ms": 300000,
        },
    }
    config_path = root / "config.json"
    config_path.write_text(json.dumps(config))
    env = {
        **os.environ,
        "PROBE_CONFIG": str(config_path),
        "XDG_CONFIG_HOME": str(root / "xdg"),
        "XDG_DATA_HOME": str(root / "xdg"),
        "XDG_STATE_HOME": str(root / "xdg"),
    }
    command = [shutil.which("nvim") or "nvim", "--headless", "--clean", "-S", str(HERE / "probe.lua")]
    result = run_headless(command, out, "neovim/result", env=env, cwd=root, timeout=TIMEOUT)
    return result


def test_no_errors(probe):
    assert probe["errors"] == [], probe["errors"]


def test_fl101_diagnostic_at_the_decorator(probe):
    fl101 = [d for d in probe["diagnostics"] if d["code"] == "FL101"]
    assert fl101, probe["diagnostics"]
    d = fl101[0]
    assert (d["lnum"], d["col"]) == (6, 8)
    assert d["severity"] == 1 and d["source"] == "flash-lsp"
    assert "'gpu_cfg' is not defined" in d["message"]


def test_hover_shows_the_manifest_entry(probe):
    hover = probe["hover"]
    assert isinstance(hover, dict) and hover["kind"] == "markdown", hover
    assert "hello_gpu" in hover["value"] and "Manifest entry" in hover["value"]
    assert '"name": "generate"' in hover["value"]


def test_flash_build_reports_progress_output_and_finishes(probe):
    finished = probe["build_finished"]
    assert finished and finished["exitCode"] == 0 and not finished.get("cancelled"), finished
    assert finished["project"].endswith("/tiny")
    begins = [p for p in probe["progress"] if p["kind"] == "begin" and "build" in (p.get("title") or "").lower()]
    assert begins, f"no build progress: {probe['progress']}"
    token = begins[0]["token"]
    kinds = [p["kind"] for p in probe["progress"] if p["token"] == token]
    assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds, kinds
    assert begins[0]["cancellable"] is True
    assert probe["build_output_lines"] > 0
    assert any("Build Complete" in line or "built successfully" in line for line in probe["build_output_tail"]), probe[
        "build_output_tail"
    ]
