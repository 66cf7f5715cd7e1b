"""The custom protocol: the server's answers follow schemas/protocol, and the client's types are
generated from those schemas (client-vscode/scripts/gen-protocol.mjs)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.lsp.conftest import open_doc, uri
from tests.lsp.protocol_schemas import VALIDATORS, ProtocolWatch

ROOT = Path(__file__).resolve().parents[2]
GPU = "workers/gpu/endpoint.py"
REQUESTS = ("flash/manifest", "flash/handler", "flash/endpoints", "flash/bundleSize")


async def test_every_custom_request_and_the_analysis_notifications_follow_their_schema(client, protocol_conforms):
    u = open_doc(client, GPU)
    project = uri(client, "")
    send = client.protocol.send_request_async
    manifest = await send("flash/manifest", {"uri": u})
    assert manifest.text and manifest.succeeds is not False  # None while pip's verdict is pending
    assert (await send("flash/handler", {"project": project, "resource": "gpu_worker"})).text
    assert (await send("flash/handler", {"project": project, "resource": "no_such_endpoint"})).text is None
    assert (await send("flash/endpoints", None)).projects
    assert (await send("flash/bundleSize", {"project": project})).state == "disabled"
    for _ in range(100):  # the notifications of the first analysis
        if {"flash/modelChanged", "flash/indexStatus"} <= set(protocol_conforms.checked):
            break
        await asyncio.sleep(0.05)
    # the autouse fixture fails the test on a violation; here: every method was actually checked
    assert set(REQUESTS) | {"flash/modelChanged", "flash/indexStatus"} <= set(protocol_conforms.checked)


def test_a_drift_is_reported():
    seen = ProtocolWatch()
    version_as_text = {"project": "file:///p", "version": "1"}
    seen.received({"jsonrpc": "2.0", "method": "flash/modelChanged", "params": version_as_text})
    seen.received({"jsonrpc": "2.0", "method": "flash/renamed", "params": {}})

    class Request:
        id, method = "7", "flash/manifest"

    seen.sent(Request())
    seen.received({"jsonrpc": "2.0", "id": "7", "result": {"project": "file:///p", "profile": "tetra-0.24"}})
    assert {v.split(":")[0] for v in seen.violations} == {"flash/modelChanged", "flash/renamed", "flash/manifest"}
    assert set(REQUESTS) <= set(VALIDATORS)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js (the extension's build does too)")
def test_client_protocol_types_are_generated_from_the_schemas():
    script = ROOT / "client-vscode" / "scripts" / "gen-protocol.mjs"
    done = subprocess.run(["node", str(script), "--check"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
