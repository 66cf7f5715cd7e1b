"""The ignore-file and import traps in the editor: unsaved ignore files count, the quick fixes
propose what the build needs (docs/tetra-build.md, "Ignore-file traps")."""

from __future__ import annotations

from lsprotocol import types

from .conftest import codes, diagnostics, open_doc

SCRATCH = 'from tetra_rp import LiveServerless, remote\n\ns = LiveServerless(name="scratch")\n\n\n@remote(s)\ndef try_it(x):\n    return x\n'


async def _actions(client, u: str, d: types.Diagnostic) -> list[types.CodeAction]:
    return await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(u), d.range, types.CodeActionContext(diagnostics=[d]))
    )


async def test_unsaved_nested_gitignore_warns_and_the_fix_targets_the_top_level_file(client):
    open_doc(client, "workers/scratch.py", SCRATCH)
    u = open_doc(client, "workers/.gitignore", "# mine\nscratch.py\n")
    ds = await diagnostics(client, u, lambda ds: "FL607" in codes(ds))
    d = next(d for d in ds if d.code == "FL607")
    assert d.range.start.line == 1 and "'try_it' is deployed" in d.message
    (action,) = await _actions(client, u, d)
    assert action.title.startswith("Add workers/**/scratch.py to ")


async def test_editor_text_of_an_ignore_file_with_a_bom_on_disk_keeps_the_bom(client):
    root = client.workspace_root
    (root / "creds.json").write_text("{}")
    (root / ".flashignore").write_bytes(b"\xef\xbb\xbfcreds.json\n")
    u = open_doc(client, ".flashignore", "creds.json\n")  # editors show the text without the mark
    ds = await diagnostics(client, u, lambda ds: "FL606" in codes(ds))
    assert "creds.json ships" in next(d for d in ds if d.code == "FL606").message


async def test_missing_third_party_package_gets_no_move_import_fix(client):
    rel = "workers/gpu/endpoint.py"
    text = "import not_installed_pkg_flash_lsp\n" + (client.workspace_root / rel).read_text()
    u = open_doc(client, rel, text)
    ds = await diagnostics(client, u, lambda ds: "FL406" in codes(ds))
    d = next(d for d in ds if d.code == "FL406")
    assert "Install 'not_installed_pkg_flash_lsp'" in d.message
    assert not await _actions(client, u, d)  # null or []: no fix
