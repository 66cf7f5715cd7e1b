"""Migration through the real server (pytest-lsp, VS Code's and Neovim's capabilities)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest
from lsprotocol import types

from flash_lsp.core.project import Project
from flash_lsp.lsp.features.migrate import PlanBasis
from tests.fidelity import our_cli
from tests.lsp.conftest import client, diagnostics, open_doc, uri  # noqa: F401 (pytest fixture)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "migrate"


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A runpod-flash 1.21 project with a queue function, a queue class and load-balanced routes."""
    root = tmp_path / "f_mixed_kinds"
    shutil.copytree(FIXTURES / "f_mixed_kinds", root)
    (root / "requirements.txt").write_text("runpod-flash==1.21.0\n")
    return root


def apply(text: str, edit: types.TextEdit) -> str:
    """Apply one whole-document edit (the migration replaces the full text)."""
    lines = text.split("\n")
    start, end = edit.range.start, edit.range.end
    assert (start.line, start.character) == (0, 0) and (end.line, end.character) == (len(lines) - 1, len(lines[-1]))
    return edit.new_text


def cli_migrated(root: Path, tmp: Path) -> dict[str, str]:
    """What `flash-lsp migrate` writes for a copy of `root`: relative path -> text."""
    copy = tmp / "cli" / root.name
    shutil.copytree(root, copy)
    subprocess.run(
        [*our_cli(), "migrate", str(copy), "--to", "runpod-2.0"], check=False, capture_output=True, timeout=120
    )
    return {p.relative_to(copy).as_posix(): p.read_text() for p in copy.rglob("*") if p.is_file()}


def accept_edits(client) -> list[types.ApplyWorkspaceEditParams]:
    """Answer the server's `workspace/applyEdit` with "applied"; returns the requests as they come."""
    received = []

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams):
        received.append(params)
        return types.ApplyWorkspaceEditResult(applied=True)

    return received


def _annotated(edit: types.WorkspaceEdit) -> None:
    annotation = edit.change_annotations["flash-lsp.migrate"]
    assert annotation.needs_confirmation is True
    for change in edit.document_changes:
        for e in getattr(change, "edits", []):
            assert e.annotation_id == "flash-lsp.migrate"


async def test_code_action_on_an_endpoint_migrates_its_file_like_the_cli(client, tmp_path):
    rel = "app_main.py"
    u = open_doc(client, rel)
    line = next(
        i
        for i, t in enumerate((client.workspace_root / rel).read_text().splitlines())
        if '@Endpoint(name="scorer"' in t
    )
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=u),
            range=types.Range(types.Position(line, 1), types.Position(line, 1)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    titles = [a.title for a in actions]
    assert titles[:2] == [
        "Migrate 'scorer' to runpod 2.0 (rewrites app_main.py)",
        "Migrate the whole project to runpod 2.0…",
    ]
    action = actions[0]
    assert action.kind == types.CodeActionKind.RefactorRewrite
    _annotated(action.edit)
    [change] = action.edit.document_changes
    assert change.text_document.uri == u
    new = apply((client.workspace_root / rel).read_text(), change.edits[0])
    assert new == cli_migrated(client.workspace_root, tmp_path)[rel]
    assert "flash.migrateProject" in str(actions[1].command)  # a command-only action; clients read it either way


async def test_no_migration_action_away_from_endpoints(client):
    u = open_doc(client, "app_main.py")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=u),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not [a for a in actions or [] if "runpod 2.0" in a.title]


async def test_project_command_asks_the_client_to_apply_an_annotated_edit(client, tmp_path):
    received = accept_edits(client)

    open_doc(client, "app_main.py")
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="flash.migrateProject", arguments=[{"project": uri(client, ".")}])
    )
    assert result["applied"] is True and result["files"] == ["app_main.py", "requirements.txt"]
    [params] = received
    _annotated(params.edit)
    expected = cli_migrated(client.workspace_root, tmp_path)
    by_uri = {c.text_document.uri: c.edits[0].new_text for c in params.edit.document_changes}
    assert by_uri == {uri(client, rel): expected[rel] for rel in ("app_main.py", "requirements.txt")}


async def test_command_without_a_project_says_so(client):
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="flash.migrateProject", arguments=[{}])
    )
    assert result["applied"] is False and result["reason"] == "no-project"


NOTES_ON = pytest.mark.settings({"migration": {"notes": "on"}})


async def profiles(client) -> list[str]:
    """The profile of each project, once its analysis covers the open files."""
    tree = await client.protocol.send_request_async("flash/endpoints", {})
    return [p.profile for p in tree.projects]


def _notes(ds: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in ds if d.source == "flash-lsp migrate"]


@NOTES_ON
async def test_notes_appear_as_info_diagnostics_at_their_site(client):
    u = open_doc(client, "app_main.py")
    found = await diagnostics(client, u, until=lambda ds: any(d.source == "flash-lsp migrate" for d in ds), timeout=30)
    [note] = [d for d in found if d.source == "flash-lsp migrate"]
    assert note.code == "FL955" and note.severity == types.DiagnosticSeverity.Information
    assert note.range.start.line == 10 and "ranker" in note.message


async def test_project_command_with_apply_false_returns_the_edit_and_writes_nothing(client, tmp_path):
    """VS Code applies the edit itself (as a refactoring, so its files are saved after the preview)."""
    received = accept_edits(client)

    before = (client.workspace_root / "app_main.py").read_text()
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="flash.migrateProject", arguments=[{"project": uri(client, "app_main.py"), "apply": False}]
        )
    )
    assert result["applied"] is False and result["reason"] == "not-applied" and not received
    assert result["files"] == ["app_main.py", "requirements.txt"]
    edit = client.protocol._converter.structure(result["edit"], types.WorkspaceEdit)
    _annotated(edit)
    expected = cli_migrated(client.workspace_root, tmp_path)
    by_uri = {c.text_document.uri: c.edits[0].new_text for c in edit.document_changes}
    assert by_uri == {uri(client, rel): expected[rel] for rel in ("app_main.py", "requirements.txt")}
    assert (client.workspace_root / "app_main.py").read_text() == before


@NOTES_ON
async def test_notes_are_planned_again_when_the_file_changes(client):
    u = open_doc(client, "app_main.py")
    await diagnostics(client, u, until=lambda ds: [n.range.start.line for n in _notes(ds)] == [10], timeout=30)
    text = (client.workspace_root / "app_main.py").read_text()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=u, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="# moved down\n" + text)],
        )
    )
    await diagnostics(client, u, until=lambda ds: [n.range.start.line for n in _notes(ds)] == [11], timeout=30)


async def test_by_default_notes_wait_until_the_project_targets_runpod_2(client):
    """auto: a runpod-flash 1.21 project gets none; once requirements.txt pins runpod 2 (a change on
    disk: the profile is detected again) the old code's notes appear."""
    u = open_doc(client, "app_main.py")
    assert await profiles(client) == ["flash-1.21"]  # the analysis is done: notes would be planned now
    await asyncio.sleep(3)  # ...and follow within a second
    assert not _notes(await diagnostics(client, u))
    (client.workspace_root / "requirements.txt").write_text("runpod==2.0.0rc2\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(client, "requirements.txt"), type=types.FileChangeType.Changed)]
        )
    )
    found = await diagnostics(client, u, until=lambda ds: bool(_notes(ds)), timeout=30)
    assert await profiles(client) == ["runpod-2.0"]
    assert [n.code for n in _notes(found)] == ["FL955"]


@pytest.mark.settings({"migration": {"notes": "off"}})
async def test_notes_off_even_for_a_project_that_targets_runpod_2(client):
    (client.workspace_root / "requirements.txt").write_text("runpod==2.0.0rc2\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(client, "requirements.txt"), type=types.FileChangeType.Changed)]
        )
    )
    u = open_doc(client, "app_main.py")
    assert await profiles(client) == ["runpod-2.0"]
    await asyncio.sleep(3)
    assert not _notes(await diagnostics(client, u, timeout=5))


def test_the_plan_basis_follows_open_texts_and_the_projects_change_set(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "requirements.txt").write_text("runpod-flash\n")
    project = Project(tmp_path, trust_disk_cache=True)
    basis = PlanBasis(project)
    first = basis.stale({})
    assert first is not None  # nothing planned yet
    basis.texts = first  # the plan for no open text was published
    assert basis.stale({}) is None
    assert basis.stale({"a.py": "x = 2\n"}) is not None  # an open text changed
    for changed, plan_again in [
        (["requirements.txt"], True),
        (["pkg/b.py"], True),
        ([".venv/lib/python3.11/site-packages/numpy/__init__.py"], False),  # the migration skips .venv
        (["notes.md"], False),
        (None, True),  # re-index: the whole disk is forgotten
    ]:
        project.invalidate(changed)
        assert (basis.stale({}) is not None) == plan_again, changed
        basis.texts = first
