"""`textDocument/prepareRename` and `textDocument/rename` of a runpod-flash 1.x endpoint name.
The edit renames the code only: the result carries a confirmation annotation (where the client
supports them) and a message that the deployed endpoint keeps its old name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ...core.flash1_api.rename import identifier_spans, invalid_name, string_spans
from ...core.model import Span
from ...core.rules.flash1_editor import module_usage
from ..convert import from_position, to_range, uri_of
from .api_lookup import endpoint_at, file_api

if TYPE_CHECKING:
    from ..server import FlashLanguageServer

ANNOTATION = "flash-endpoint-rename"


def register(server: FlashLanguageServer) -> None:
    session = server.session

    async def target(ls: FlashLanguageServer, uri: str, position: types.Position):
        view = await session.document(uri)
        fa = file_api(view) if view else None
        if fa is None:
            return None
        line, col = from_position(position, view.lines, ls.workspace.position_codec)
        found = endpoint_at(fa, line, col)
        return (view, *found) if found and found[0].name else None

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(ls: FlashLanguageServer, params: types.PrepareRenameParams):
        found = await target(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        view, decorated, span = found
        if decorated.name_node is not None:  # the inside of the name string
            span = Span.of(decorated.name_node, view.lines)
            span = Span(span.line, span.col + 1, span.end_line, span.end_col - 1)
        return types.PrepareRenamePlaceholder(
            range=to_range(span, view.lines, ls.workspace.position_codec), placeholder=decorated.name
        )

    @server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    async def rename(ls: FlashLanguageServer, params: types.RenameParams):
        found = await target(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        view, decorated, _span = found
        old, new = decorated.name, params.new_name
        by_function = decorated.name_node is None
        problem = invalid_name(new, by_function)
        if problem:
            raise JsonRpcInvalidParams(problem)
        state, codec = view.state, ls.workspace.position_codec
        defining = {view.rel} if by_function else set()
        edits: dict[str, list[types.TextEdit]] = {}
        for rel in view.model.__dict__["flash1"].scanned:
            usage = module_usage(state.project, rel)
            if usage is None:
                continue
            tree, lines, module = usage
            spans = string_spans(module, old, lines)
            if by_function:
                spans += identifier_spans(tree, module, old, lines, rel in defining)
            if spans:
                edits[uri_of(state.root / rel)] = [
                    types.TextEdit(range=to_range(s, lines, codec), new_text=new) for s in sorted(set(spans))
                ]
        warning = (
            f"Renamed endpoint '{old}' to '{new}' in the code. The deployed endpoint keeps the name '{old}': "
            f"the next `flash deploy` creates '{new}' and '{old}' stays deployed until you remove it."
        )
        ls.show(warning, types.MessageType.Warning)
        return _edit(ls, edits, warning)


def _edit(ls: FlashLanguageServer, edits: dict[str, list[types.TextEdit]], warning: str) -> types.WorkspaceEdit:
    capabilities = ls.client_capabilities.workspace
    workspace_edit = capabilities.workspace_edit if capabilities else None
    if not (workspace_edit and workspace_edit.change_annotation_support and workspace_edit.document_changes):
        return types.WorkspaceEdit(changes=edits)
    annotation = types.ChangeAnnotation(label="Rename endpoint", needs_confirmation=True, description=warning)
    changes = [
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
            edits=[
                types.AnnotatedTextEdit(range=e.range, new_text=e.new_text, annotation_id=ANNOTATION) for e in items
            ],
        )
        for uri, items in edits.items()
    ]
    return types.WorkspaceEdit(document_changes=changes, change_annotations={ANNOTATION: annotation})
