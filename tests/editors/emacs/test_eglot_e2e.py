"""Emacs 28 + eglot 1.9 (Debian) in batch mode running the README's eglot recipe. The fixture is not
in a version-control repository, so eglot's root is the opened file's directory, a subfolder of
the project: the server must still analyse the whole project (no false FL307)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from ..conftest import copy_fixture, run_headless, run_setup
from ..readme_snippets import readme_snippet

HERE = Path(__file__).resolve().parent
TIMEOUT = 180
HOVER = "7,6"  # `def summarise` in hello/workers/extra/endpoint.py (0-based)


@pytest.fixture(scope="module")
def eglot(tmp_path_factory):
    run_setup("emacs")
    root = tmp_path_factory.mktemp("eglot-e2e")
    hello = copy_fixture("hello", root)
    recipe = root / "recipe.el"
    recipe.write_text(readme_snippet("emacs-eglot"))
    out = root / "result.json"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(root / "home"),
        "CHECK_RECIPE": str(recipe),
        "CHECK_FILE": str(hello / "workers" / "extra" / "endpoint.py"),
        "CHECK_OUT": str(out),
        "CHECK_HOVER": HOVER,
    }
    (root / "home").mkdir()
    command = [shutil.which("emacs") or "emacs", "--batch", "-Q", "-l", str(HERE / "eglot_check.el")]
    result = run_headless(command, out, "emacs/result", env=env, cwd=root, timeout=TIMEOUT)
    return hello, result


def test_recipe_connects_with_the_file_directory_as_root(eglot):
    hello, result = eglot
    assert result["errors"] == [], result
    assert result["version"].startswith("28."), result["version"]
    assert Path(result["root"]).resolve() == (hello / "workers" / "extra").resolve(), result["root"]


def test_diagnostics_cover_the_whole_project(eglot):
    _hello, result = eglot
    codes = [d.get("code") for d in result["diagnostics"]]
    assert "FL101" in codes, result["diagnostics"]
    assert "FL307" not in codes, result["diagnostics"]


def test_hover_has_no_command_links(eglot):
    _hello, result = eglot
    hover = result["hover"]
    assert hover and hover["kind"] == "markdown", result
    assert "summarise" in hover["value"] and "command:" not in hover["value"], hover["value"]
