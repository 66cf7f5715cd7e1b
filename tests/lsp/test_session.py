"""`Session` in process, without a server subprocess: a minimal server object around pygls's own
`Workspace`. Covers schedule → analyze → publish and the rule that a result computed for an older
buffer version is dropped (and the newer version analysed instead)."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.workspace import Workspace

from flash_lsp.lsp.capabilities import ClientSupport
from flash_lsp.lsp.convert import uri_of
from flash_lsp.lsp.session import Session

WORKSPACE = Path(__file__).parent.parent / "fixtures" / "workspaces" / "basic"
CPU = "workers/cpu/endpoint.py"


class MinimalServer:
    """What `Session` uses of the language server: the workspace, trust, publishing, notifications."""

    def __init__(self, root: Path) -> None:
        self.workspace = Workspace(uri_of(root), workspace_folders=[types.WorkspaceFolder(uri_of(root), "basic")])
        self.client_support = ClientSupport()  # push diagnostics
        self.trusted = False  # as the real server until the client says otherwise
        self.published: list[tuple[str, list[types.Diagnostic], int | None]] = []
        self.notified: list[tuple[str, dict]] = []
        self.protocol = self

    def publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        self.published.append((uri, diagnostics, version))

    def notify(self, method: str, params: dict) -> None:
        self.notified.append((method, params))

    def refresh_diagnostics(self) -> None:
        raise AssertionError("push client: no refresh expected")


@pytest.fixture
def session(tmp_path):
    root = tmp_path / "basic"
    shutil.copytree(WORKSPACE, root)
    session = Session(MinimalServer(root))
    yield session
    session.shutdown()


def open_doc(session: Session, rel: str, text: str, version: int) -> str:
    root = session.folders()[0]
    uri = uri_of(root / rel)
    session.server.workspace.put_text_document(types.TextDocumentItem(uri, "python", version, text))
    return uri


def edit_doc(session: Session, uri: str, text: str, version: int) -> None:
    session.server.workspace.update_text_document(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        types.TextDocumentContentChangeWholeDocument(text=text),
    )


def published_for(session: Session, uri: str) -> list[tuple[list[str], int | None]]:
    return [(sorted(str(d.code) for d in ds), version) for u, ds, version in session.server.published if u == uri]


async def test_schedule_analyze_publish(session):
    text = (WORKSPACE / CPU).read_text()
    uri = open_doc(session, CPU, text, 1)
    session.touch(uri, 0)
    state, model = await session.fresh(uri, timeout=30)
    assert model is not None and state.counter == 1 and state.analyzed[CPU] == 1
    # the undefined `gpu_cfg` of the buffer, published once, with the buffer's version
    ((codes, version),) = published_for(session, uri)
    assert "FL101" in codes and version == 1
    assert session.server.notified[-1] == ("flash/modelChanged", {"project": state.uri, "version": 1})
    assert sorted(d.code for d in session.diagnostics_for(uri)) == codes

    fixed = text.replace("@remote(gpu_cfg)", "@remote(shared)")
    edit_doc(session, uri, fixed, 2)
    session.touch(uri, 0)
    state, _model = await session.fresh(uri, timeout=30)
    codes, version = published_for(session, uri)[-1]
    assert state.counter == 2 and version == 2 and "FL101" not in codes


async def test_a_result_for_an_older_version_is_dropped(session):
    text = (WORKSPACE / CPU).read_text()
    uri = open_doc(session, CPU, text, 1)
    analyzed = threading.Event()
    release = threading.Event()
    original = session._analyze

    def held_analysis(*args):  # the first analysis finishes only after the buffer changed
        result = original(*args)
        if not release.is_set():
            analyzed.set()
            release.wait(10)
        return result

    session._analyze = held_analysis
    session.touch(uri, 0)
    await asyncio.get_running_loop().run_in_executor(None, analyzed.wait, 10)
    fixed = text.replace("@remote(gpu_cfg)", "@remote(shared)")
    edit_doc(session, uri, fixed, 2)  # typed while version 1 was being analysed (no touch yet)
    release.set()
    state, model = await session.fresh(uri, timeout=30)
    assert model is not None and state.analyzed[CPU] == 2
    # version 1's FL101 never reached the client; the analysis of version 2 did
    ((codes, version),) = published_for(session, uri)
    assert version == 2 and "FL101" not in codes
    assert state.counter == 1


def test_the_project_search_leaves_the_registry_to_the_event_loop(session):
    """The search runs on a worker thread while `didOpen` makes projects on the event loop; if both
    made the state of one root, one would be dropped with its size estimate (seen in a slow CI run:
    a size notification with a figure, then a `flash/bundleSize` answer without one)."""
    root = session.folders()[0]
    roots = session.project_roots()
    assert roots == [root.resolve()] and session.projects == {}
    opened = session.state_for(uri_of(root / CPU))
    assert session.state_for_root(roots[0]) is opened and list(session.projects.values()) == [opened]
