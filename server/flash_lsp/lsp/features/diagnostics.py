"""Pull diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`); push is in the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from ..server import FlashLanguageServer

CLEARED = "cleared"  # the result id of an empty report for a file that no project has findings for
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
        out of the report keeps its old problems in the client, so a fixed one gets an empty report.

        When nothing changed since the client's last report, the request is held open until something
        does (long polling): VS Code would otherwise ask again every two seconds, and cancels a held
        request when it no longer wants it."""
        held = {p.uri: p.value for p in params.previous_result_ids or []}
        while True:
            changed = session.changed
            report = _workspace_report(ls, held)
            if not held or any(isinstance(item, types.WorkspaceFullDocumentDiagnosticReport) for item in report.items):
                return report
            await changed.wait()

    def _workspace_report(ls: FlashLanguageServer, held: dict[str, str]) -> types.WorkspaceDiagnosticReport:
        items: list = []
        documents = ls.workspace.text_documents
        cleared = set(held)
        for state in list(session.projects.values()):
            uris = set(state.diagnostics) | {u for by_uri in state.external.values() for u in by_uri}
            cleared -= uris
            for uri in sorted(uris):
                doc = documents.get(uri)
                version = doc.version if doc else None
                if held.get(uri) == state.result_id:
                    items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(uri, state.result_id, version))
                else:
                    items.append(
                        types.WorkspaceFullDocumentDiagnosticReport(
                            uri=uri, items=session.diagnostics_for(uri), version=version, result_id=state.result_id
                        )
                    )
        for uri in sorted(cleared):  # no project has findings for it any more
            if held[uri] == CLEARED:
                items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(uri, CLEARED, None))
            else:
                items.append(
                    types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=[], version=None, result_id=CLEARED)
                )
        return types.WorkspaceDiagnosticReport(items=items)
