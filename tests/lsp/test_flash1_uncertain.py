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
    return write_workspace(tmp_path, "fetchapp", {"worker.py": WORKER, "config_fetch.py": FETCH})


async def test_the_tree_shows_an_uncertain_outcome_with_file_and_line(client):
    project = await only_project(client, "worker.py")
    assert project.profile == "flash-1.21" and project.succeeds is None and project.errors == []
    (step,) = project.uncertain
    assert (step.file, step.line) == ("config_fetch.py", 3)
    assert step.message.startswith("the build may stop with Failed to load: config_fetch.py if a network request")
    assert f"Uncertain: {step.message}" in project.warnings


async def test_fl421_says_the_build_stops_if_the_request_fails(client):
    (fl421,) = [d for d in await diagnostics_with(client, "config_fetch.py", "FL421") if d.code == "FL421"]
    assert fl421.range.start.line == 2
    assert "If it fails, the build stops with 'Failed to load: config_fetch.py'" in fl421.message
