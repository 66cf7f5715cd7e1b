"""A 1.x project whose module-level code makes a network request: the tree's project says the
build outcome is uncertain and names the file and line, and FL421 on the line says what happens if
the request fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import diagnostics_with, only_project, write_workspace

WORKER = 'from runpod_flash import Endpoint\n\n\n@Endpoint(name="fetcher", cpu="cpu3c-1-2")\ndef run(x: int) -> int:\n    return x\n'
FETCH = 'import urllib.request\n\nSETTINGS = urllib.request.urlopen("http://127.0.0.1:9/settings", timeout=5).read()\n'


@pytest.fixture
def workspace(tmp_path) -> Path:
    files = {"worker.py": WORKER, "config_fetch.py": FETCH}
    return write_workspace(tmp_path, "fetchapp", files)


async def test_the_outcome_is_uncertain_with_file_and_line_in_the_tree_and_fl421(client):
    """The tree's project: unknown success, the step with its 1-based line, the warning; FL421 on
    the request says the build stops there if it fails."""
    project = await only_project(client, "worker.py")
    assert (project.profile, project.succeeds, project.errors) == ("flash-1.21", None, [])
    (step,) = project.uncertain
    assert (step.file, step.line, list(step.fails)) == ("config_fetch.py", 3, ["config_fetch.py"])
    assert step.message.startswith("the build may stop with Failed to load: config_fetch.py if a network request")
    assert f"Uncertain: {step.message}" in project.warnings
    (fl421,) = [d for d in await diagnostics_with(client, "config_fetch.py", "FL421") if d.code == "FL421"]
    assert fl421.range.start.line == 2
    assert "If it fails, the build stops with 'Failed to load: config_fetch.py'" in fl421.message
