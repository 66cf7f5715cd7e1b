"""Diagnostics through push (Neovim) and pull (VS Code): live, cross-file, mid-edit, on disk."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from .conftest import change_doc, codes, diagnostics, open_doc, uri


async def test_undefined_config_is_reported_at_the_decorator_argument(client):
    u = open_doc(client, "workers/cpu/endpoint.py")
    ds = await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    (d,) = [d for d in ds if d.code == "FL101"]
    assert (d.range.start.line, d.range.start.character, d.range.end.character) == (9, 8, 15)
    assert d.severity == types.DiagnosticSeverity.Error and d.source == "flash-lsp"


async def test_typing_a_fix_clears_the_diagnostic_before_saving(client):
    rel = "workers/cpu/endpoint.py"
    u = open_doc(client, rel)
    await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    fixed = (client.workspace_root / rel).read_text().replace("@remote(gpu_cfg)", "@remote(shared)")
    change_doc(client, u, fixed, 2)
    await diagnostics(client, u, lambda ds: "FL101" not in codes(ds))


async def test_renaming_a_config_updates_other_files(client):
    gpu = open_doc(client, "workers/gpu/endpoint.py")
    await diagnostics(client, gpu, lambda ds: "FL107" not in codes(ds))
    api = open_doc(client, "workers/api/endpoint.py")
    text = (client.workspace_root / "workers/api/endpoint.py").read_text().replace('name="api"', 'name="gpu_worker"')
    change_doc(client, api, text, 2)
    # now two configs share name="gpu_worker": both files say so, with related information
    ds = await diagnostics(client, gpu, lambda ds: "FL107" in codes(ds))
    (merged,) = [d for d in ds if d.code == "FL107"]
    assert merged.related_information and merged.related_information[0].location.uri == api


async def test_syntax_error_mid_edit_keeps_other_files_stable(client):
    gpu_rel = "workers/gpu/endpoint.py"
    gpu = open_doc(client, gpu_rel)
    cpu = open_doc(client, "workers/cpu/endpoint.py")
    await diagnostics(client, cpu, lambda ds: "FL101" in codes(ds))
    broken = (client.workspace_root / gpu_rel).read_text().replace("def process(x):", "def process(x:")
    change_doc(client, gpu, broken, 2)
    ds = await diagnostics(client, gpu, lambda ds: "FL404" in codes(ds))
    assert [d.range.start.line for d in ds if d.code == "FL404"] == [6]
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(gpu)))
    assert any(lens.command.title.startswith("endpoint gpu_worker") for lens in lenses)
    cpu_codes = codes(await diagnostics(client, cpu))
    assert cpu_codes.count("FL101") == 1


async def test_close_and_reopen_with_version_zero(client):
    rel = "workers/cpu/endpoint.py"
    u = open_doc(client, rel)
    await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(u)))
    fixed = (client.workspace_root / rel).read_text().replace("@remote(gpu_cfg)", "@remote(shared)")
    open_doc(client, rel, fixed, version=0)
    await diagnostics(client, u, lambda ds: "FL101" not in codes(ds))


async def test_files_created_and_deleted_on_disk(client):
    cpu = open_doc(client, "workers/cpu/endpoint.py")
    await diagnostics(client, cpu, lambda ds: "FL101" in codes(ds))
    new = client.workspace_root / "workers" / "dup.py"
    new.write_text(
        "from tetra_rp import remote, LiveServerless\nc = LiveServerless(name='dup')\n@remote(c)\ndef preprocess(x):\n    return x\n"
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(uri(client, "workers/dup.py"), types.FileChangeType.Created)]
        )
    )
    await diagnostics(client, cpu, lambda ds: "FL301" in codes(ds))
    new.unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(uri(client, "workers/dup.py"), types.FileChangeType.Deleted)]
        )
    )
    await diagnostics(client, cpu, lambda ds: "FL301" not in codes(ds))


async def test_cancelled_request_is_answered_and_server_stays_alive(client):
    u = open_doc(client, "workers/gpu/endpoint.py")
    params = types.HoverParams(types.TextDocumentIdentifier(u), types.Position(6, 5))
    pending = client.protocol.send_request(types.TEXT_DOCUMENT_HOVER, params, msg_id="cancel-me")
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="cancel-me"))
    try:  # either the answer raced ahead of the cancel, or the request was cancelled: both are fine
        await asyncio.wait_for(asyncio.wrap_future(pending), 10)
    except Exception as exc:  # noqa: BLE001
        assert "cancel" in str(exc).lower()
    hover = await client.text_document_hover_async(params)
    assert hover is not None and "gpu_worker" in hover.contents.value
