"""Settings: validated against the schema, applied live, never fatal."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from .conftest import change_doc, codes, diagnostics, open_doc

CPU_LB = "workers/api/endpoint.py"


@pytest.mark.settings({"diagnostics": {"debounceMs": "soon", "rules": {"FL406": "off", "FL101": "hint"}}, "bogus": 1})
async def test_invalid_settings_give_one_message_and_defaults(client):
    u = open_doc(client, "workers/cpu/endpoint.py")
    ds = await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    assert "FL406" not in codes(ds)
    assert next(d for d in ds if d.code == "FL101").severity == types.DiagnosticSeverity.Hint
    for _ in range(100):
        if client.messages:
            break
        await asyncio.sleep(0.05)
    problems = [m.message for m in client.messages if "Flash LSP settings" in m.message]
    assert len(problems) == 1
    assert "flash.diagnostics.debounceMs" in problems[0] and "unknown setting flash.bogus" in problems[0]


@pytest.mark.settings({"profile": "tetra-0.20"})
async def test_profile_setting_changes_the_prediction(client):
    u = open_doc(client, CPU_LB)
    manifest = await client.protocol.send_request_async("flash/manifest", {"uri": u})
    assert manifest.profile == "tetra-0.20"
    # CpuLiveLoadBalancer is queue-based in 0.20: method/path are ignored
    await diagnostics(client, u, lambda ds: "FL403" in codes(ds))


async def test_profile_auto_reads_the_pinned_version(client):
    (client.workspace_root / "requirements.txt").write_text("six\ntetra-rp==0.21.0\n")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"flash": {"profile": "auto"}})
    )
    client.set_configuration(
        {"flash": {"profile": "auto", "diagnostics": {"debounceMs": 0, "rules": {"FL501": "off"}}}}
    )
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    u = open_doc(client, CPU_LB)
    for _ in range(100):
        manifest = await client.protocol.send_request_async("flash/manifest", {"uri": u})
        if manifest.profile == "tetra-0.20":
            break
        await asyncio.sleep(0.05)
    assert manifest.profile == "tetra-0.20"


async def test_broken_buffer_never_crashes_the_server(client):
    u = open_doc(client, "workers/gpu/endpoint.py")
    for version, text in enumerate(["\x00\x01", "def (", "@remote(\n", "class X(:\n", "💥 = 1\n"], start=2):
        change_doc(client, u, text, version)
    await diagnostics(client, u, lambda ds: "FL404" in codes(ds))
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(u), types.Position(0, 0))
    )
    assert hover is None or hover.contents


def test_every_profile_is_a_valid_setting():
    """`flash.profile` accepts every profile the server has (the schema's enum once listed only tetra's)."""
    from flash_lsp.core.profiles import PROFILES
    from flash_lsp.lsp.settings import parse

    for name in ["auto", *PROFILES]:
        settings, problems = parse({"profile": name})
        assert (settings.profile, problems) == (name, []), name
    settings, problems = parse({"profile": "flash-9.9"})
    assert settings.profile == "auto" and "flash.profile" in problems[0]
