"""runpod-flash 1.x in the editor: names, keywords, members and values the installed API does not
accept, each on its exact token with the build's own words and a "did you mean" fix; completion,
signature help and hover from the same API (no interpreter: the bundled 1.21.0 snapshot)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import diagnostics, open_doc
from .editor1_helpers import apply, copy_fixture, position_of, text_at


@pytest.fixture
def workspace(tmp_path) -> Path:
    return copy_fixture("api_misuse", tmp_path)


CASES = [
    # code, token, words of the message, first "did you mean" replacement (None: no fix)
    ("FL440", "GpuTyp", "ImportError: cannot import name 'GpuTyp' from 'runpod_flash'", "GpuType"),
    (
        "FL441",
        "idle_timout",
        "TypeError: Endpoint.__init__() got an unexpected keyword argument 'idle_timout'",
        "idle_timeout",
    ),
    ("FL442", "NVIDIA_A4O", "AttributeError: NVIDIA_A4O", "NVIDIA_A40"),
    ("FL443", "[1]", "Endpoint(flashboot=...) expects bool, got a list", None),
    ("FL443", '"cpu3c-1-3"', "ValueError: 'cpu3c-1-3' is not a valid CpuInstanceType", '"cpu3c-1-2"'),
    ("FL443", '"NVIDIA A40"', "ValueError: gpu must be a GpuGroup, GpuType, or list, got str", "GpuType.NVIDIA_A40"),
    (
        "FL444",
        "[GpuType.NVIDIA_A40, GpuType.NVIDIA_GEFORCE_RTX_4090]",
        "a list does not pin one card",
        "GpuType.NVIDIA_A40",
    ),
    ("FL445", "Endpoint", "Endpoint(image=...) is a client", None),
    ("FL447", "infr", "raises NameError on the worker", "infer"),
    ("FL449", "4", "only an `async def` serves requests in parallel", None),
]


@pytest.mark.parametrize("code,token,words,fix", CASES, ids=[f"{c[0]}-{c[1][:12]}" for c in CASES])
async def test_diagnostic_on_the_token_with_its_fix(client, code, token, words, fix):
    u = open_doc(client, "worker.py")
    text = (client.workspace_root / "worker.py").read_text()
    found = await diagnostics(client, u, until=lambda ds: any(str(d.code) == code for d in ds))
    hits = [d for d in found if str(d.code) == code and text_at(text, d.range) == token]
    assert len(hits) == 1, [(d.code, text_at(text, d.range), d.message) for d in found if str(d.code) == code]
    diagnostic = hits[0]
    assert words in diagnostic.message
    # the flash1 prediction's own 'Failed to load' diagnostic is not repeated on the same range
    assert not any(str(d.code) == "FL420" and d.range == diagnostic.range for d in found)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(u), diagnostic.range, types.CodeActionContext([diagnostic]))
    )
    did_you_mean = [a for a in actions or [] if a.title.startswith("Did you mean")]
    if fix is None:
        assert not did_you_mean
        return
    assert did_you_mean[0].title == f"Did you mean '{fix}'?" and did_you_mean[0].is_preferred
    new = apply(text, did_you_mean[0].edit.changes[u])
    line, start, end = diagnostic.range.start.line, diagnostic.range.start.character, diagnostic.range.end.character
    old = text.splitlines()[line]
    assert new.splitlines()[line] == old[:start] + fix + old[end:]


async def test_import_failing_in_the_build_moves_into_the_body(client):
    u = open_doc(client, "gen.py")
    text = (client.workspace_root / "gen.py").read_text()
    found = await diagnostics(client, u, until=lambda ds: any(str(d.code) == "FL420" for d in ds))
    failure = next(d for d in found if str(d.code) == "FL420")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(u), failure.range, types.CodeActionContext([failure]))
    )
    move = next(a for a in actions if a.title == "Move `import torch` into the function body")
    new = apply(text, move.edit.changes[u])
    assert not new.startswith("import torch") and "    import torch\n" in new.split("async def gen", 1)[1]


async def test_completion_of_enum_members_and_endpoint_keywords(client):
    u = open_doc(client, "worker.py")
    text = (client.workspace_root / "worker.py").read_text()
    members = await client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(u), position_of(text, "GpuType.NVIDIA_A40", len("GpuType."))
        )
    )
    labels = {i.label: i for i in members}
    assert labels["NVIDIA_A40"].detail == "'NVIDIA A40'" and "NVIDIA_B200" in labels
    keywords = await client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(u),
            position_of(text, 'Endpoint(name="cpu-worker", ', len('Endpoint(name="cpu-worker", ')),
        )
    )
    items = {i.label: i for i in keywords}
    assert items["max_concurrency="].detail == "int = 1"
    assert "name=" not in items  # already given
    assert {"cpu=", "gpu=", "datacenter="} <= set(items)


async def test_signature_help_follows_the_argument(client):
    u = open_doc(client, "worker.py")
    text = (client.workspace_root / "worker.py").read_text()
    await diagnostics(client, u)
    help_ = await client.text_document_signature_help_async(
        types.SignatureHelpParams(
            types.TextDocumentIdentifier(u), position_of(text, "gpu=GpuType.NVIDIA_A40, flash", len("gpu="))
        )
    )
    signature = help_.signatures[0]
    assert signature.label.startswith("Endpoint(name: Optional[str] = None, *, id: Optional[str] = None, gpu:")
    active = signature.parameters[help_.active_parameter]
    assert signature.label[active.label[0] : active.label[1]].startswith("gpu: ")


async def test_hover_on_an_argument_and_an_enum_member(client):
    u = open_doc(client, "worker.py")
    text = (client.workspace_root / "worker.py").read_text()
    await diagnostics(client, u)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(u), position_of(text, "flashboot=", 2))
    )
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "Endpoint(flashboot: bool = True)" in hover.contents.value and "FlashBoot" in hover.contents.value
    assert "command:" not in hover.contents.value
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(u), position_of(text, "NVIDIA_GEFORCE_RTX_4090", 3))
    )
    assert "GpuType.NVIDIA_GEFORCE_RTX_4090 = 'NVIDIA GeForce RTX 4090'" in hover.contents.value
