"""Fixtures for the archive-size feature through the real server, without PyPI.

The server's predictor is pointed at a `StubIndex` (tests/bundle/stubs.py) with the test-only
``FLASH_LSP_INDEX_URL``; pip (the server interpreter's, a real one) resolves against it. Wheels are
fabricated; the "big" ones are real small wheels whose central directory claims a large member, so
the predictor's central-directory model sees hundreds of MB while pip downloads a few MB.
The size cache is a per-test directory (`size_cache`), so a second server can reuse it.
"""

from __future__ import annotations

import os
import struct
import sys
import zipfile
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.bundle.stubs import StubIndex, make_wheel
from tests.lsp.conftest import CLIENTS, initialize

MIB = 1048576


def claim_size(wheel: bytes, member: str, claimed: int) -> bytes:
    """The wheel with `member`'s central-directory sizes patched to `claimed` bytes."""
    buf = bytearray(wheel)
    eocd = buf.rfind(b"PK\x05\x06")
    cd_size, cd_off = struct.unpack("<II", buf[eocd + 12 : eocd + 20])
    p = cd_off
    while p < cd_off + cd_size:
        n, m, k = struct.unpack("<HHH", buf[p + 28 : p + 34])
        if bytes(buf[p + 46 : p + 46 + n]).decode() == member:
            struct.pack_into("<II", buf, p + 20, claimed, claimed)
        p += 46 + n + m + k
    return bytes(buf)


def _big(name: str, claimed_mib: int) -> tuple[str, bytes]:
    # > 2 MiB so the predictor models it from the central directory instead of recompressing it
    fn, data = make_wheel(
        name,
        "1.0",
        {f"{name}/__init__.py": "", f"{name}/weights.bin": os.urandom(2_200_000)},
        compression=zipfile.ZIP_STORED,
    )
    return fn, claim_size(data, f"{name}/weights.bin", claimed_mib * MIB)


def publish_world(idx: StubIndex) -> None:
    text = "".join(f"def f{i}(x):\n    return x * {i}\n" for i in range(400))
    wheels = [
        make_wheel("six", "1.16.0", {"six.py": text}, tag="py2.py3-none-any"),
        make_wheel("alpha", "1.0", {"alpha/__init__.py": text * 2}, requires=["beta<1.1"]),
        make_wheel("beta", "1.0", {"beta/__init__.py": text}),
        make_wheel("beta", "1.2", {"beta/__init__.py": text}),
        make_wheel("my-pkg", "1.0", {"my_pkg/__init__.py": text}),
        make_wheel("torch", "2.0.0", {"torch/__init__.py": "", "torch/lib/libtorch.so": os.urandom(300_000)}),
        make_wheel("torchvision", "0.15.0", {"torchvision/__init__.py": text}, requires=["torch==2.0.0"]),
        make_wheel("torchaudio", "2.0.0", {"torchaudio/__init__.py": text}, requires=["torch==2.0.0"]),
        make_wheel("accel", "1.0", {"accel/__init__.py": text}, requires=["torch==2.0.0", "six"]),
        make_wheel("winonly", "0.9", {"winonly/__init__.py": text}),
        make_wheel("winonly", "1.0", {"winonly/__init__.py": text}, tag="cp311-cp311-win_amd64"),
        _big("bigmodel", 600),
        _big("midmodel", 460),
    ]
    for fn, data in wheels:
        idx.add_file(fn, data)


@pytest.fixture
def size_index():
    idx = StubIndex()
    publish_world(idx)
    try:
        yield idx
    finally:
        idx.close()


@pytest.fixture
def size_cache(tmp_path) -> Path:
    return tmp_path / "size-cache"


@pytest.fixture
async def servers(workspace: Path, size_index: StubIndex, size_cache: Path, tmp_path: Path, request):
    """`await servers(client_name="vscode", settings=None, trusted=False)`: a server on the workspace
    copy with its predictor on the stub index (untrusted unless asked, like a client that says nothing); `flash/bundleSizeChanged` notifications land in `client.size_events`.
    Every server started is shut down at the end of the test."""
    started: list[LanguageClient] = []
    marker = request.node.get_closest_marker("settings")

    async def start(client_name: str = "vscode", settings: dict | None = None, trusted: bool = False) -> LanguageClient:
        env = {
            "FLASH_LSP_CACHE_DIR": str(size_cache),
            "FLASH_LSP_INDEX_URL": size_index.simple,
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_CACHE_DIR": "1",
            "HOME": str(tmp_path),
            "PYTHONUNBUFFERED": "1",
            "FLASH_LSP_LOG_LEVEL": "WARNING",
        }
        config = ClientServerConfig(server_command=[sys.executable, "-m", "flash_lsp", "serve"], server_env=env)
        client = await config.start()
        started.append(client)
        client.size_events = []
        client.lens_refreshes = 0

        @client.feature("flash/bundleSizeChanged")
        def size_changed(params):
            client.size_events.append(_plain(params))

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register_capability(params):
            return None

        @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
        def code_lens_refresh(params):
            client.lens_refreshes += 1

        chosen = {"diagnostics": {"debounceMs": 0}, **(marker.args[0] if marker else {}), **(settings or {})}
        params = await initialize(client, [workspace], chosen, CLIENTS[client_name], trusted=trusted)
        client.workspace_root = workspace
        client.client_name = client_name
        client.pulls_diagnostics = params.capabilities.text_document.diagnostic is not None
        return client

    yield start
    for client in started:
        try:
            await client.shutdown_session()
        finally:
            await client.stop()


def _plain(value):
    """pygls hands unknown notifications' params over as named tuples: back to dicts."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
