"""The real tetra-rp 0.24 `flash build`, run through BuildRunner (needs the reference venv)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from flash_lsp.runner.build_process import BuildOptions, BuildRunner
from flash_lsp.runner.events import Finished, Output, Progress, Started
from flash_lsp.runner.interpreter import BOOTSTRAP, resolve_flash
from flash_lsp.runner.report import package_report

from .conftest import Recorder, copy_project, reference_python

pytestmark = pytest.mark.fidelity


@pytest.fixture(scope="module")
def real_python():
    try:
        python = reference_python("tetra-0.24")
    except Exception as exc:  # no network / no PyPI: nothing to compare with
        pytest.skip(f"reference venv tetra-0.24 unavailable: {exc}")
    return python


async def build(project, python) -> tuple[Finished, Recorder]:
    command = await resolve_flash(project, setting=str(python))
    assert (command.package, command.version) == ("tetra-rp", "0.24.0")
    recorder = Recorder()
    runner = BuildRunner()
    try:
        finished = await runner.run(project, command, BuildOptions(keep_build=True, timeout=300), recorder)
    finally:
        await runner.shutdown()
    return finished, recorder


async def test_real_build_of_a_tiny_gpu_project(tmp_path, real_python):
    project = copy_project("tiny_gpu", tmp_path)
    finished, recorder = await build(project, real_python)
    assert finished.succeeded, "\n".join(finished.tail)
    started = recorder.events[0]
    assert isinstance(started, Started) and started.argv == (str(real_python.parent / "flash"), "build", "--keep-build")
    messages = [p.message for p in recorder.of(Progress)]
    assert messages[0] == "Starting build" and messages[-1] == "Build complete"
    assert "Created archive.tar.gz (0.0 MB)" in messages
    lines = [e.line for e in recorder.of(Output)]
    assert "✓ Generated 3 handlers and manifest" in lines
    assert finished.findings == ()
    report = package_report(project)
    assert report.archive == ".flash/archive.tar.gz" and not report.over_limit
    assert report.flagged == ()
    assert {e.path for e in report.top_entries} >= {
        "main.py",
        "workers/",
        "flash_manifest.json",
        "handler_gpu_worker.py",
        "handlers/",
    }


async def test_real_build_ships_dot_env_and_the_report_flags_it(tmp_path, real_python):
    project = copy_project("tiny_env", tmp_path)
    finished, _ = await build(project, real_python)
    assert finished.succeeded, "\n".join(finished.tail)
    flagged = package_report(project).flagged
    assert [(f.kind, f.path) for f in flagged] == [("secret", ".env")]


async def test_entry_point_bootstrap_builds_what_the_console_script_builds(tmp_path, real_python):
    """`python -m tetra_rp.cli.main` would put the project on sys.path and let the build's
    deployment-config extraction import project modules the `flash` script cannot: a different
    manifest. The bootstrap used when there is no script must match the script."""
    project = copy_project("tiny_gpu", tmp_path)
    (project / "workers" / "cpu").mkdir()
    (project / "workers" / "cpu" / "__init__.py").write_text("")
    (project / "workers" / "cpu" / "helpers.py").write_text("def helper(x):\n    return x\n")
    endpoint = project / "workers" / "gpu" / "endpoint.py"
    endpoint.write_text("from workers.cpu.helpers import helper\n" + endpoint.read_text())
    script = await resolve_flash(project, setting=str(real_python))
    bootstrap = dataclasses.replace(
        script, argv=(str(real_python), "-c", BOOTSTRAP.format(module="tetra_rp.cli.main", attr="app"))
    )
    manifests = []
    for command in (script, bootstrap):
        runner = BuildRunner()
        finished = await runner.run(project, command, BuildOptions(keep_build=True, timeout=300))
        assert finished.succeeded, "\n".join(finished.tail)
        manifest = json.loads((project / ".flash" / ".build" / "flash_manifest.json").read_text())
        manifest.pop("generated_at")
        manifests.append(manifest)
    assert manifests[0] == manifests[1]
    assert "imageName" not in manifests[0]["resources"]["gpu_worker"]  # the real script cannot import workers.*
