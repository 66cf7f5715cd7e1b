"""What the client supports, read once from `initialize` (features ask this view, not the raw capabilities)."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types


@dataclass(frozen=True)
class ClientSupport:
    pull_diagnostics: bool = False  # textDocument/diagnostic: the client pulls, the server does not push
    diagnostic_refresh: bool = False  # workspace/diagnostic/refresh
    work_done_progress: bool = False  # server-initiated window/workDoneProgress/create
    configuration: bool = False  # workspace/configuration
    watched_files_registration: bool = False  # dynamic registration of workspace/didChangeWatchedFiles
    code_lens_refresh: bool = False  # workspace/codeLens/refresh

    @classmethod
    def of(cls, caps: types.ClientCapabilities | None) -> ClientSupport:
        if caps is None:
            return cls()
        text, workspace, window = caps.text_document, caps.workspace, caps.window
        watched = workspace.did_change_watched_files if workspace else None
        return cls(
            pull_diagnostics=bool(text and text.diagnostic),
            diagnostic_refresh=bool(workspace and workspace.diagnostics and workspace.diagnostics.refresh_support),
            work_done_progress=bool(window and window.work_done_progress),
            configuration=bool(workspace and workspace.configuration),
            watched_files_registration=bool(watched and watched.dynamic_registration),
            code_lens_refresh=bool(workspace and workspace.code_lens and workspace.code_lens.refresh_support),
        )
