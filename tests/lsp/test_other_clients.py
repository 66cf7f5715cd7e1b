"""What non-VS Code clients get: the project found from the file when the client's root is a
subfolder, hovers without `command:` links unless the client asks for them; and one lens per
config line, with an honest reason when a config gets no endpoint."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from .conftest import WORKSPACE, answer_client_requests, codes, diagnostics, initialize, open_doc

GPU = "workers/gpu/endpoint.py"


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "flash_lsp", "serve"],
        server_env={"FLASH_LSP_CACHE_DIR": "off", "PYTHONUNBUFFERED": "1", "FLASH_LSP_LOG_LEVEL": "WARNING"},
    ),
)
async def raw(lsp_client: LanguageClient):
    """A client the test initialises itself (`start`)."""
    answer_client_requests(lsp_client)
    yield
    await lsp_client.shutdown_session()


async def start(client: LanguageClient, project: Path, root: Path, options: dict | None = None) -> None:
    """Initialise like eglot/Neovim do: `root` as the root URI and only workspace folder."""
    settings = {"diagnostics": {"debounceMs": 0}, "size": {"enable": False}}
    await initialize(client, [root], settings, "neovim", **(options or {}))
    client.workspace_root = project
    client.pulls_diagnostics = True


def copy_basic(tmp_path: Path) -> Path:
    root = tmp_path / "basic"
    shutil.copytree(WORKSPACE, root)
    return root


async def hover_text(client: LanguageClient, rel: str, needle: str, offset: int = 1) -> str:
    u = open_doc(client, rel)
    lines = (client.workspace_root / rel).read_text().splitlines()
    line = next(i for i, text in enumerate(lines) if needle in text)
    position = types.Position(line=line, character=lines[line].index(needle) + offset)
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(u), position))
    assert hover is not None, f"no hover at {needle!r}"
    return hover.contents.value


async def lens_titles(client: LanguageClient, rel: str) -> list[tuple[int, str]]:
    u = open_doc(client, rel)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(u)))
    return [(lens.range.start.line, lens.command.title) for lens in lenses or []]


async def test_a_subfolder_root_still_finds_the_project_above_it(raw, tmp_path):
    project = copy_basic(tmp_path)
    await start(raw, project, project / "workers" / "gpu")  # eglot without a git repository
    u = open_doc(raw, GPU)
    ds = await diagnostics(raw, u, lambda ds: True)
    assert "FL307" not in codes(ds)
    # the file's project is the one with main.py: its config sees the other files' functions
    text = await hover_text(raw, GPU, "def process", 5)
    assert '"module": "workers.gpu.endpoint"' in text, text


async def test_hovers_have_no_command_links_unless_the_client_asks(raw, tmp_path):
    project = copy_basic(tmp_path)
    await start(raw, project, project)
    text = await hover_text(raw, GPU, "def process", 5)
    assert "Manifest entry" in text and "command:" not in text, text


async def test_hovers_have_command_links_for_clients_that_run_them(raw, tmp_path):
    project = copy_basic(tmp_path)
    await start(raw, project, project, {"commandLinks": True})
    text = await hover_text(raw, GPU, "def process", 5)
    assert "](command:flash.showHandlerPreview?" in text, text


async def test_a_chained_assignment_gets_one_lens_and_no_merge_warning(raw, tmp_path):
    project = copy_basic(tmp_path)
    path = project / GPU
    path.write_text(path.read_text().replace("gpu_config = LiveServerless(", "gpu_config = backup = LiveServerless("))
    await start(raw, project, project)
    u = open_doc(raw, GPU)
    ds = await diagnostics(raw, u, lambda ds: True)
    assert "FL107" not in codes(ds)
    config_line = next(i for i, text in enumerate(path.read_text().splitlines()) if "backup =" in text)
    titles = [title for line, title in await lens_titles(raw, GPU) if line == config_line]
    assert len(titles) == 1 and titles[0].startswith("endpoint gpu_worker"), titles


async def test_a_config_imported_elsewhere_says_where_its_function_went(raw, tmp_path):
    project = copy_basic(tmp_path)
    configs = project / "configs.py"
    configs.write_text(configs.read_text().replace('name="shared"', 'name="shared-gpu"'))
    await start(raw, project, project)
    titles = [title for _, title in await lens_titles(raw, "configs.py")]
    assert len(titles) == 1, titles
    assert "no @remote function uses it" not in titles[0]
    assert "preprocess in workers/cpu/endpoint.py imports it, but the build does not follow imports" in titles[0], (
        titles
    )
    hover = await hover_text(raw, "configs.py", "shared =", 1)
    assert "preprocess in workers/cpu/endpoint.py imports it" in hover, hover
