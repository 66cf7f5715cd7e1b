"""runpod-flash 1.x editor requests on a generated 2,000-module 1.x workspace (the generator of
`bench/flash1_scan.py`), through the real server over stdio:

    python bench/editor_1x_latency.py [--modules 2000] [--requests 100]

Prints p50/p95 round trips (an upper bound of server time) of hover on an endpoint (with its
example request), on an `Endpoint` argument and on an enum member; completion of `GpuGroup.`
members and of `Endpoint(` keywords; signature help inside `Endpoint(`. Round trips include the
client and the machine's load; the second table is the server-side work of the same hovers and
completions timed in-process as CPU time (`time.process_time`), which other load does not inflate.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from flash1_scan import generate
from latency import pct, start_server

FILE = "pkg0/m0.py"


def requests_for(doc: types.TextDocumentIdentifier, text: str) -> dict:
    lines = text.splitlines()

    def at(needle: str, offset: int) -> types.Position:
        line = next(i for i, text in enumerate(lines) if needle in text)
        return types.Position(line, lines[line].index(needle) + offset)

    return {
        "hover: endpoint + request shape": ("hover", types.HoverParams(doc, at("def fn0", 5))),
        "hover: Endpoint argument": ("hover", types.HoverParams(doc, at("gpu=", 1))),
        "hover: enum member": ("hover", types.HoverParams(doc, at("ADA_24", 2))),
        "completion: GpuGroup. members": (
            "completion",
            types.CompletionParams(doc, at("GpuGroup.ADA", len("GpuGroup."))),
        ),
        "completion: Endpoint( keywords": (
            "completion",
            types.CompletionParams(doc, at('name="ep0", ', len('name="ep0", '))),
        ),
        "signature help: Endpoint(": ("signature", types.SignatureHelpParams(doc, at("gpu=", 4))),
    }


async def drive(root: Path, count: int) -> dict[str, list[float]]:
    client = LanguageClient("bench", "0")
    published, ready = asyncio.Event(), asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params):
        published.set()

    @client.feature("flash/indexStatus")
    def on_index(params):
        if getattr(params, "state", None) == "ready":
            ready.set()

    for name in ("flash/modelChanged", "flash/bundleSizeChanged"):
        client.feature(name)(lambda params: None)

    await start_server(client, root, {"diagnostics": {"debounceMs": 0}, "size": {"enable": False}})
    text = (root / FILE).read_text()
    uri = from_fs_path(str(root / FILE))
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text)))
    await asyncio.wait_for(published.wait(), 300)
    await asyncio.wait_for(ready.wait(), 300)  # measure once the workspace index is done, as users mostly are
    send = {
        "hover": client.text_document_hover_async,
        "completion": client.text_document_completion_async,
        "signature": client.text_document_signature_help_async,
    }
    requests = requests_for(types.TextDocumentIdentifier(uri), text)
    for kind, params in requests.values():  # warm-up; each must answer
        assert await send[kind](params), kind
    times: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(count):
        for name, (kind, params) in requests.items():
            t = time.perf_counter()
            await send[kind](params)
            times[name].append(time.perf_counter() - t)
    await client.shutdown_async(None)
    client.exit(None)
    await asyncio.sleep(0.5)
    return times


def in_process(root: Path, count: int) -> dict[str, list[float]]:
    """CPU time of the 1.x hover and completion code on the analysed workspace."""
    from types import SimpleNamespace

    from pygls.workspace.position_codec import PositionCodec

    from flash_lsp.core.environment import detect_environment
    from flash_lsp.core.profiles import FLASH_121
    from flash_lsp.core.project import Project
    from flash_lsp.lsp.features import api_completion, api_hover
    from flash_lsp.lsp.features.completion import innermost_call, top_level
    from flash_lsp.lsp.session import DocumentView, ProjectState

    project = Project(root, FLASH_121, detect_environment(root, None, FLASH_121), keep_last_good=True)
    model = project.analyze("2026-01-01T00:00:00.000000Z")
    text = (root / FILE).read_text()
    view = DocumentView(ProjectState(root, project, model), model, FILE, text.splitlines(), text)
    ls = SimpleNamespace(workspace=SimpleNamespace(position_codec=PositionCodec()))
    api = api_completion.project_api(project)
    requests = requests_for(types.TextDocumentIdentifier(""), text)

    def hover(params):
        p = params.position
        return api_hover.api_hover(ls, view, p.line, p.character) or api_hover.request_section(
            view, p.line, p.character
        )

    def complete(params):
        lines = text.splitlines()
        prefix = "\n".join(lines[: params.position.line] + [lines[params.position.line][: params.position.character]])
        return api_completion.complete(api, prefix, innermost_call(prefix), top_level)

    work = {"hover": hover, "completion": complete}
    chosen = {name: request for name, request in requests.items() if request[0] in work}
    times: dict[str, list[float]] = {name: [] for name in chosen}
    for _ in range(count):
        for name, (kind, params) in chosen.items():
            t = time.process_time()
            assert work[kind](params)
            times[name].append(time.process_time() - t)
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    print(title)
    print(f"{'request':36} {'p50':>7} {'p95':>7}")
    for name, values in times.items():
        print(f"{name:36} {pct(values, 0.5) * 1000:7.2f} {pct(values, 0.95) * 1000:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "flash1bench"
        generate(root, args.modules)
        round_trips = asyncio.run(drive(root, args.requests))
        compute = in_process(root, args.requests)
    report(f"{args.modules} modules, {args.requests} requests each: round trip over stdio (ms)", round_trips)
    report("server-side work of the 1.x hover and completion code, in-process CPU time (ms)", compute)


if __name__ == "__main__":
    main()
