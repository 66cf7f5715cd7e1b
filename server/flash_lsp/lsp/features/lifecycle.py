"""Initialisation, settings, document sync, workspace folders, watched files and indexing
(`flash.reindex` indexes the workspace again, forgetting what was read from disk)."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import uuid
from typing import TYPE_CHECKING

from lsprotocol import types

from ..capabilities import ClientSupport
from ..client_requests import ask_client
from ..convert import path_of
from ..environment_watch import ENVIRONMENT_GLOBS, poll
from ..progress import WorkDoneProgress
from ..settings import parse

if TYPE_CHECKING:
    from ..server import FlashLanguageServer
    from ..session import ProjectState

log = logging.getLogger(__name__)

WATCH_GLOBS = (
    "**/*.py",
    "**/.gitignore",
    "**/.flashignore",
    "**/requirements.txt",
    "**/mothership.py",
    "**/.env",
    *ENVIRONMENT_GLOBS,
)
BURST_MS = 250
REINDEX = "flash.reindex"
CLIENT_TIMEOUT = 5.0  # seconds to wait for the client's answer to our requests
SEARCH_REPORT_S = 0.25  # seconds between progress reports of the project search


def register(server: FlashLanguageServer) -> None:
    session = server.session

    @server.feature(types.INITIALIZE)
    def initialize(ls: FlashLanguageServer, params: types.InitializeParams) -> None:
        options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
        ls.client_support = ClientSupport.of(params.capabilities)
        # Workspace trust: only a client that says so makes the workspace trusted (docs/security.md).
        ls.trusted = options.get("trusted") is True
        ls.command_links = options.get("commandLinks") is True
        ls.shows_build_output = options.get("showsBuildOutput") is True
        ls.client_interpreter = options.get("interpreter") if isinstance(options.get("interpreter"), str) else None
        _apply(ls, options.get("settings", {}), initial=True)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: FlashLanguageServer, params: types.InitializedParams) -> None:
        await _register_watchers(ls)
        await _pull_configuration(ls)
        loop = asyncio.get_running_loop()
        loop.create_task(_index(ls))
        ls.environment_poll = loop.create_task(poll(session))  # kept here: the loop holds tasks weakly

    @server.feature("flash/workspaceTrust")
    def workspace_trust(ls: FlashLanguageServer, params) -> None:
        """`{trusted: bool}`: the user granted (or withdrew) trust; size prediction follows at once."""
        trusted = params.get("trusted") if isinstance(params, dict) else getattr(params, "trusted", None)
        if not isinstance(trusted, bool) or trusted == ls.trusted:
            return
        ls.trusted = trusted
        log.info("workspace trust: %s", "trusted" if trusted else "untrusted")
        session.apply_settings(session.settings)  # the projects again: what may be read changed
        sizes = getattr(ls, "bundle_sizes", None)
        if sizes is not None:
            sizes.trust_changed()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: FlashLanguageServer, params: types.DidChangeConfigurationParams) -> None:
        if not await _pull_configuration(ls) and isinstance(params.settings, dict):
            _apply(ls, params.settings.get("flash", params.settings))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FlashLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        session.touch(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FlashLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        session.touch(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: FlashLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        session.touch(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FlashLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        session.touch(params.text_document.uri, 0)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(ls: FlashLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        for folder in params.event.removed or []:
            path = path_of(folder.uri)
            if path:
                session.drop_folder(path.resolve())
        if params.event.added:
            asyncio.get_running_loop().create_task(_index(ls))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: FlashLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        if log.isEnabledFor(logging.DEBUG):
            others = [c.uri for c in params.changes if not c.uri.endswith(".py")]
            log.debug("watched files: %d change(s), besides .py files: %s", len(params.changes), others[:8])
        touched: set[ProjectState] = set()
        for change in params.changes:
            structure = change.type != types.FileChangeType.Changed
            touched.update(session.disk_changed(change.uri, structure))
        for state in touched:
            session.schedule(state, max(BURST_MS, session.settings.debounce_ms))

    # unannotated: pygls resolves command annotations at runtime (get_type_hints)
    @server.command(REINDEX)
    async def reindex(ls, *args):
        loop = asyncio.get_running_loop()
        for state in list(session.projects.values()):  # the analysis thread owns the projects
            await loop.run_in_executor(session.executor, state.project.invalidate)
        states = await _index(ls)
        return {"projects": [state.uri for state in states]}

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: FlashLanguageServer, params: None) -> None:
        if ls.environment_poll is not None:
            ls.environment_poll.cancel()
        ls.run_shutdown_hooks()
        if ls.cache is not None:
            ls.cache.save()
        session.shutdown()


def _apply(ls: FlashLanguageServer, raw, initial: bool = False) -> None:
    settings, problems = parse(raw or {})
    if ls.client_interpreter and settings.interpreter is None:
        from dataclasses import replace

        settings = replace(settings, interpreter=ls.client_interpreter)
    if problems:
        message = "Flash LSP settings: " + "; ".join(problems)
        log.warning(message)
        if initial:  # shown once the client is initialised
            ls.session.startup_problems = message
        else:
            _show_once(ls, message)
    logging.getLogger("flash_lsp").setLevel(settings.log_level.upper())
    if initial:
        ls.session.settings = settings
    elif settings != ls.session.settings:
        ls.session.apply_settings(settings)


def _show_once(ls: FlashLanguageServer, message: str) -> None:
    """Show a settings problem unless this very message was shown already."""
    if message != ls.session.shown_problems:
        ls.session.shown_problems = message
        ls.show(message)


async def _pull_configuration(ls: FlashLanguageServer) -> bool:
    if not ls.client_support.configuration:
        return False
    try:
        params = types.ConfigurationParams(items=[types.ConfigurationItem(section="flash")])
        result = await ask_client(ls.workspace_configuration_async(params), CLIENT_TIMEOUT, "workspace/configuration")
    except Exception as exc:  # noqa: BLE001 - a client that cannot answer keeps the current settings
        log.warning("workspace/configuration failed: %s", exc)
        return False
    if result and isinstance(result[0], dict):
        _apply(ls, result[0])
    return True


async def _register_watchers(ls: FlashLanguageServer) -> None:
    if not ls.client_support.watched_files_registration:
        return
    watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in WATCH_GLOBS]
    registration = types.Registration(
        id=str(uuid.uuid4()),
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    try:
        request = ls.client_register_capability_async(types.RegistrationParams([registration]))
        await ask_client(request, CLIENT_TIMEOUT, "client/registerCapability")
    except Exception as exc:  # noqa: BLE001
        log.warning("could not register file watchers: %s", exc)


async def _index(ls: FlashLanguageServer) -> list[ProjectState]:
    """Open documents' projects first, then every project of the workspace, with progress."""
    session = ls.session
    if session.startup_problems:
        _show_once(ls, session.startup_problems)
    loop = asyncio.get_running_loop()
    progress = WorkDoneProgress(ls, "Flash: indexing", "Looking for Flash projects", token_prefix="flash-index")
    progress.open()
    ls.protocol.notify("flash/indexStatus", {"state": "searching", "done": 0, "total": 0})
    roots = await loop.run_in_executor(None, session.project_roots, _search_reporter(ls, progress, loop))
    states = [session.state_for_root(root) for root in roots]
    for uri in list(ls.workspace.text_documents):
        state = session.state_for(uri)
        if state is not None and state not in states:
            states.insert(0, state)
    await progress.started()
    ls.protocol.notify("flash/indexStatus", {"state": "indexing", "done": 0, "total": 0})
    done_total = [0, 0]

    def report(done: int, total: int) -> None:
        done_total[:] = [done, total]
        progress.report(f"Indexing {done:,}/{total:,}", int(100 * done / total) if total else 100)
        ls.protocol.notify("flash/indexStatus", {"state": "indexing", "done": done, "total": total})

    for state in states:
        await loop.run_in_executor(session.executor, _warm, state, loop, report)
        session.schedule(state, 0)
    if ls.cache is not None:
        await loop.run_in_executor(session.executor, ls.cache.save)
    # The index is long-lived: keep the cyclic GC from re-scanning it on every keystroke.
    await loop.run_in_executor(session.executor, gc.freeze)
    progress.end(f"{len(states)} Flash project(s)")
    log.info(
        "Flash projects: %s",
        "; ".join(f"{s.root} (profile: {s.project.profile.label}; {s.profile_reason})" for s in states)
        or "none found yet",
    )
    ls.protocol.notify(
        "flash/indexStatus",
        {"state": "ready", "done": done_total[0], "total": done_total[1], "projects": [s.uri for s in states]},
    )
    return states


def _search_reporter(ls: FlashLanguageServer, progress: WorkDoneProgress, loop: asyncio.AbstractEventLoop):
    """A thread-safe `report(entries_seen)` for the project search, at most every SEARCH_REPORT_S."""
    last = [0.0]

    def show(entries: int) -> None:
        progress.report(f"Looking for Flash projects: {entries:,} files and folders seen")
        ls.protocol.notify("flash/indexStatus", {"state": "searching", "done": entries, "total": 0})

    def report(entries: int) -> None:
        now = time.monotonic()
        if now - last[0] >= SEARCH_REPORT_S:
            last[0] = now
            loop.call_soon_threadsafe(show, entries)

    return report


def _warm(state: ProjectState, loop: asyncio.AbstractEventLoop, report) -> None:
    """On the analysis thread: read and summarise every scanned file, reporting progress."""
    from ...core.discovery import scanned_paths

    project = state.project
    paths = scanned_paths(project.files().scan_order, project.profile)
    total = len(paths)
    for i, rel in enumerate(paths, 1):
        project.summary(rel)
        if i % 50 == 0 or i == total:
            loop.call_soon_threadsafe(report, i, total)
