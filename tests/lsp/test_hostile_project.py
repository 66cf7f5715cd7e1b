"""Opening a hostile project in an untrusted workspace, size prediction on, runs nothing of it.

The real server runs under an audit hook (tests/lsp/audited_server.py) on a project that holds every
vector of docs/security.md: direct references in `requirements.txt` and in `dependencies=[...]`
(their build backends write a canary), index options pointing at a second local index that records
every request, `-r`/`-c` files outside the project, and a `.venv/bin/python` that writes the canary.
Once the size prediction has settled: no process but our own resolver (this interpreter's pip, the
uv we ship) with no project path on its command line, no socket but to the default index, no file
opened outside the project, our caches, the Python installation and /proc (the editor-process
watch), nothing written outside our cache and temporary directories, the canary absent and the
project's index never asked. A tampered summary cache is ignored without running anything.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig

import flash_lsp
from flash_lsp.bundle.resolve_uv import find_uv
from tests.bundle.hostile import Hostile, hostile_venv, make_hostile, write_project
from tests.bundle.stubs import StubIndex, make_wheel
from tests.lsp.audited_server import FILE_EVENTS
from tests.lsp.bundle.conftest import _plain
from tests.lsp.conftest import initialize
from tests.lsp.test_bundle_size import protocol_schema

AUDITED = Path(__file__).with_name("audited_server.py")
SETTLE_S = 120
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _project(tmp: Path, world: Hostile) -> Path:
    refs = world.direct_references()
    options = world.option_lines()
    requirements = ["six", *refs.values(), *options.values()]
    decorator = [
        f"evildeco @ {world.sdist_url}",
        f"git+{world.git_url}#egg=evildeco2",
        f"{world.source_dir}/",
        f"--index-url={world.evil.simple}",
    ]
    root = write_project(tmp / "project", requirements, decorator)
    hostile_venv(root, world.canary, sys.executable)
    return root


def _under(path: str, roots: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == r or real.startswith(r.rstrip("/") + "/") for r in roots)


@pytest.fixture
async def audited(tmp_path):
    world = make_hostile(tmp_path / "hostile")
    index = StubIndex()
    index.add_file(*make_wheel("six", "1.16.0", {"six.py": "x = 1\n" * 200}, tag="py2.py3-none-any"))
    root = _project(tmp_path, world)
    dirs = {name: tmp_path / name for name in ("cache", "tmp", "home")}
    for d in dirs.values():
        d.mkdir()
    log = tmp_path / "audit.jsonl"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "FLASH_AUDIT_LOG": str(log),
        "FLASH_LSP_CACHE_DIR": str(dirs["cache"]),
        "FLASH_LSP_INDEX_URL": index.simple,  # the default index: the user's own configuration says so
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": index.simple,
        "PIP_NO_CACHE_DIR": "1",
        "UV_DEFAULT_INDEX": index.simple,
        "UV_CACHE_DIR": str(dirs["cache"] / "uv"),
        "HOME": str(dirs["home"]),
        "TMPDIR": str(dirs["tmp"]),
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",  # the import system's .pyc files of an edited checkout are not ours
        "FLASH_LSP_LOG_LEVEL": "WARNING",
    }
    config = ClientServerConfig(server_command=[sys.executable, str(AUDITED)], server_env=env)
    client = await config.start()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params):
        return None

    # no `trusted` option: a client that does not say is untrusted
    await initialize(client, [root], {"diagnostics": {"debounceMs": 0}, "size": {"enable": True}})
    try:
        yield client, root, world, index, dirs, log
    finally:
        world.evil.close()
        index.close()


async def _settled(client, root: Path) -> dict:
    deadline = time.monotonic() + SETTLE_S
    while True:
        answer = await client.protocol.send_request_async(
            "flash/bundleSize", {"project": from_fs_path(str(root)), "wait": 30}
        )
        answer = _plain(answer)
        if answer["state"] != "updating" and answer["confidence"] == "authoritative":
            return answer
        assert time.monotonic() < deadline, answer
        await asyncio.sleep(0.5)


async def test_an_untrusted_hostile_project_runs_nothing(audited):
    client, root, world, index, dirs, log = audited
    worker = root / "workers" / "worker.py"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(
                uri=from_fs_path(str(worker)), language_id="python", version=1, text=worker.read_text()
            )
        )
    )
    answer = await _settled(client, root)
    build = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="flash.build", arguments=[{"project": from_fs_path(str(root))}])
    )
    assert _plain(build)["reason"] == "untrusted"
    await client.shutdown_session()
    assert not world.canary.exists(), world.canary.read_text()
    assert world.evil.requests == []
    assert not any("outside-only-pkg" in path for path, _r in index.requests)

    # the prediction itself: six sized, every direct reference reported, every option line ignored
    jsonschema.validate(answer, protocol_schema("flash-bundle-size.schema.json", "result"))
    assert [p["name"] for p in answer["packages"]] == ["six"]
    unpredictable = sorted(p["requirements"][0] for p in answer["problems"] if p["kind"] == "not-predictable")
    expected = [
        *world.direct_references().values(),
        f"evildeco @ {world.sdist_url}",
        f"git+{world.git_url}#egg=evildeco2",
        f"{world.source_dir}/",
    ]
    assert unpredictable == sorted(expected)
    assert len([n for n in answer["notes"] if "not trusted" in n]) == len(world.option_lines()) + 1
    on_lines = {
        uri: sorted(d.range.start.line for d in ds if d.code == "FL811") for uri, ds in client.diagnostics.items()
    }
    assert on_lines[from_fs_path(str(root / "requirements.txt"))] == list(range(1, 7))  # the six direct references
    assert len(on_lines[from_fs_path(str(worker))]) == 3

    events = [json.loads(line) for line in log.read_text().splitlines()]

    ours = {os.path.realpath(sys.executable), os.path.realpath(find_uv())}
    processes = [
        e for e in events if e["event"] in ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system")
    ]
    assert processes, "the resolver never ran"
    for e in processes:
        assert e["event"] == "subprocess.Popen", e
        executable, argv = e["args"][0], e["args"][1]
        assert os.path.realpath(executable) in ours, e
        assert not any(str(root) in str(a) for a in argv), e
        for line in e["requirements"] or []:
            assert not line.startswith("-") and "@" not in line and "://" not in line, e

    default = index.base.split("//", 1)[1].rsplit(":", 1)
    for e in events:
        if e["event"] == "socket.connect" and isinstance(e["address"], list) and len(e["address"]) == 2:
            assert e["address"] == [default[0], int(default[1])], e

    writable = [os.path.realpath(w) for w in (dirs["cache"], dirs["tmp"])]
    readable = [
        os.path.realpath(r)
        for r in (root, sys.prefix, sys.base_prefix, sys.exec_prefix, Path(flash_lsp.__file__).parents[2], "/proc")
    ] + writable
    devices = {"/dev/null", "/dev/urandom"}
    bad = []
    for e in events:
        if e["event"] == "open" and e["path"] not in devices:
            writes = (e["mode"] and any(c in e["mode"] for c in "wax+")) or (e["flags"] or 0) & WRITE_FLAGS
            if not _under(e["path"], writable if writes else readable):
                bad.append(e)
        elif e["event"] in FILE_EVENTS:
            if not all(_under(p, writable) for p in e["args"] if isinstance(p, str) and os.sep in p):
                bad.append(e)
    assert bad == []


async def test_granting_trust_later_applies_the_projects_index_options(audited):
    client, root, world, _index, _dirs, _log = audited
    await _settled(client, root)
    assert world.evil.requests == []
    client.protocol.notify("flash/workspaceTrust", {"trusted": True})
    deadline = time.monotonic() + SETTLE_S
    while not world.evil.requests:  # the trusted estimate asks the project's own index
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    await _settled(client, root)
    await client.shutdown_session()


class _WritesCanary:
    """A pickle payload: unpickling it creates the file `path`."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_tampered_summary_cache_runs_nothing_and_is_ignored(tmp_path, monkeypatch, caplog):
    from dataclasses import replace

    from flash_lsp import __version__
    from flash_lsp.core.summary import summarize
    from flash_lsp.lsp.cache import FORMAT, VERSION, SummaryCache, encode

    canary = tmp_path / "CANARY"
    monkeypatch.setenv("FLASH_LSP_CACHE_DIR", str(tmp_path))
    (tmp_path / f"summaries-{__version__}.pickle").write_bytes(pickle.dumps({"k": _WritesCanary(str(canary))}))
    good = replace(summarize("main.py", "x = 1\n", ()), tree=None, lines=[])
    entries = {
        "good": encode(good),
        "class": {"$dc": "Popen", "f": {"args": "touch x"}},
        "not a summary": encode(good.configs),
        "garbage": {"$tuple": 3},
    }
    (tmp_path / f"summaries-{__version__}.json").write_text(
        json.dumps({"format": FORMAT, "version": VERSION, "entries": entries})
    )
    cache = SummaryCache.default()
    assert not canary.exists()
    assert cache.entries.get("good") == good
    assert [k for k in ("class", "not a summary", "garbage") if cache.entries.get(k) is not None] == []
    assert len([r for r in caplog.records if "not a summary" in r.getMessage()]) == 3
    (tmp_path / f"summaries-{__version__}.json").write_text("{not json")
    assert len(SummaryCache.default().entries) == 0
