"""Choosing the project's interpreter and how to run Flash with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flash_lsp.runner.build_process import BuildOptions, build_args
from flash_lsp.runner.interpreter import (
    BOOTSTRAP,
    FlashCommand,
    FlashNotFound,
    choose_interpreter,
    command_from_probe,
    resolve_flash,
)
from tests.fixtures.fake_flash.layout import make_fake_venv


def make_python(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(sys.executable)
    return path


def test_order_setting_client_venv_path(tmp_path, monkeypatch):
    project = tmp_path / "p"
    venv_python = make_python(project / ".venv" / "bin" / "python")
    other = make_python(tmp_path / "other" / "python")
    assert choose_interpreter(project, setting=str(other), client_python=str(venv_python)) == (str(other), "setting")
    assert choose_interpreter(project, client_python=str(other)) == (str(other), "client")
    assert choose_interpreter(project) == (str(venv_python), "project-venv")
    os.unlink(venv_python)
    bindir = tmp_path / "pathbin"
    make_python(bindir / "python3")
    monkeypatch.setenv("PATH", str(bindir))
    assert choose_interpreter(project) == (str(bindir / "python3"), "path")


def test_relative_setting_is_relative_to_the_project(tmp_path):
    project = tmp_path / "p"
    make_python(project / "env" / "bin" / "python")
    assert choose_interpreter(project, setting="env/bin/python") == (str(project / "env/bin/python"), "setting")


def test_named_interpreter_that_does_not_exist_is_an_error_not_a_fallback(tmp_path):
    project = tmp_path / "p"
    make_python(project / ".venv" / "bin" / "python")
    with pytest.raises(FlashNotFound, match="does not exist"):
        choose_interpreter(project, client_python=str(tmp_path / "gone" / "python"))


def test_no_interpreter_at_all(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(FlashNotFound, match="pip install tetra-rp"):
        choose_interpreter(tmp_path)


async def test_flash_not_installed_names_the_fix(tmp_path):
    python = make_fake_venv(tmp_path / "venv", with_dist=False, with_script=False)
    with pytest.raises(FlashNotFound) as info:
        await resolve_flash(tmp_path, setting=str(python))
    message = str(info.value)
    assert "Flash is not installed in" in message and f"{python} -m pip install tetra-rp" in message
    assert info.value.source == "setting"


async def test_script_next_to_the_interpreter_is_used(fake_venv):
    command = await resolve_flash(fake_venv.parent.parent, client_python=str(fake_venv))
    assert command.argv == (str(fake_venv.parent / "flash"),)
    assert (command.package, command.version, command.interpreter_source) == ("tetra-rp", "0.24.0", "client")
    assert command.python_version == ".".join(map(str, sys.version_info[:3]))


async def test_without_script_the_entry_point_is_bootstrapped(tmp_path):
    python = make_fake_venv(tmp_path / "venv", with_script=False)
    command = await resolve_flash(tmp_path, setting=str(python))
    assert command.argv == (str(python), "-c", BOOTSTRAP.format(module="tetra_rp.cli.main", attr="app"))
    assert (
        "sys.path[:] = [p for p in sys.path if p != '']" in command.argv[2]
    )  # like the console script: the project is not on sys.path


async def test_unrelated_flash_script_is_ignored(tmp_path):
    python = make_fake_venv(tmp_path / "venv", with_script=False)
    script = python.parent / "flash"
    script.write_text("#!/bin/sh\necho 'Adobe Flash, surely'\n")
    script.chmod(0o755)
    command = await resolve_flash(tmp_path, setting=str(python))
    assert command.argv[1] == "-c"


def test_runpod_flash_preferred_and_keep_build_dropped_from_1_1_1():
    info = {
        "python": "3.12.1",
        "dists": [
            {"name": "tetra_rp", "version": "0.24.0", "entry_point": "tetra_rp.cli.main:app"},
            {"name": "runpod-flash", "version": "1.2.0", "entry_point": "runpod_flash.cli.main:app"},
        ],
    }
    command = command_from_probe("/nonexistent/bin/python", "path", info)
    assert (command.package, command.import_name) == ("runpod-flash", "runpod_flash")
    assert "from runpod_flash.cli.main import app" in command.argv[2]
    args = build_args(
        command, BuildOptions(keep_build=True, no_deps=True, output="x.tar.gz", exclude=("torch", "torchvision"))
    )
    assert args[3:] == ["build", "--no-deps", "-o", "x.tar.gz", "--exclude", "torch,torchvision"]


def test_build_args_for_tetra():
    command = FlashCommand(argv=("/v/bin/flash",), interpreter="/v/bin/python", package="tetra-rp", version="0.24.0")
    assert build_args(command, BuildOptions(keep_build=True)) == ["/v/bin/flash", "build", "--keep-build"]


async def test_a_script_whose_shebang_interpreter_is_gone_is_bypassed(tmp_path):
    """A venv moved after install: its `flash` script's `#!` names a python that no longer exists."""
    python = make_fake_venv(tmp_path / "venv", with_script=False)
    script = python.parent / "flash"
    script.write_text(f"#!{tmp_path}/moved/bin/python\nfrom tetra_rp.cli.main import app\napp()\n")
    script.chmod(0o755)
    command = await resolve_flash(tmp_path, setting=str(python))
    assert command.argv[:2] == (str(python), "-c")
    script.write_text(f"#!{python}\nfrom tetra_rp.cli.main import app\napp()\n")
    assert (await resolve_flash(tmp_path, setting=str(python))).argv == (str(script),)


async def test_the_real_rp_of_runpod_2_builds_with_deploy_build_only():
    """The runpod-2.0 reference venv (its `rp` script's `#!` may name where the venv was first made)."""
    python = Path(__file__).resolve().parents[2] / ".cache" / "ref-venvs" / "runpod-2.0" / "bin" / "python"
    if not python.exists():
        pytest.skip("no runpod-2.0 reference venv")
    command = await resolve_flash(python.parent, setting=str(python))
    assert command.package == "runpod" and command.version.startswith("2.0.0")
    args = build_args(command, BuildOptions(exclude=("torch", "triton")))
    assert args[-5:] == ["flash", "deploy", "--build-only", "--exclude", "torch,triton"]
    proc = subprocess.run([*args[:-5], "flash", "deploy", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "--build-only" in proc.stdout, proc.stderr[-500:]
