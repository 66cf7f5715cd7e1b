"""The server log at its default level: short, human, honest levels, nothing on stderr (editors show
stderr as errors), and no protocol dumps."""

from __future__ import annotations

import asyncio
import logging
import sys

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from .conftest import answer_client_requests, change_doc, codes, diagnostics, initialize, open_doc, uri

IDLE_AND_TYPING_SECONDS = 10
MAX_LOG_BYTES = 4096


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "flash_lsp", "serve"],
        server_env={"FLASH_LSP_CACHE_DIR": "off", "PYTHONUNBUFFERED": "1"},  # default log level
    ),
)
async def client(lsp_client: LanguageClient, workspace):
    answer_client_requests(lsp_client)
    await initialize(lsp_client, [workspace], {"diagnostics": {"debounceMs": 0}, "size": {"enable": False}})
    lsp_client.workspace_root = workspace
    lsp_client.pulls_diagnostics = True
    yield
    await lsp_client.shutdown_session()


async def test_a_normal_session_logs_little_and_no_errors(client, capfd):
    rel = "workers/cpu/endpoint.py"
    u = open_doc(client, rel)
    await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    text = (client.workspace_root / rel).read_text()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + IDLE_AND_TYPING_SECONDS
    version = 1
    # typing for half the time (a comment grows character by character), then idle
    for ch in "# a comment typed slowly":
        version += 1
        text += ch
        change_doc(client, u, text, version)
        if version % 4 == 0:
            position = types.Position(line=10, character=8)
            await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(u), position))
            await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(u)))
        await asyncio.sleep(0.2)
    await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    await asyncio.sleep(max(0.0, deadline - loop.time()))

    messages = client.log_messages
    errors = [m.message for m in messages if m.type == types.MessageType.Error]
    assert errors == [], errors
    volume = sum(len(m.message) for m in messages)
    assert volume < MAX_LOG_BYTES, [m.message[:200] for m in messages]
    assert not any("Sending data" in m.message or '"jsonrpc"' in m.message for m in messages)
    assert capfd.readouterr().err == "", "the server wrote to stderr (editors show it as errors)"


async def test_a_failing_request_is_logged_as_an_error_with_its_cause(client):
    """Honest levels work both ways: a real internal error does reach the log as an error."""
    u = open_doc(client, "workers/cpu/endpoint.py")
    await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    missing = uri(client, "workers/not_there.py")
    try:
        await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(missing), types.Position(0, 0))
        )
    except Exception:  # noqa: BLE001 - the error response is what we provoke
        pass
    await asyncio.sleep(0.5)
    assert any(m.type == types.MessageType.Error for m in client.log_messages), [
        m.message[:200] for m in client.log_messages
    ]


def test_without_a_client_only_warnings_and_errors_reach_stderr(capsys):
    from types import SimpleNamespace

    from flash_lsp.lsp.logs import ClientLogHandler

    handler = ClientLogHandler(SimpleNamespace(protocol=SimpleNamespace(writer=None)))
    logger = logging.getLogger("flash_lsp.test_server_log")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("an ordinary event")
        logger.warning("something the user should know")
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    assert "something the user should know" in err and "an ordinary event" not in err
