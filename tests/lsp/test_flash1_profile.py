"""A runpod-flash project opened with no settings: the server detects the 1.x profile from the
sources, lists the endpoints, and diagnoses import failures and build-time side effects."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import codes, diagnostics, open_doc

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
    root = tmp_path / "flashapp"
    root.mkdir()
    (root / "worker.py").write_text(WORKER, encoding="utf-8")
    (root / "fetch.py").write_text(BROKEN, encoding="utf-8")
    return root


async def test_endpoints_and_profile_without_settings(client):
    open_doc(client, "worker.py")
    tree = await client.protocol.send_request_async("flash/endpoints", None)
    (project,) = tree.projects
    assert project.profile == "flash-1.21" and "runpod_flash" in project.profileReason
    assert {e.name for e in project.endpoints} == {"api", "gpu_worker"}


async def test_import_failure_and_side_effect_are_diagnosed(client):
    u = open_doc(client, "fetch.py")
    found = await diagnostics(client, u, until=lambda ds: "FL420" in codes(ds))
    by_code = {d.code: d for d in found}
    assert by_code["FL420"].range.start.line == 1 and "No module named 'torch'" in by_code["FL420"].message
    assert by_code["FL420"].severity == types.DiagnosticSeverity.Error


async def test_lenses_hover_and_symbols_work_on_a_1x_project(client):
    u = open_doc(client, "worker.py")
    doc = types.TextDocumentIdentifier(u)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(doc))
    titles = [lens.command.title for lens in lenses or [] if lens.command]
    assert any("api" in t for t in titles) and any("gpu_worker" in t for t in titles)
    hover = await client.text_document_hover_async(types.HoverParams(doc, types.Position(11, 12)))
    assert hover is not None and "gpu_worker" in str(hover.contents)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(doc))
    assert symbols is not None
