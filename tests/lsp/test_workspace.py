"""Workspace indexing with progress, folders added at runtime, and the persistent summary cache."""

from __future__ import annotations

import asyncio
import shutil
import sys

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from .conftest import WORKSPACE, codes, diagnostics


async def test_indexing_reports_progress(client):
    for _ in range(200):
        reports = client.progress_reports.values()
        ends = [r for values in reports for r in values if isinstance(r, types.WorkDoneProgressEnd)]
        if ends:
            break
        await asyncio.sleep(0.05)
    (reports,) = [r for r in client.progress_reports.values() if r and getattr(r[0], "title", "") == "Flash: indexing"]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    # 5 .py files
    assert any(isinstance(r, types.WorkDoneProgressReport) and r.message == "Indexing 5/5" for r in reports)
    assert reports[-1].message == "1 Flash project(s)"


async def test_added_folder_becomes_a_project(client, tmp_path):
    other = tmp_path / "second"
    shutil.copytree(WORKSPACE, other)
    endpoint = other / "workers" / "cpu" / "endpoint.py"
    endpoint.write_text("from tetra_rp import remote\n\n@remote(missing)\ndef f():\n    pass\n")
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(from_fs_path(str(other)), "second")], removed=[]
            )
        )
    )
    u = from_fs_path(str(other / "workers" / "cpu" / "endpoint.py"))
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(u, "python", 1, endpoint.read_text()))
    )
    ds = await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    assert "missing" in next(d.message for d in ds if d.code == "FL101")
    tree = await client.protocol.send_request_async("flash/endpoints", None)
    assert len(tree.projects) == 2


async def _index_once(root, cache_dir) -> float:
    """Start a server on `root` with a persistent cache in `cache_dir`; seconds until indexed."""
    client = LanguageClient("cache-test", "0")
    ready = asyncio.Event()

    @client.feature("flash/indexStatus")
    def on_status(params):
        if getattr(params, "state", None) == "ready":
            ready.set()

    env = {"FLASH_LSP_CACHE_DIR": str(cache_dir), "FLASH_LSP_LOG_LEVEL": "ERROR"}
    await client.start_io(sys.executable, "-m", "flash_lsp", "serve", env=env)
    loop = asyncio.get_running_loop()
    started = loop.time()
    folder = from_fs_path(str(root))
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=folder, workspace_folders=[types.WorkspaceFolder(folder, "w")]
    )
    await client.initialize_async(params)
    client.initialized(types.InitializedParams())
    await asyncio.wait_for(ready.wait(), 60)
    elapsed = loop.time() - started
    await client.shutdown_async(None)
    client.exit(None)
    return elapsed


async def test_persistent_cache_is_written_and_reused(tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(WORKSPACE, root)
    cache_dir = tmp_path / "cache"
    await _index_once(root, cache_dir)
    (cache_file,) = cache_dir.glob("summaries-*.json")
    first_size = cache_file.stat().st_size
    assert first_size > 0
    await _index_once(root, cache_dir)
    assert cache_file.stat().st_size == first_size  # nothing new to write: every summary came from the cache


async def _function_names(client) -> set[str]:
    tree = await client.protocol.send_request_async("flash/endpoints", None)
    return {f.name for p in tree.projects for ep in p.endpoints for f in ep.functions}


async def test_reindex_reads_files_the_server_was_not_told_about(client):
    await diagnostics(client, from_fs_path(str(client.workspace_root / "main.py")))
    for _ in range(200):  # indexed: the workspace's project is known
        if await _function_names(client):
            break
        await asyncio.sleep(0.05)
    before = await _function_names(client)
    assert before and "added_later" not in before
    extra = client.workspace_root / "workers" / "cpu" / "extra.py"
    extra.write_text("from tetra_rp import remote\n\n@remote(missing)\ndef added_later():\n    pass\n")
    assert "added_later" not in await _function_names(client)  # no watched-file event: not seen yet
    command = types.ExecuteCommandParams(command="flash.reindex", arguments=[{}])
    result = await client.workspace_execute_command_async(command)
    assert result["projects"] == [from_fs_path(str(client.workspace_root))]
    ds = await diagnostics(client, from_fs_path(str(extra)), lambda ds: "FL101" in codes(ds))
    assert "missing" in next(d.message for d in ds if d.code == "FL101")
    assert await _function_names(client) == before | {"added_later"}
