"""Random edit sequences: the server never fails and ends where a fresh analysis of the final
text ends (for final texts that parse; for texts that do not, only the syntax error differs,
because the editor keeps the file's last good version by design)."""

from __future__ import annotations

import ast
import asyncio
import shutil
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from flash_lsp.core.profiles import RESOURCE_CLASSES
from flash_lsp.core.project import Project

from .conftest import WORKSPACE

REL = "workers/gpu/endpoint.py"
FLASH_TOKENS = (*RESOURCE_CLASSES, "remote", "FastAPI", "mothership")
TOKENS = [
    "remote",
    "(",
    ")",
    "gpu_config",
    "\n",
    ":",
    "name=",
    '"x"',
    "=",
    " ",
    "def g():\n    pass\n",
    "@remote(gpu_config)\n",
    "@remote(nope)\n",
    "async ",
    "class ",
]


@st.composite
def edits(draw):
    text = (WORKSPACE / REL).read_text()
    out = []
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        new = "".join(draw(st.lists(st.sampled_from(TOKENS), max_size=3)))
        out.append((start, end, new))
        text = text[:start] + new + text[end:]
    return out, text


def position(text: str, offset: int) -> types.Position:
    before = text[:offset]
    return types.Position(before.count("\n"), len(before) - (before.rfind("\n") + 1))


async def scenario(root: Path, steps, final: str):
    client = LanguageClient("property", "0")
    published: dict[str, tuple[int | None, list]] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params):
        published[params.uri] = (params.version, params.diagnostics)

    await client.start_io(
        sys.executable, "-m", "flash_lsp", "serve", env={"FLASH_LSP_CACHE_DIR": "off", "FLASH_LSP_LOG_LEVEL": "ERROR"}
    )
    folder = from_fs_path(str(root))
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=folder,
            workspace_folders=[types.WorkspaceFolder(folder, "p")],
            initialization_options={"settings": {"diagnostics": {"debounceMs": 0}}},
        )
    )
    client.initialized(types.InitializedParams())
    uri = from_fs_path(str(root / REL))
    text = (root / REL).read_text()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text)))
    version = 1
    for start, end, new in steps:
        version += 1
        change = types.TextDocumentContentChangePartial(
            range=types.Range(position(text, start), position(text, end)), text=new
        )
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]
            )
        )
        text = text[:start] + new + text[end:]
    assert text == final
    for _ in range(400):
        if published.get(uri, (None,))[0] == version:
            break
        await asyncio.sleep(0.025)
    await asyncio.sleep(0.1)
    await client.shutdown_async(None)
    client.exit(None)
    return uri, version, published


def seen(published) -> set:
    """The analysis' diagnostics (other sources, such as the migration notes, are not `Project.analyze`'s)."""
    return {
        (uri, d.code, d.range.start.line, d.range.start.character, d.message)
        for uri, (_, ds) in published.items()
        for d in ds
        if d.source == "flash-lsp"
    }


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(case=edits())
def test_random_edit_sequences(tmp_path_factory, case):
    steps, final = case
    root = tmp_path_factory.mktemp("prop") / "basic"
    shutil.copytree(WORKSPACE, root)
    uri, version, published = asyncio.run(scenario(root, steps, final))
    assert published.get(uri, (None,))[0] == version, "the server never published diagnostics for the final version"
    got = seen(published)
    try:
        ast.parse(final)
    except (SyntaxError, ValueError):
        # A broken text that still mentions a Flash name: the editor keeps the file's last good
        # version and shows the syntax error. One that mentions none is not Flash code at all
        # (not even parsed), so it compares with a fresh analysis below.
        if any(token in final for token in FLASH_TOKENS):
            assert any(code == "FL404" and u == uri for u, code, *_ in got)
            return
    project = Project(root)
    project.set_override(REL, final)
    model = project.analyze()
    expected = {
        (from_fs_path(str(root / d.path)), d.code, d.span.line, d.span.col, d.message)
        for d in model.diagnostics
        if (root / d.path).exists() or d.path == REL
    }
    assert got == expected
