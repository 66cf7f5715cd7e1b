"""Quick fixes for Flash diagnostics (edits computed by `core.fixes` with libcst)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ...core import fixes
from ...core.summary import module_path
from ..convert import uri_of
from . import api_fixes, migrate, size_views

if TYPE_CHECKING:
    from ..server import FlashLanguageServer
    from ..session import DocumentView, ProjectState

KIND = types.CodeActionKind.QuickFix


def register(server: FlashLanguageServer) -> None:
    session = server.session

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[KIND, migrate.KIND]))
    async def code_action(ls: FlashLanguageServer, params: types.CodeActionParams):
        uri = params.text_document.uri
        view = await session.document(uri)
        if view is None:
            return None
        actions = []
        for diagnostic in params.context.diagnostics:
            if diagnostic.source == "flash-lsp":
                actions += _fixes_for(view, uri, diagnostic)
                actions += api_fixes.actions(view, uri, diagnostic)  # runpod-flash 1.x editor diagnostics
        actions += size_views.code_actions(ls, uri, params.context.diagnostics)  # "flash-lsp size" (FL805)
        actions += migrate.code_actions(ls, params)  # to runpod 2.0
        return actions or None


def _whole(
    uri: str, old: str, new: str, title: str, diagnostic: types.Diagnostic, preferred: bool = False
) -> types.CodeAction:
    lines = old.splitlines()
    end = types.Position(len(lines), 0)
    edit = types.TextEdit(range=types.Range(types.Position(0, 0), end), new_text=new)
    return types.CodeAction(
        title=title,
        kind=KIND,
        diagnostics=[diagnostic],
        is_preferred=preferred,
        edit=types.WorkspaceEdit(changes={uri: [edit]}),
    )


def _fixes_for(view: DocumentView, uri: str, d: types.Diagnostic) -> list[types.CodeAction]:
    state, model, text = view.state, view.model, view.source
    code = str(d.code)
    if code == "FL101":
        name = _word(text, d.range)
        out = []
        new = fixes.create_config(text, name, model.profile.package)
        if new:
            out.append(_whole(uri, text, new, f"Create resource config '{name}' (LiveServerless)", d, preferred=True))
        for relpath, summary in model.summaries.items():
            if any(a.variable == name and a.module_level for a in summary.configs):
                new = fixes.add_import(text, module_path(relpath), name)
                if new:
                    out.append(_whole(uri, text, new, f"Import '{name}' from {module_path(relpath)}", d))
        return out
    if code == "FL406":
        if d.data and d.data.get("project_module") is False:
            return []  # a third-party package: moving the import does not make it installed
        new = fixes.move_import_into_functions(text, d.range.start.line)
        title = "Move this import into the functions that use it"
        return [_whole(uri, text, new, title, d, preferred=True)] if new else []
    if code == "FL402" and d.data and d.data.get("replacement"):
        old = _word(text, d.range)
        quote = old[0] if old[:1] in "'\"" else '"'
        edit = types.TextEdit(range=d.range, new_text=f"{quote}{d.data['replacement']}{quote}")
        return [_action(f"Use '{d.data['replacement']}'", d, types.WorkspaceEdit(changes={uri: [edit]}))]
    if code == "FL106":
        summary = model.summaries.get(view.rel)
        line = d.range.start.line
        configs = summary.configs if summary else []
        assign = next((a for a in configs if a.call_span.line <= line <= a.call_span.end_line), None)
        if assign is None:
            return []
        new = fixes.set_name_literal(text, assign.call_span.line, assign.variable)
        title = f'Set name="{assign.variable}" (the key the build uses)'
        return [_whole(uri, text, new, title, d, preferred=True)] if new else []
    if code in ("FL601", "FL602", "FL603", "FL607") and d.data and d.data.get("pattern"):
        return [_ignore_action(state, d)]
    return []


def _ignore_action(state: ProjectState, d: types.Diagnostic) -> types.CodeAction:
    ignore_file = d.data.get("ignore_file") or ".flashignore"
    pattern = d.data["pattern"]
    path = state.root / ignore_file
    target = uri_of(path)
    if path.exists():
        existing = path.read_text(encoding="utf-8", errors="replace")
        lines = existing.splitlines()
        prefix = "" if not existing or existing.endswith("\n") else "\n"
        end = types.Position(len(lines), 0)
        edit = types.TextEdit(range=types.Range(end, end), new_text=f"{prefix}{pattern}\n")
        changes: list = [_document_edit(target, edit)]
    else:
        start = types.Position(0, 0)
        edit = types.TextEdit(range=types.Range(start, start), new_text=f"{pattern}\n")
        changes = [types.CreateFile(uri=target), _document_edit(target, edit)]
    return _action(f"Add {pattern} to {ignore_file}", d, types.WorkspaceEdit(document_changes=changes))


def _document_edit(uri: str, edit: types.TextEdit) -> types.TextDocumentEdit:
    return types.TextDocumentEdit(types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None), [edit])


def _action(title: str, diagnostic: types.Diagnostic, edit: types.WorkspaceEdit) -> types.CodeAction:
    """A preferred quick fix for one diagnostic."""
    return types.CodeAction(title=title, kind=KIND, diagnostics=[diagnostic], is_preferred=True, edit=edit)


def _word(text: str, rng: types.Range) -> str:
    lines = text.splitlines()
    if rng.start.line >= len(lines):
        return ""
    line = lines[rng.start.line]
    end = rng.end.character if rng.end.line == rng.start.line else len(line)
    return line[rng.start.character : end]
