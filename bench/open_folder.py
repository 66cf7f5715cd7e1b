"""Opening a folder: seconds from starting the server until a Flash project three levels deep shows
its diagnostics and endpoints, with no file open.

    python bench/open_folder.py [--runs 5] [--noise 3000]

The folder is `tests/fixtures/workspaces/deep` (project at services/api/flashapp, Flash files under
src/endpoints/gpu, no mothership.py) plus `--noise` unrelated files in other services and a
`node_modules/` of the same size (skipped by the search). Each run starts the real server
(`python -m flash_lsp serve`) over stdio with VS Code's capabilities and opens nothing; the clock
starts before the process is spawned.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path
from pytest_lsp import client_capabilities

REPO = Path(__file__).resolve().parents[1]
DEEP = REPO / "tests" / "fixtures" / "workspaces" / "deep"
ENDPOINT = "services/api/flashapp/src/endpoints/gpu/inference.py"


def make_folder(parent: Path, noise: int) -> Path:
    root = parent / "deep"
    shutil.copytree(DEEP, root)
    for i in range(noise):
        for top in ("services/web", "node_modules"):
            directory = root / top / f"pkg{i // 50}"
            directory.mkdir(parents=True, exist_ok=True)
            (directory / f"mod{i}.py").write_text(f"def f{i}(x):\n    return x + {i}\n")
    return root


async def one_run(root: Path) -> tuple[float, float]:
    """(seconds to the FL101 diagnostics of the deep endpoint, seconds to its endpoints)."""
    client = LanguageClient("bench", "0")
    target = from_fs_path(str(root / ENDPOINT))
    shown = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        if params.uri == target and any(d.code == "FL101" for d in params.diagnostics):
            shown.set()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params):
        return None

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def create_progress(params):
        return None

    started = time.perf_counter()
    env = {"FLASH_LSP_CACHE_DIR": "off", "FLASH_LSP_LOG_LEVEL": "ERROR"}
    await client.start_io(sys.executable, "-m", "flash_lsp", "serve", env=env)
    folder = from_fs_path(str(root))
    settings = {"size": {"enable": False}}
    await client.initialize_async(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=folder,
            workspace_folders=[types.WorkspaceFolder(folder, "deep")],
            initialization_options={"settings": settings},
        )
    )
    client.initialized(types.InitializedParams())
    await asyncio.wait_for(shown.wait(), 60)
    diagnostics_s = time.perf_counter() - started
    while True:
        tree = await client.protocol.send_request_async("flash/endpoints", None)
        if any(f.name == "infer" for p in tree.projects for ep in p.endpoints for f in ep.functions):
            break
        await asyncio.sleep(0.05)
    endpoints_s = time.perf_counter() - started
    await client.shutdown_async(None)
    client.exit(None)
    await asyncio.sleep(0.2)
    return diagnostics_s, endpoints_s


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--noise", type=int, default=3000)
    args = parser.parse_args()
    logging.getLogger("pygls").setLevel(logging.ERROR)  # the flash/* notifications nobody handles here
    with tempfile.TemporaryDirectory() as tmp:
        root = make_folder(Path(tmp), args.noise)
        runs = [await one_run(root) for _ in range(args.runs)]
    diag = statistics.median(r[0] for r in runs)
    ends = statistics.median(r[1] for r in runs)
    noise = f"{args.noise:,} unrelated modules + {args.noise:,} in node_modules/"
    print(f"folder: deep fixture + {noise}, {args.runs} runs")
    worst = max(r[0] for r in runs), max(r[1] for r in runs)
    print(f"server start → diagnostics of the deep endpoint (no file open): median {diag:.2f} s, max {worst[0]:.2f} s")
    print(f"server start → endpoints listed: median {ends:.2f} s, max {worst[1]:.2f} s")


if __name__ == "__main__":
    asyncio.run(main())
