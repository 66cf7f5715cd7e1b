"""The predicted archive size through the real server: `flash/bundleSize` and its notification,
the cache, re-resolution while typing, diagnostics on the right lines, the exclusion quick fix,
CodeLens, hover and `flash/endpoints`. Resolutions run the server's real pip (and uv) against a
local stub index (tests/lsp/bundle/conftest.py): no PyPI."""

from __future__ import annotations

import ast
import asyncio
import json
import time
from pathlib import Path

import jsonschema
import pytest
from lsprotocol import types

from .bundle.conftest import _plain, servers, size_cache, size_index  # noqa: F401 - fixtures
from .conftest import CLIENTS, change_doc, diagnostics, open_doc, uri

GPU = "workers/gpu/endpoint.py"
API = "workers/api/endpoint.py"
MIB = 1048576
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "protocol"
SIZE_CODES = ("FL801", "FL802", "FL803", "FL804", "FL805", "FL806", "FL807", "FL808", "FL809", "FL810", "FL811")


async def size(client, wait: bool = False) -> dict:
    return _plain(
        await client.protocol.send_request_async("flash/bundleSize", {"project": uri(client, ""), "wait": wait})
    )


def gpu_source(client, deps: str) -> str:
    text = (client.workspace_root / GPU).read_text()
    return text.replace('dependencies=["six"]', f"dependencies=[{deps}]")


def pos(text: str, needle: str, offset: int = 1) -> types.Position:
    for i, line in enumerate(text.splitlines()):
        if needle in line:
            return types.Position(i, line.index(needle) + offset)
    raise AssertionError(needle)


def at(ds, code: str) -> list[tuple[int, int]]:
    """(line, character) of the diagnostics with `code`."""
    return sorted((d.range.start.line, d.range.start.character) for d in ds if str(d.code) == code)


def size_diags(ds) -> list[types.Diagnostic]:
    return [d for d in ds if d.source == "flash-lsp size"]


async def lens_titles(client, rel: str) -> list[str]:
    u = uri(client, rel)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(u)))
    return sorted(lens.command.title for lens in lenses or [])


async def hover_text(client, u: str, position: types.Position) -> str | None:
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(u), position))
    return hover.contents.value if hover else None


def protocol_schema(name: str, definition: str) -> dict:
    schema = json.loads((SCHEMAS / name).read_text())
    return {**schema["$defs"][definition], "$defs": schema["$defs"]}


def commands_of(actions) -> list[dict]:
    """{title, command, arguments} of each code action's command. lsprotocol's client structures
    every code action that has a `command` as a bare Command, with the command object stringified
    into `command` (real clients look at its type), so both shapes are read."""
    out = []
    for a in actions or []:
        if isinstance(a, types.CodeAction) and a.command is not None:
            out.append({"title": a.title, "command": a.command.command, "arguments": _plain(a.command.arguments)})
        elif isinstance(a, types.Command) and a.command.startswith("{"):
            inner = ast.literal_eval(a.command)
            out.append({"title": a.title, "command": inner["command"], "arguments": inner["arguments"]})
    return out


def simple_requests(index) -> list[str]:
    return [p for p, _r in index.requests if p.startswith("/simple/")]


# ---------------------------------------------------------------- the request, states, endpoints


@pytest.mark.parametrize("client_name", sorted(CLIENTS))
async def test_bundle_size_answer_states_endpoints_and_lens(servers, client_name):
    client = await servers(client_name)
    open_doc(client, GPU)
    first = await size(client)
    assert first["state"] == "updating" and first["archive_bytes"] is None  # debounced, then resolving
    assert all("~" not in t for t in await lens_titles(client, GPU))  # no figure yet
    ready = await size(client, wait=True)
    assert ready["state"] == "ready" and ready["confidence"] == "authoritative" and ready["error"] is None
    assert ready["project"] == uri(client, "")
    assert ready["limit_bytes"] == 500 * MIB and not ready["over_limit"]
    assert [p["name"] for p in ready["packages"]] == ["six"]
    six = ready["packages"][0]
    assert six["version"] == "1.16.0" and six["required_by"] == ["six"] and six["direct"] and six["wheel_bytes"] > 0
    assert ready["archive_bytes"] == six["archive_bytes"] + ready["project_bytes"] + ready["overhead_bytes"]
    by_name = {e["name"]: e for e in ready["endpoints"]}
    assert by_name["gpu_worker"]["requirements"] == ["six"] and by_name["gpu_worker"]["packages"] == ["six"]
    assert by_name["gpu_worker"]["bytes"] == ready["archive_bytes"]
    assert (
        by_name["api"]["requirements"] == []
        and by_name["api"]["bytes"] == ready["project_bytes"] + ready["overhead_bytes"]
    )

    # notifications: updating (nothing yet) … ready with the figures
    states = [e["state"] for e in client.size_events]
    assert states[0] == "updating" and states[-1] == "ready" and "ready" not in states[:-1]
    last = client.size_events[-1]
    assert last == {
        "project": uri(client, ""),
        "state": "ready",
        "archiveBytes": ready["archive_bytes"],
        "limitBytes": 500 * MIB,
        "confidence": "authoritative",
        "sizing": None,  # nothing took long enough to report
    }

    # the answer and the notifications follow the protocol schemas
    jsonschema.validate(ready, protocol_schema("flash-bundle-size.schema.json", "result"))
    for event in client.size_events:
        jsonschema.validate(event, protocol_schema("notifications.schema.json", "flash/bundleSizeChanged"))

    # flash/endpoints fills sizeBytes with what each endpoint brings in
    tree = _plain(await client.protocol.send_request_async("flash/endpoints", {}))
    sizes = {e["name"]: e["sizeBytes"] for e in tree["projects"][0]["endpoints"]}
    assert sizes["gpu_worker"] == by_name["gpu_worker"]["bytes"] and sizes["api"] == by_name["api"]["bytes"]
    assert tree["projects"][0]["archiveBytes"] == ready["archive_bytes"]  # the status bar's figure, one source
    jsonschema.validate(tree, protocol_schema("flash-endpoints.schema.json", "result"))

    # the endpoint lens: what its dependencies bring in, and the archive
    titles = await lens_titles(client, GPU)
    assert any(
        t.startswith("endpoint gpu_worker · LiveServerless · 2 function(s) · handler_gpu_worker.py · ~")
        and "(archive ~" in t
        for t in titles
    ), titles
    if client_name == "vscode":  # announces codeLens refresh support: told to re-ask once figures came
        assert client.lens_refreshes >= 1


# ---------------------------------------------------------------- the cache


async def test_unchanged_set_answers_from_the_cache(servers, size_index):
    client = await servers()
    u = open_doc(client, "main.py")
    ready = await size(client, wait=True)
    assert ready["runs"] == 1 and ready["confidence"] == "authoritative"
    seen = len(size_index.requests)

    # an edit that leaves the requirement set alone: the same answer at once, no resolution
    text = (client.workspace_root / "main.py").read_text()
    change_doc(client, u, text + "\n# just a comment\n", 2)
    again = await size(client)
    assert again["state"] == "ready" and again["archive_bytes"] == ready["archive_bytes"] and again["runs"] == 1
    assert len(size_index.requests) == seen

    # a new server with the same cache: answered from it, nothing asked of the index
    other = await servers("neovim")
    open_doc(other, "main.py")
    t0 = time.perf_counter()
    cached = await size(other, wait=True)
    elapsed = time.perf_counter() - t0
    assert cached["state"] == "ready" and cached["confidence"] == "cached" and cached["cached_from"] == "authoritative"
    assert cached["confidence_text"] == "from the last pip resolution"
    assert cached["archive_bytes"] == ready["archive_bytes"]
    assert len(size_index.requests) == seen
    assert elapsed < 2.0, elapsed


# ---------------------------------------------------------------- typing in dependencies=[...]


async def test_dependency_change_reresolves_once_and_updates_lens_and_hover(servers, size_index):
    client = await servers()
    u = open_doc(client, GPU)
    before = await size(client, wait=True)
    lens_before = await lens_titles(client, GPU)

    # typing "alpha" character by character: one resolution, of the final set
    for version, partial in enumerate(["a", "al", "alp", "alph", "alpha"], start=2):
        change_doc(client, u, gpu_source(client, f'"six", "{partial}"'), version)
    during = await size(client)
    assert during["state"] == "updating" and during["archive_bytes"] == before["archive_bytes"]  # the last answer stays
    after = await size(client, wait=True)
    assert after["state"] == "ready" and after["runs"] == before["runs"] + 1
    names = {p["name"] for p in after["packages"]}
    assert names == {"six", "alpha", "beta"}
    beta = next(p for p in after["packages"] if p["name"] == "beta")
    assert beta["version"] == "1.0" and beta["required_by"] == ["alpha"] and beta["via"] == ["alpha", "beta"]
    asked = {p.removeprefix("/simple/").strip("/") for p in simple_requests(size_index)}
    assert {"a", "al", "alp", "alph"}.isdisjoint(asked) and "alpha" in asked
    gpu = next(e for e in after["endpoints"] if e["name"] == "gpu_worker")
    assert gpu["requirements"] == ["six", "alpha"] and set(gpu["packages"]) == names
    assert after["archive_bytes"] > before["archive_bytes"]

    lens_after = await lens_titles(client, GPU)
    assert lens_after != lens_before
    assert any(f"~{gpu['bytes'] / 1024:.0f} KB" in t for t in lens_after), lens_after

    # hover on the new dependency string: version, wheel, archive share, transitive packages
    source = gpu_source(client, '"six", "alpha"')
    text = await hover_text(client, u, pos(source, '"alpha"', 2))
    assert text is not None and "**`alpha`** → **alpha 1.0**" in text and "wheel" in text
    assert "Brings in 2 packages" in text and "| beta | 1.0 |" in text
    assert "resolved with pip, as the build does" in text and "authoritative" not in text  # plain words

    # … and on a requirements.txt line (not a Python document)
    r = uri(client, "requirements.txt")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=r, language_id="pip-requirements", version=1, text="six\n")
        )
    )
    text = await hover_text(client, r, types.Position(0, 1))
    assert text is not None and "**`six`** → **six 1.16.0**" in text and "| six | 1.16.0 |" in text


# ---------------------------------------------------------------- diagnostics and the quick fix

REQUIREMENTS = "six\nbigmodel\nmy-pkg==1.0\nalpha\n"


@pytest.mark.parametrize("client_name", sorted(CLIENTS))
@pytest.mark.settings({"build": {"exclude": ["my_pkg", "beta", "torchaudio"]}})
async def test_diagnostics_sit_on_the_requirement_that_causes_them(servers, workspace, client_name):
    # requirements.txt, GPU and CPU decorator dependencies, written before the server starts
    (workspace / "requirements.txt").write_text(REQUIREMENTS)
    gpu = (workspace / GPU).read_text().replace('dependencies=["six"]', 'dependencies=["six", "torch", "torchvision"]')
    (workspace / GPU).write_text(gpu)
    api = (workspace / API).read_text().replace('path="/health")', 'path="/health", dependencies=["torchaudio"])')
    (workspace / API).write_text(api)
    client = await servers(client_name)
    g = open_doc(client, GPU)
    a = open_doc(client, API)
    est = await size(client, wait=True)
    assert est["state"] == "ready" and est["over_limit"], (est["state"], est["archive_bytes"], est["error"])
    r = uri(client, "requirements.txt")

    req_ds = await diagnostics(client, r, lambda ds: {"FL801", "FL808", "FL809"} <= {str(d.code) for d in ds})
    assert at(req_ds, "FL801") == [(1, 0)]  # on bigmodel: it brings in the 600 MB
    over = next(d for d in req_ds if str(d.code) == "FL801")
    assert over.severity == types.DiagnosticSeverity.Warning and "exceeds the 500.0 MB" in over.message
    assert "'bigmodel' brings in" in over.message and "only warn" in over.message
    assert at(req_ds, "FL808") == [(2, 0)]  # --exclude my_pkg misses my-pkg==1.0
    assert "'my_pkg'" in next(d for d in req_ds if str(d.code) == "FL808").message
    assert at(req_ds, "FL809") == [(3, 0)]  # --exclude beta: beta comes with alpha
    assert "FL506" in {str(d.code) for d in req_ds}  # the core's unmatched-exclusion warning, not repeated here
    assert all(d.source == "flash-lsp size" for d in req_ds if str(d.code).startswith("FL8"))

    gpu_ds = await diagnostics(client, g, lambda ds: "FL805" in {str(d.code) for d in ds})
    torch_at = pos(gpu, '"torch"', 0)
    vision_at = pos(gpu, '"torchvision"', 0)
    assert at(gpu_ds, "FL805") == [(torch_at.line, torch_at.character), (vision_at.line, vision_at.character)]
    fl805 = next(d for d in gpu_ds if str(d.code) == "FL805")
    assert "preinstalled in the GPU worker image" in fl805.message and "save about" in fl805.message
    assert fl805.data["packages"] == ["torch", "torchvision"] and fl805.data["saving_bytes"] > 0

    api_ds = await diagnostics(client, a, lambda ds: "FL807" in {str(d.code) for d in ds})
    audio_at = pos(api, '"torchaudio"', 0)
    assert at(api_ds, "FL807") == [(audio_at.line, audio_at.character)]
    assert "No module named 'torchaudio'" in next(d for d in api_ds if str(d.code) == "FL807").message

    # the quick fix: a client command that adds the exclusions to flash.build.exclude
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(g),
            range=fl805.range,
            context=types.CodeActionContext(diagnostics=[fl805]),
        )
    )
    (action,) = [a for a in commands_of(actions) if a["command"] == "flash.addBuildExclusion"]
    saving = fl805.data["saving_bytes"]
    assert action["title"] == f"Exclude torch, torchvision from the build (saves {saving / MIB:.1f} MB)"
    assert action["arguments"] == [{"project": uri(client, ""), "packages": ["torch", "torchvision"]}]


async def test_conflict_no_wheel_and_near_limit(servers):
    client = await servers("vscode")
    r = uri(client, "requirements.txt")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=r, language_id="pip-requirements", version=1, text="six\nbeta==1.2\n")
        )
    )
    g = open_doc(client, GPU, gpu_source(client, '"six", "alpha"'))

    # conflict: beta==1.2 in requirements.txt against alpha's beta<1.1: shown on both sides
    est = await size(client, wait=True)
    assert est["state"] == "error" and est["archive_bytes"] is None and est["problems"][0]["kind"] == "conflict"
    req_ds = await diagnostics(client, r, lambda ds: "FL804" in {str(d.code) for d in ds})
    gpu_ds = await diagnostics(client, g, lambda ds: "FL804" in {str(d.code) for d in ds})
    assert at(req_ds, "FL804") == [(1, 0)]
    alpha = pos(gpu_source(client, '"six", "alpha"'), '"alpha"', 0)
    assert at(gpu_ds, "FL804") == [(alpha.line, alpha.character)]
    conflict = next(d for d in req_ds if str(d.code) == "FL804")
    assert conflict.severity == types.DiagnosticSeverity.Error and "beta<1.1" in conflict.message
    assert [i.location.uri for i in conflict.related_information] == [g]
    assert (await lens_titles(client, GPU))[0].endswith("· size: pip fails (see diagnostics)")

    # no wheel for the target: names the Python/ABI and the versions that would work
    change_doc(client, r, "six\n", 2)
    source = gpu_source(client, '"six", "winonly==1.0"')
    change_doc(client, g, source, 2)
    est = await size(client, wait=True)
    assert est["state"] == "error" and est["problems"][0]["kind"] == "no-wheel"
    gpu_ds = await diagnostics(client, g, lambda ds: "FL803" in {str(d.code) for d in ds})
    winonly = pos(source, '"winonly==1.0"', 0)
    assert at(gpu_ds, "FL803") == [(winonly.line, winonly.character)]
    message = next(d for d in gpu_ds if str(d.code) == "FL803").message
    assert "CPython 3.11 (cp311) on manylinux x86-64" in message and "win_amd64" in message and "0.9" in message
    assert "FL804" not in {str(d.code) for d in size_diags(await diagnostics(client, r))}

    # above 80 % of the limit: a warning on the requirement that brings the bulk in
    change_doc(client, r, "six\nmidmodel\n", 3)
    change_doc(client, g, gpu_source(client, '"six"'), 3)
    est = await size(client, wait=True)
    assert est["state"] == "ready" and 0.8 * 500 * MIB < est["archive_bytes"] < 500 * MIB
    req_ds = await diagnostics(client, r, lambda ds: "FL802" in {str(d.code) for d in ds})
    assert at(req_ds, "FL802") == [(1, 0)] and [str(d.code) for d in size_diags(req_ds)] == ["FL802"]
    assert size_diags(await diagnostics(client, g)) == []

    # torch arriving through another package on a GPU project: bundled whole, said on that package
    change_doc(client, r, "six\n", 4)
    source = gpu_source(client, '"six", "accel"')
    change_doc(client, g, source, 4)
    est = await size(client, wait=True)
    assert est["state"] == "ready" and {"accel", "torch"} <= {p["name"] for p in est["packages"]}
    gpu_ds = await diagnostics(client, g, lambda ds: "FL806" in {str(d.code) for d in ds})
    accel = pos(source, '"accel"', 0)
    assert at(gpu_ds, "FL806") == [(accel.line, accel.character)]
    transitive = next(d for d in gpu_ds if str(d.code) == "FL806")
    assert (
        transitive.severity == types.DiagnosticSeverity.Warning
        and "torch arrives transitively via accel" in transitive.message
    )
    assert size_diags(await diagnostics(client, r, lambda ds: not size_diags(ds))) == []

    # anything else that makes pip fail, on the requirement pip names
    source = gpu_source(client, '"six", "alpha["')
    change_doc(client, g, source, 5)
    est = await size(client, wait=True)
    assert est["state"] == "error" and est["problems"][0]["kind"] == "invalid-requirement"
    gpu_ds = await diagnostics(client, g, lambda ds: "FL810" in {str(d.code) for d in ds})
    bad = pos(source, '"alpha["', 0)
    assert at(gpu_ds, "FL810") == [(bad.line, bad.character)] and "FL806" not in {str(d.code) for d in gpu_ds}


# ---------------------------------------------------------------- flash.size.enable


@pytest.mark.settings({"size": {"enable": False}})
async def test_size_disabled_resolves_nothing_until_enabled(servers, size_index):
    client = await servers("vscode")
    g = open_doc(client, GPU)
    off = await size(client, wait=True)
    assert off["state"] == "disabled" and off["archive_bytes"] is None and off["packages"] == []
    await asyncio.sleep(0.8)  # longer than the debounce: still nothing asked of any index
    assert size_index.requests == []
    assert all("~" not in t for t in await lens_titles(client, GPU))
    assert size_diags(await diagnostics(client, g)) == []
    text = await hover_text(client, g, pos(gpu_source(client, '"six"'), '"six"', 2))
    assert text is None or "Brings in" not in text

    # switched on: resolves and shows
    settings = {"diagnostics": {"debounceMs": 0}, "size": {"enable": True}}
    client.set_configuration({"flash": settings})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"flash": settings}))
    for _ in range(100):
        on = await size(client, wait=True)
        if on["state"] != "disabled":
            break
        await asyncio.sleep(0.05)
    assert on["state"] == "ready" and on["archive_bytes"] > 0 and simple_requests(size_index)
