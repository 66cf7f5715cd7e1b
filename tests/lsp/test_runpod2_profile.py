"""A runpod 2.0 project (`runpod.App`) opened with no settings: the server detects the runpod-2.0
profile from the sources, lists the resources with their manifest entries, and diagnoses the SDK's
import-time errors where they are raised."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import diagnostics_with, lenses_and_hover, only_project, write_workspace

APP = """\
import runpod

app = runpod.App("demo-app")


@app.queue(gpu="H100", workers=2)
def infer(x: dict) -> dict:
    return x


@app.api(cpu="cpu3c-2-4", name="gateway")
class Gateway:
    @runpod.post("/run")
    def run(self, body: dict):
        return body
"""
BAD = """\
import runpod

other = runpod.App("other-app")


@other.queue(gpu="4090", cpu="cpu3c-2-4")
def both(x):
    return x
"""


@pytest.fixture
def workspace(tmp_path) -> Path:
    return write_workspace(tmp_path, "rp2app", {"main.py": APP, "worker.py": BAD})


async def test_resources_and_profile_without_settings(client):
    project = await only_project(client, "main.py")
    assert project.profile == "runpod-2.0" and "runpod.App" in project.profileReason
    assert {e.name for e in project.endpoints} == {"infer", "gateway"}


async def test_sdk_error_is_diagnosed_at_the_decorator(client):
    found = await diagnostics_with(client, "worker.py", "FL904")
    (diag,) = [d for d in found if d.code == "FL904"]
    assert diag.range.start.line == 5 and "resource 'both': gpu and cpu are mutually exclusive" in diag.message


async def test_lenses_and_hover_work_on_a_2x_project(client):
    titles, hover = await lenses_and_hover(client, "main.py", 6, 5)
    assert any("infer" in t for t in titles) and any("gateway" in t for t in titles)
    assert hover is not None and "infer" in str(hover.contents)
    assert '"gpus": [' in str(hover.contents) and '"qualname": "infer"' in str(hover.contents)  # the manifest entry
