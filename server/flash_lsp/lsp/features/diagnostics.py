"""Pull diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`); push is in the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from ..server import FlashLanguageServer

OPTIONS = types.DiagnosticOptions(identifier="flash-lsp", inter_file_dependencies=True, workspace_diagnostics=True)


def register(server: FlashLanguageServer) -> None:
    session = server.session

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, OPTIONS)
    async def document_diagnostic(ls: FlashLanguageServer, params: types.DocumentDiagnosticParams):
        uri = params.text_document.uri
        state, _model = await session.fresh(uri)
        result_id = state.result_id if state else "none"
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=session.diagnostics_for(uri), result_id=result_id)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(ls: FlashLanguageServer, params: types.WorkspaceDiagnosticParams):
        """Every file with findings, and every file the client still holds results for: a file left
        out of the report keeps its old problems in the client, so a fixed one gets an empty report."""
        items = []
        documents = ls.workspace.text_documents
        held = {p.uri for p in params.previous_result_ids or []}
        for state in list(session.projects.values()):
            uris = set(state.diagnostics) | {u for by_uri in state.external.values() for u in by_uri}
            held -= uris
            for uri in sorted(uris):
                doc = documents.get(uri)
                items.append(
                    types.WorkspaceFullDocumentDiagnosticReport(
                        uri=uri,
                        items=session.diagnostics_for(uri),
                        version=doc.version if doc else None,
                        result_id=state.result_id,
                    )
                )
        for uri in sorted(held):  # no project has findings for it any more
            report = types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=[], version=None, result_id="cleared")
            items.append(report)
        return types.WorkspaceDiagnosticReport(items=items)
