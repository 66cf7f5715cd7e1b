"""The API comes from the runpod-flash installed in the build interpreter: the same file gets
different completions and diagnostics against the real 1.21.0 and 1.7.0 packages."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import diagnostics, open_doc
from .editor1_helpers import position_of

REF = Path(__file__).resolve().parents[2] / ".cache" / "ref-venvs"
PY_121 = REF / "flash-1.21" / "bin" / "python"
PY_17 = REF / "flash-1.7" / "bin" / "python"
SOURCE = """\
from runpod_flash import DataCenter, Endpoint


@Endpoint(name="w", datacenter=DataCenter.EU_RO_1, max_concurrency=2)
async def work(x: int) -> int:
    return x
"""
pytestmark = pytest.mark.skipif(not (PY_121.exists() and PY_17.exists()), reason="needs the reference venvs")


@pytest.fixture
def workspace(tmp_path) -> Path:
    root = tmp_path / "versions"
    root.mkdir()
    (root / "main.py").write_text(SOURCE, encoding="utf-8")
    return root


async def _members_and_keywords(client) -> tuple[set[str], set[str], list]:
    u = open_doc(client, "main.py")
    doc = types.TextDocumentIdentifier(u)
    # a hover answers once the analysis is published, so the diagnostics below are the final ones
    await client.text_document_hover_async(types.HoverParams(doc, position_of(SOURCE, "work(")))
    found = await diagnostics(client, u)
    members = await client.text_document_completion_async(
        types.CompletionParams(doc, position_of(SOURCE, "DataCenter.EU", len("DataCenter.")))
    )
    keywords = await client.text_document_completion_async(
        types.CompletionParams(doc, position_of(SOURCE, 'Endpoint(name="w", ', len('Endpoint(name="w", ')))
    )
    return {i.label for i in members}, {i.label for i in keywords}, found


@pytest.mark.settings({"interpreter": str(PY_121)})
async def test_runpod_flash_1_21(client):
    members, keywords, found = await _members_and_keywords(client)
    assert len(members) == 11 and {"US_CA_2", "EUR_NO_1", "EU_RO_1"} <= members
    assert "max_concurrency=" in keywords
    assert not [d for d in found if str(d.code) == "FL441"]


@pytest.mark.settings({"interpreter": str(PY_17)})
async def test_runpod_flash_1_7(client):
    members, keywords, found = await _members_and_keywords(client)
    assert members == {"EU_RO_1"}
    assert "max_concurrency=" not in keywords and "scaler_value=" in keywords
    (unknown,) = [d for d in found if str(d.code) == "FL441"]
    assert "unexpected keyword argument 'max_concurrency'" in unknown.message
