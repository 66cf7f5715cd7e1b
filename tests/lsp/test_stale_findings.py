"""Findings that depend on what is fixed go when it is fixed: ignore-dependent findings when an
ignore file changes on disk, the last build's findings on lines edited since that build."""

from __future__ import annotations

from lsprotocol import types
from pygls.uris import from_fs_path

from .conftest import codes, diagnostics

KEY = ".venv/lib/python3.11/site-packages/pkg/server.key"


def _watched(client, rel: str, kind: types.FileChangeType) -> None:
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=from_fs_path(str(client.workspace_root / rel)), type=kind)]
        )
    )


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


async def test_a_workspace_pull_empties_the_files_that_no_longer_have_findings(client):
    """VS Code pulls workspace diagnostics: a file left out of the report would keep its old problems."""
    root = client.workspace_root
    (root / KEY).parent.mkdir(parents=True)
    (root / KEY).write_text("-----BEGIN PRIVATE KEY-----\n")
    (root / ".flashignore").write_text("# local files\n")
    _watched(client, ".flashignore", types.FileChangeType.Created)
    key_uri = from_fs_path(str(root / KEY))
    await diagnostics(client, key_uri, lambda ds: "FL601" in codes(ds))
    first = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    held = [types.PreviousResultId(uri=r.uri, value=r.result_id) for r in first.items]
    assert key_uri in {r.uri for r in first.items}
    (root / ".flashignore").write_text("# local files\n.venv/\n")
    _watched(client, ".flashignore", types.FileChangeType.Changed)
    await diagnostics(client, key_uri, lambda ds: "FL601" not in codes(ds))
    second = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=held))
    reports = {r.uri: r for r in second.items}
    assert key_uri in reports and list(reports[key_uri].items) == []
