"""runpod-flash 1.x in the editor: names a decorated body reads from outside (with the fix that
moves the import in), example requests on the endpoint hover, and renaming an endpoint."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import diagnostics, open_doc
from .editor1_helpers import apply, copy_fixture, position_of, text_at


@pytest.fixture
def workspace(tmp_path) -> Path:
    return copy_fixture("bodies", tmp_path)


async def test_free_names_listed_and_the_import_moved_into_the_body(client):
    u = open_doc(client, "worker.py")
    text = (client.workspace_root / "worker.py").read_text()
    found = await diagnostics(client, u, until=lambda ds: any(str(d.code) == "FL446" for d in ds))
    (warning,) = [d for d in found if str(d.code) == "FL446"]
    assert text_at(text, warning.range) == "summarize" and warning.severity == types.DiagnosticSeverity.Warning
    assert "`LIMIT` (variable), `json` (import)" in warning.message
    assert not any(str(d.code) == "FL446" and "echo" in d.message for d in found)  # `body` is a parameter
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(u), warning.range, types.CodeActionContext([warning]))
    )
    move = next(a for a in actions if a.title == "Move `import json` into the function body")
    new = apply(text, move.edit.changes[u])
    assert not new.startswith("import json")
    body = new.split("async def summarize", 1)[1].split("\n\n\n", 1)[0]
    assert "\n    import json\n" in body
    assert new.replace("    import json\n", "") == text.replace("import json\n\n", "")  # the rest keeps its formatting


async def _opened(client, rel: str) -> tuple[types.TextDocumentIdentifier, str]:
    """Open `rel` and wait for its analysis: (its identifier, its text)."""
    u = open_doc(client, rel)
    await diagnostics(client, u)
    return types.TextDocumentIdentifier(u), (client.workspace_root / rel).read_text()


async def _hover(client, needle: str, offset: int) -> str:
    doc, text = await _opened(client, "worker.py")
    hover = await client.text_document_hover_async(types.HoverParams(doc, position_of(text, needle, offset)))
    assert hover.contents.kind == types.MarkupKind.Markdown
    return hover.contents.value


async def test_hover_shows_the_queue_based_request(client):
    value = await _hover(client, "summarize(", 2)
    assert "POST https://api.runpod.ai/v2/<endpoint-id>/runsync" in value
    assert '{\n  "input": {\n    "text": "text",\n    "max_words": 50\n  }\n}' in value


async def test_hover_lists_the_local_modules_the_endpoint_brings_in(client):
    doc, text = await _opened(client, "pipeline.py")
    hover = await client.text_document_hover_async(types.HoverParams(doc, position_of(text, "def pipeline", 5)))
    assert "- `worker` (worker.py): ✓ shipped" in hover.contents.value


async def test_hover_shows_the_load_balanced_route_and_body(client):
    value = await _hover(client, "def echo", 5)
    assert "POST https://<endpoint-id>.api.runpod.ai/echo" in value
    assert '{\n  "body": {},\n  "times": 1\n}' in value and '"input"' not in value


async def test_rename_endpoint_everywhere_with_a_warning(client):
    doc, text = await _opened(client, "worker.py")
    at = position_of(text, "def summarize", 5)
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(doc, at))
    assert prepared.placeholder == "summarize" and text_at(text, prepared.range) == "summarize"
    edit = await client.text_document_rename_async(types.RenameParams(doc, at, "condense"))
    by_uri = _edits(edit)
    files = {Path(k).name: v for k, v in by_uri.items()}
    assert set(files) == {"worker.py", "pipeline.py"}
    pipeline = (client.workspace_root / "pipeline.py").read_text()
    renamed = apply(pipeline, files["pipeline.py"])
    assert (
        "from worker import condense" in renamed
        and "await condense(text)" in renamed
        and 'Endpoint(id="condense")' in renamed
    )
    assert "async def condense(" in apply(text, files["worker.py"])
    if edit.change_annotations:  # VS Code: the edit asks for confirmation
        (annotation,) = edit.change_annotations.values()
        assert annotation.needs_confirmation and "keeps the name 'summarize'" in annotation.description
    for _ in range(50):
        if client.messages:
            break
        await asyncio.sleep(0.05)
    assert any("keeps the name 'summarize'" in m.message for m in client.messages)


async def test_rename_by_the_name_string_leaves_the_function(client):
    doc, text = await _opened(client, "pipeline.py")
    at = position_of(text, '"pipeline"', 3)
    edit = await client.text_document_rename_async(types.RenameParams(doc, at, "flow"))
    (edits,) = _edits(edit).values()
    assert 'Endpoint(name="flow"' in apply(text, edits) and "async def pipeline(" in apply(text, edits)
    nothing = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(doc, position_of(text, "text: str"))
    )
    assert nothing is None


def _edits(edit: types.WorkspaceEdit) -> dict[str, list[types.TextEdit]]:
    if edit.changes:
        return edit.changes
    return {c.text_document.uri: c.edits for c in edit.document_changes}
