"""A runpod-flash project opened with no settings: the server detects the 1.x profile from the
sources, lists the endpoints, and diagnoses import failures and build-time side effects."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import diagnostics_with, lenses_and_hover, only_project, uri, write_workspace

WORKER = """\
from runpod_flash import Endpoint, GpuGroup

api = Endpoint(name="api", cpu="cpu3c-1-2")


@api.post("/echo")
async def echo(body: dict) -> dict:
    return body


@Endpoint(name="gpu_worker", gpu=GpuGroup.ADA_24)
async def infer(x: dict) -> dict:
    return x
"""
BROKEN = "import requests\nimport torch\n\nrequests.get('https://example.com')\n"


@pytest.fixture
def workspace(tmp_path) -> Path:
    return write_workspace(tmp_path, "flashapp", {"worker.py": WORKER, "fetch.py": BROKEN})


async def test_endpoints_and_profile_without_settings(client):
    project = await only_project(client, "worker.py")
    assert project.profile == "flash-1.21" and "runpod_flash" in project.profileReason
    assert {e.name for e in project.endpoints} == {"api", "gpu_worker"}


async def test_import_failure_and_side_effect_are_diagnosed(client):
    found = await diagnostics_with(client, "fetch.py", "FL420")
    by_code = {d.code: d for d in found}
    assert by_code["FL420"].range.start.line == 1 and "No module named 'torch'" in by_code["FL420"].message
    assert by_code["FL420"].severity == types.DiagnosticSeverity.Error


async def test_lenses_hover_and_symbols_work_on_a_1x_project(client):
    titles, hover = await lenses_and_hover(client, "worker.py", 11, 12)
    assert any("api" in t for t in titles) and any("gpu_worker" in t for t in titles)
    assert hover is not None and "gpu_worker" in str(hover.contents)
    doc = types.TextDocumentIdentifier(uri(client, "worker.py"))
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(doc))
    assert symbols is not None
