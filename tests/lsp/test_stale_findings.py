"""Findings that depend on what is fixed go when it is fixed: ignore-dependent findings when an
ignore file changes on disk, the last build's findings on lines edited since that build."""

from __future__ import annotations

from lsprotocol import types
from pygls.uris import from_fs_path

from .conftest import codes, diagnostics

KEY = ".venv/lib/python3.11/site-packages/pkg/server.key"


def _watched(client, rel: str, kind: types.FileChangeType) -> None:
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=from_fs_path(str(client.workspace_root / rel)), type=kind)]))


async def test_fl601_goes_when_the_venv_is_added_to_flashignore(client):
    root = client.workspace_root
    (root / KEY).parent.mkdir(parents=True)
    (root / KEY).write_text("-----BEGIN PRIVATE KEY-----\n")
    _watched(client, KEY, types.FileChangeType.Created)
    key_uri = from_fs_path(str(root / KEY))
    await diagnostics(client, key_uri, lambda ds: "FL601" in codes(ds))
    (root / ".flashignore").write_text("# local files\n.venv/\n")
    _watched(client, ".flashignore", types.FileChangeType.Created)
    await diagnostics(client, key_uri, lambda ds: "FL601" not in codes(ds))
    (root / ".flashignore").write_text("# local files\n")  # and back when the line is removed
    _watched(client, ".flashignore", types.FileChangeType.Changed)
    await diagnostics(client, key_uri, lambda ds: "FL601" in codes(ds))
