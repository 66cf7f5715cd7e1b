"""Hover, CodeLens, previews, navigation, completion and quick fixes through the real server."""

from __future__ import annotations

import json
import subprocess
import sys

from lsprotocol import types

from .conftest import change_doc, codes, diagnostics, open_doc, uri

GPU = "workers/gpu/endpoint.py"


def _pos(client, rel, needle, offset=0):
    for i, line in enumerate((client.workspace_root / rel).read_text().splitlines()):
        if needle in line:
            return types.Position(i, line.index(needle) + offset)
    raise AssertionError(needle)


async def test_hover_on_function_shows_endpoint_manifest_entry_and_dependencies(client):
    u = open_doc(client, GPU)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(u), _pos(client, GPU, "def process", 5))
    )
    text = hover.contents.value
    assert "→ endpoint **`gpu_worker`**" in text and "LiveServerless" in text
    entry = json.loads(text.split("```json\n")[1].split("\n```")[0])
    assert entry == {
        "name": "process",
        "module": "workers.gpu.endpoint",
        "is_async": False,
        "is_class": False,
        "is_load_balanced": False,
        "is_live_resource": False,
        "config_variable": "gpu_config",
    }
    assert "✓ `six`" in text and "command:" not in text  # links only for clients that ask (commandLinks)


async def test_hover_on_config_shows_deployment_fields_and_handler(client):
    u = open_doc(client, GPU)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(u), _pos(client, GPU, "gpu_config =", 1))
    )
    text = hover.contents.value
    assert "**endpoint `gpu_worker`**" in text and '"gpuIds": "ADA_24"' in text and '"workersMax": 2' in text
    assert "FUNCTION_REGISTRY" in text and "handler_gpu_worker.py" in text


async def test_code_lenses_name_the_endpoint_and_its_handler(client):
    u = open_doc(client, GPU)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(u)))
    titles = sorted(lens.command.title for lens in lenses)
    assert titles == [
        "endpoint gpu_worker · LiveServerless · 2 function(s) · handler_gpu_worker.py",
        "→ gpu_worker",
        "→ gpu_worker",
    ]
    assert all(lens.command.command == "flash.showHandlerPreview" for lens in lenses)


async def test_manifest_preview_follows_unsaved_edits_and_matches_the_cli(client):
    u = open_doc(client, GPU)
    first = await client.protocol.send_request_async("flash/manifest", {"uri": u})
    cli = subprocess.run(
        [sys.executable, "-m", "flash_lsp", "manifest", str(client.workspace_root)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    def strip(text):
        data = json.loads(text)
        data.pop("generated_at")
        return data

    assert strip(first.text) == strip(cli.stdout)
    change_doc(client, u, (client.workspace_root / GPU).read_text().replace('name="gpu_worker"', 'name="renamed"'), 2)
    await diagnostics(client, u, lambda ds: True)
    second = await client.protocol.send_request_async("flash/manifest", {"uri": u})
    assert "renamed" in json.loads(second.text)["resources"] and second.version > first.version


async def test_handler_and_endpoints_requests(client):
    u = open_doc(client, GPU)
    handler = await client.protocol.send_request_async("flash/handler", {"uri": u, "resource": "gpu_worker"})
    assert handler.path == "handler_gpu_worker.py" and '"process": process,' in handler.text
    tree = await client.protocol.send_request_async("flash/endpoints", None)
    (project,) = tree.projects
    names = {e.name: [f.name for f in e.functions] for e in project.endpoints}
    assert names["gpu_worker"] == ["process", "Model"] and names["api"] == ["health"] and "mothership" in names


async def test_both_generated_files_of_the_mothership_can_be_previewed(client):
    """The build writes the LB handler the mothership's manifest entry names (handler_mothership.py)
    and handlers/handler_mothership.py, which serves the app: both are offered and previewed."""
    u = open_doc(client, "main.py")
    tree = await client.protocol.send_request_async("flash/endpoints", None)
    (project,) = tree.projects
    by_name = {e.name: e for e in project.endpoints}
    assert by_name["mothership"].handlerFiles == ["handler_mothership.py", "handlers/handler_mothership.py"]
    assert by_name["gpu_worker"].handlerFiles == ["handler_gpu_worker.py"]
    manifest = await client.protocol.send_request_async("flash/manifest", {"uri": u})
    assert '"handler_file": "handler_mothership.py"' in manifest.text

    default = await client.protocol.send_request_async("flash/handler", {"uri": u, "resource": "mothership"})
    named = await client.protocol.send_request_async(
        "flash/handler", {"uri": u, "resource": "mothership", "path": "handler_mothership.py"}
    )
    assert default.path == "handlers/handler_mothership.py" and default.text
    assert named.path == "handler_mothership.py" and named.text and named.text != default.text
    assert "mothership" in named.text and "FastAPI" in named.text
    # a file that is not the endpoint's: nothing the build would write for it
    other = await client.protocol.send_request_async(
        "flash/handler", {"uri": u, "resource": "mothership", "path": "handler_gpu_worker.py"}
    )
    assert other.path == "handler_gpu_worker.py" and other.text is None


async def test_definition_follows_an_imported_config(client):
    rel = "workers/cpu/endpoint.py"
    u = open_doc(client, rel)
    result = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(u), _pos(client, rel, "@remote(shared)", 9))
    )
    (loc,) = result if isinstance(result, list) else [result]
    assert loc.uri == uri(client, "configs.py") and loc.range.start.line == 2


async def test_references_from_a_config_to_its_functions(client):
    u = open_doc(client, GPU)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=False),
            text_document=types.TextDocumentIdentifier(u),
            position=_pos(client, GPU, "gpu_config =", 1),
        )
    )
    assert sorted(r.range.start.line for r in refs) == [5, 10]


async def test_document_and_workspace_symbols(client):
    u = open_doc(client, GPU)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(u))
    )
    assert [(s.name, [c.name for c in s.children]) for s in symbols] == [("endpoint gpu_worker", ["process", "Model"])]

    def inside(inner, outer):
        as_tuple = lambda p: (p.line, p.character)  # noqa: E731
        return as_tuple(outer.start) <= as_tuple(inner.start) and as_tuple(inner.end) <= as_tuple(outer.end)

    for symbol in [symbols[0], *symbols[0].children]:  # VS Code rejects symbols that break these rules
        assert inside(symbol.selection_range, symbol.range)
    assert all(inside(child.range, symbols[0].range) for child in symbols[0].children)
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="health"))
    assert [s.name for s in found] == ["health"]


async def test_completion_of_enum_members_keywords_and_configs(client):
    u = open_doc(client, GPU)
    base = (client.workspace_root / GPU).read_text()
    text = base + "\nx = GpuGroup.\ny = LiveServerless(name='x', \n@remote(\n"
    change_doc(client, u, text, 2)
    lines = text.splitlines()

    async def complete(line_no, col):
        result = await client.text_document_completion_async(
            types.CompletionParams(types.TextDocumentIdentifier(u), types.Position(line_no, col))
        )
        items = result.items if hasattr(result, "items") else result
        return {i.label: i.detail for i in items}

    members = await complete(len(lines) - 3, len(lines[-3]))
    assert members["ADA_24"] == "RTX 4090" and "HOPPER_141" in members
    keywords = await complete(len(lines) - 2, len(lines[-2]))
    assert "gpus=" in keywords and "name=" not in keywords and keywords["workersMax="] == "int = 3"
    configs = await complete(len(lines) - 1, len(lines[-1]))
    assert "gpu_config" in configs and "dependencies=" in configs


async def test_quick_fix_creates_the_missing_config(client):
    rel = "workers/cpu/endpoint.py"
    u = open_doc(client, rel)
    ds = await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    d = next(d for d in ds if d.code == "FL101")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(u), d.range, types.CodeActionContext(diagnostics=[d]))
    )
    create = next(a for a in actions if a.title.startswith("Create resource config 'gpu_cfg'"))
    (edit,) = create.edit.changes[u]
    assert (
        'gpu_cfg = LiveServerless(name="gpu_cfg")' in edit.new_text
        and "from tetra_rp import LiveServerless" in edit.new_text
    )
    change_doc(client, u, edit.new_text, 2)
    await diagnostics(client, u, lambda ds: "FL101" not in codes(ds))


async def test_quick_fix_moves_a_project_import_into_the_function(client):
    rel = "workers/gpu/endpoint.py"
    text = (
        (client.workspace_root / rel)
        .read_text()
        .replace(
            "from tetra_rp import GpuGroup, LiveServerless, remote\n",
            "from tetra_rp import GpuGroup, LiveServerless, remote\nfrom workers.cpu.endpoint import preprocess\n",
        )
        .replace("    return x\n\n\n@remote(gpu_config)", "    return preprocess(x)\n\n\n@remote(gpu_config)")
    )
    u = open_doc(client, rel, text)
    ds = await diagnostics(client, u, lambda ds: "FL406" in codes(ds))
    d = next(d for d in ds if d.code == "FL406")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(u), d.range, types.CodeActionContext(diagnostics=[d]))
    )
    (edit,) = actions[0].edit.changes[u]
    assert "def process(x):\n    from workers.cpu.endpoint import preprocess\n" in edit.new_text
    change_doc(client, u, edit.new_text, 2)
    await diagnostics(client, u, lambda ds: "FL406" not in codes(ds))
