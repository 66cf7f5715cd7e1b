"""End-to-end fixtures: the real server over stdio (pytest-lsp), with real clients' capabilities."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.protocol_schemas import watch

WORKSPACE = Path(__file__).parent.parent / "fixtures" / "workspaces" / "basic"
CLIENTS = {"vscode": "visual-studio-code", "neovim": "neovim"}


@pytest.fixture(autouse=True)
def protocol_conforms(monkeypatch):
    """Every flash/* response and notification of the test follows schemas/protocol."""
    seen = watch(monkeypatch)
    yield seen
    assert not seen.violations, "the server broke schemas/protocol:\n" + "\n".join(seen.violations)


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A private copy of the basic workspace (tests edit files on disk)."""
    root = tmp_path / "basic"
    shutil.copytree(WORKSPACE, root)
    return root


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "flash_lsp", "serve"],
        server_env={"FLASH_LSP_CACHE_DIR": "off", "PYTHONUNBUFFERED": "1", "FLASH_LSP_LOG_LEVEL": "WARNING"},
    ),
    params=sorted(CLIENTS),
)
async def client(lsp_client: LanguageClient, workspace: Path, request):
    """Every server test runs with VS Code's recorded capabilities (push diagnostics) and
    Neovim 0.11's (pull diagnostics)."""
    client_name = request.param
    marker = request.node.get_closest_marker("settings")
    # size prediction resolves against PyPI: off unless a test turns it on (tests/lsp/bundle does)
    settings = {"diagnostics": {"debounceMs": 0}, "size": {"enable": False}, **(marker.args[0] if marker else {})}

    @lsp_client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def refresh_code_lenses(params):  # real clients re-request lenses; nothing to do here
        return None

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params):  # the recorded clients register dynamically; accept it
        lsp_client.registrations = [*getattr(lsp_client, "registrations", []), *params.registrations]

    # the fixture workspaces are the user's own: trusted, as a client has to say (docs/security.md)
    params = await initialize(lsp_client, [workspace], settings, CLIENTS[client_name], trusted=True)
    lsp_client.workspace_root = workspace
    lsp_client.client_name = client_name
    lsp_client.pulls_diagnostics = params.capabilities.text_document.diagnostic is not None
    yield
    await lsp_client.shutdown_session()


async def initialize(
    client: LanguageClient, folders: list[Path], settings: dict, capabilities: str = "visual-studio-code", **options
) -> types.InitializeParams:
    """Initialise the session like a real client: the recorded `capabilities` of that client,
    `folders` as the workspace folders (the first is also the root URI), the `flash` `settings` as
    initialization options (with `options`) and as the answer to configuration requests."""
    client.set_configuration({"flash": settings})
    params = types.InitializeParams(
        capabilities=client_capabilities(capabilities),
        root_uri=from_fs_path(str(folders[0])),
        workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(f)), name=f.name) for f in folders],
        initialization_options={"settings": settings, **options},
    )
    await client.initialize_session(params)
    return params


def uri(client: LanguageClient, rel: str) -> str:
    return from_fs_path(str(client.workspace_root / rel))


def open_doc(client: LanguageClient, rel: str, text: str | None = None, version: int = 1) -> str:
    u = uri(client, rel)
    body = text if text is not None else (client.workspace_root / rel).read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=u, language_id="python", version=version, text=body))
    )
    return u


def change_doc(client: LanguageClient, u: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=u, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics(
    client: LanguageClient, u: str, until=lambda ds: True, timeout: float = 15.0
) -> list[types.Diagnostic]:
    """The diagnostics of `u` once `until(diagnostics)` holds, through pull or push as the client does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: list[types.Diagnostic] = []
    while loop.time() < deadline:
        if client.pulls_diagnostics:
            report = await client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=u))
            )
            last = list(getattr(report, "items", []) or [])
        else:
            last = list(client.diagnostics.get(u, []))
        if until(last):
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(
        f"diagnostics of {u} never satisfied the condition; last: {[(d.code, d.message) for d in last]}"
    )


def codes(ds) -> list[str]:
    return sorted(str(d.code) for d in ds)


def write_workspace(parent: Path, name: str, files: dict[str, str]) -> Path:
    """A workspace directory `parent/name` holding `files` (relative path → text)."""
    root = parent / name
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


async def only_project(client: LanguageClient, rel: str):
    """Open `rel` and return the one project `flash/endpoints` lists."""
    open_doc(client, rel)
    tree = await client.protocol.send_request_async("flash/endpoints", None)
    (project,) = tree.projects
    return project


async def lenses_and_hover(
    client: LanguageClient, rel: str, line: int, col: int
) -> tuple[list[str], types.Hover | None]:
    """Open `rel`: the titles of its code lenses and the hover at (`line`, `col`)."""
    doc = types.TextDocumentIdentifier(open_doc(client, rel))
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(doc))
    hover = await client.text_document_hover_async(types.HoverParams(doc, types.Position(line, col)))
    return [lens.command.title for lens in lenses or [] if lens.command], hover


async def diagnostics_with(client: LanguageClient, rel: str, code: str) -> list[types.Diagnostic]:
    """Open `rel` and wait for its diagnostics to include `code`."""
    return await diagnostics(client, open_doc(client, rel), until=lambda ds: code in codes(ds))


def answer_client_requests(client: LanguageClient) -> None:
    """Answer the server's requests that real clients answer (capability registration, CodeLens
    refresh), for tests that initialise their own client."""

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params):
        return None

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def refresh_code_lenses(params):
        return None
