"""The server's runtime model: projects, scheduling and publishing.

Event-loop code only records new text and schedules; each project's analysis runs on one worker
thread (the only thread that touches a core `Project`), on a snapshot of the open buffers. Every
result carries the document versions it was computed for and is dropped when a buffer changed
meanwhile; a newer analysis is then already scheduled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from ..core.environment import detect_environment
from ..core.manifest import now_timestamp
from ..core.model import Diagnostic, Span
from ..core.profile_detect import detect_profile
from ..core.profiles import Profile, get_profile
from ..core.project import Project, ProjectModel
from .convert import path_of, to_lsp, uri_of
from .detect import project_root_for
from .environment_watch import INSTALL, EnvironmentWatch, environment_signal
from .project_root import flash_root
from .project_search import search_projects
from .settings import Settings

if TYPE_CHECKING:
    from .server import FlashLanguageServer

log = logging.getLogger(__name__)


@dataclass(eq=False)
class ProjectState:
    """One Flash project of the workspace (compared by identity)."""

    root: Path
    project: Project  # touched only on the analysis thread
    environment: EnvironmentWatch  # the fingerprint of its build interpreters (environment_watch.py)
    model: ProjectModel | None = None
    counter: int = 0
    analyzed: dict[str, int | None] = field(default_factory=dict)  # relpath → buffer version analysed
    diagnostics: dict[str, list[types.Diagnostic]] = field(default_factory=dict)  # uri → analysis diagnostics
    # findings of other producers (the real build, the size prediction): origin → core findings, and
    # the same converted with the current rule overrides (origin → uri → list)
    found: dict[str, list[Diagnostic]] = field(default_factory=dict)
    external: dict[str, dict[str, list[types.Diagnostic]]] = field(default_factory=dict)
    external_changes: int = 0
    profile_reason: str = ""
    alone: str | None = None  # a file outside every workspace folder analysed by itself: its relpath
    timer: asyncio.TimerHandle | None = None
    running: bool = False
    again: bool = False
    pending_disk: set[str] = field(default_factory=set)
    pending_structure: bool = False
    pending_environment: int = 0  # what changed files said about the environments (environment_watch.py)
    published: asyncio.Event = field(default_factory=asyncio.Event)
    # one generated_at per session, so previews and cached handler texts stay stable while typing
    generated_at: str = field(default_factory=now_timestamp)

    @property
    def uri(self) -> str:
        return uri_of(self.root)

    @property
    def result_id(self) -> str:
        """Pull-diagnostics result id: changes with every analysis and every external update."""
        return f"{id(self)}:{self.counter}:{self.external_changes}"

    def relpath(self, path: Path) -> str | None:
        try:
            rel = path.relative_to(self.root).as_posix()
        except ValueError:
            return None
        return rel if self.alone is None or rel == self.alone else None


@dataclass(frozen=True)
class DocumentView:
    state: ProjectState
    model: ProjectModel
    rel: str
    lines: list[str]
    source: str


class Session:
    def __init__(self, server: FlashLanguageServer, summary_cache=None):
        self.server = server
        self.settings = Settings()
        self.projects: dict[Path, ProjectState] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flash-analysis")
        self.summary_cache = summary_cache
        self.startup_problems: str | None = None  # settings problems found before the client was ready
        self.shown_problems: str | None = None
        self.listeners: list[Callable[[ProjectState], None]] = []
        self.changed = asyncio.Event()  # set (and replaced) whenever any project's diagnostics change

    # -- projects ----------------------------------------------------------------------------
    def folders(self) -> list[Path]:
        """The workspace folders (the root URI when the client sent no folders)."""
        try:
            workspace = self.server.workspace
        except RuntimeError:  # before initialize
            return []
        uris = [f.uri for f in workspace.folders.values()] or ([workspace.root_uri] if workspace.root_uri else [])
        return [p for p in (path_of(u) for u in uris) if p is not None]

    def project_roots(self, report: Callable[[int], None] | None = None) -> list[Path]:
        """The root of every Flash project under the workspace folders (`report`: the number of
        directory entries the search has looked at, now and then). Safe off the event loop."""
        found = [root for folder in self.folders() for root in search_projects(folder, report).roots]
        return list(dict.fromkeys(flash_root(root) for root in found))

    def state_for_root(self, root: Path, alone: str | None = None) -> ProjectState:
        """The project rooted at `root` (with `alone`, the single file analysed by itself there).
        Event loop only: two threads could each make a state for one root."""
        root = root.resolve()
        key = root / alone if alone else root
        state = self.projects.get(key)
        if state is None:
            watch = EnvironmentWatch(root, self.settings.interpreter)
            project, reason = self._new_project(root, [alone] if alone else None)
            state = ProjectState(root, project, watch, profile_reason=reason, alone=alone)
            self.projects[key] = state
        return state

    def state_for(self, uri: str) -> ProjectState | None:
        path = resolved_path(uri)
        if path is None:
            return None
        owners = [s for s in self.projects.values() if s.relpath(path) is not None]
        if owners:
            return max(owners, key=lambda s: len(s.root.parts))
        root, alone = project_root_for(path, self.folders())
        return self.state_for_root(root if alone else flash_root(root), path.name if alone else None)

    def drop_folder(self, folder: Path) -> None:
        for root in [r for r in self.projects if r == folder or folder in r.parents]:
            state = self.projects.pop(root)
            for uri in state.diagnostics:
                self.server.publish(uri, [], None)
        self._signal_change()

    def _remake(self, state: ProjectState) -> None:
        """A new project for `state` with its profile and interpreter detected anew."""
        state.environment = EnvironmentWatch(state.root, self.settings.interpreter)
        state.project, state.profile_reason = self._new_project(state.root, [state.alone] if state.alone else None)

    def _new_project(self, root: Path, only: list[str] | None = None) -> tuple[Project, str]:
        profile, reason = self._profile(root)
        environment = detect_environment(root, self.settings.interpreter, profile)
        if not self.server.trusted:  # nothing outside the project is read for it (docs/security.md)
            environment = replace(environment, reads_outside=False)
        project = Project(
            root,
            profile,
            environment,
            exclusions=list(self.settings.build_exclude),
            keep_last_good=True,
            summary_cache=self.summary_cache,
            trust_disk_cache=True,
            only=only,
        )
        return project, reason

    def _profile(self, root: Path) -> tuple[Profile, str]:
        if self.settings.profile != "auto":
            return get_profile(self.settings.profile), "set by flash.profile"
        return detect_profile(root, self.settings.interpreter)

    def apply_settings(self, settings: Settings) -> None:
        """New settings: re-detect profiles and re-analyse everything."""
        self.settings = settings
        for state in list(self.projects.values()):
            self._remake(state)
            for origin, found in list(state.found.items()):  # rule overrides may have changed
                self.set_external(state, origin, found)
            self.schedule(state, 0)

    # -- scheduling ----------------------------------------------------------------------------
    def touch(self, uri: str, delay_ms: int | None = None) -> None:
        if uri.startswith("file:") and resolved_path(uri) is None:
            log.warning("ignoring %r: its URI is not a usable file path", uri)
            return
        state = self.state_for(uri)
        if state is not None:
            self.schedule(state, self.settings.debounce_ms if delay_ms is None else delay_ms)

    def disk_changed(self, uri: str, structure: bool) -> list[ProjectState]:
        """Record a file-watch event; the projects to analyse again. A file of a Python environment
        creates no project: every project looks at its build interpreters again."""
        path = resolved_path(uri)
        if path is None:
            return []
        environment = environment_signal(path)
        states = list(self.projects.values()) if environment else [s for s in [self.state_for(uri)] if s]
        for state in states:
            rel = state.relpath(path)
            if rel is not None:
                state.pending_disk.add(rel)
                state.pending_structure |= structure
            state.pending_environment = max(state.pending_environment, state.environment.signal(path, environment))
        return states

    def schedule(self, state: ProjectState, delay_ms: int) -> None:
        loop = asyncio.get_running_loop()
        if state.timer is not None:
            state.timer.cancel()
        state.published.clear()
        state.timer = loop.call_later(delay_ms / 1000, lambda: loop.create_task(self.run(state)))

    async def run(self, state: ProjectState) -> None:
        state.timer = None
        if state.running:
            state.again = True
            return
        state.running = True
        try:
            snapshot = self._snapshot(state)
            disk, structure, environment = set(state.pending_disk), state.pending_structure, state.pending_environment
            state.pending_disk.clear()
            state.pending_structure, state.pending_environment = False, 0
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(
                self.executor, self._analyze, state, snapshot, disk, structure, environment
            )
        except Exception:  # noqa: BLE001 - one bad analysis must not kill the server
            log.exception("analysis of %s failed", state.root)
            state.running = False
            state.published.set()
            return
        state.running = False
        if state.again or self._snapshot_versions(state) != {k: v for k, (_, v) in snapshot.items()}:
            state.again = False
            self.schedule(state, 0)
            return
        model, diagnostics = result
        state.model = model
        state.counter += 1
        state.analyzed = {k: v for k, (_, v) in snapshot.items()}
        self._publish(state, diagnostics, snapshot)
        state.published.set()
        for listener in self.listeners:
            listener(state)

    def _snapshot(self, state: ProjectState) -> dict[str, tuple[str, int | None]]:
        out = {}
        for uri, doc in self.server.workspace.text_documents.items():
            path = resolved_path(uri)
            rel = state.relpath(path) if path else None
            if rel is not None:
                out[rel] = (doc.source, doc.version)
        return out

    def _snapshot_versions(self, state: ProjectState) -> dict[str, int | None]:
        out = {}
        for uri, doc in self.server.workspace.text_documents.items():
            path = resolved_path(uri)
            rel = state.relpath(path) if path else None
            if rel is not None:
                out[rel] = doc.version
        return out

    def _analyze(self, state: ProjectState, snapshot, disk: set[str], structure: bool, environment: int = 0):
        """On the analysis thread: bring the project up to date (`environment_watch.py`) and analyse it."""
        interpreter_changed = environment == INSTALL or (bool(disk or environment) and state.environment.changed())
        if disk or interpreter_changed:
            self._redetect(state, interpreter_changed)
        project = state.project
        for rel in list(project.overrides):
            if rel not in snapshot:
                project.set_override(rel, None)
        for rel, (text, _version) in snapshot.items():
            if project.overrides.get(rel) != text:
                project.set_override(rel, text)
        if disk:
            project.invalidate(sorted(disk), structure=structure)
        model = project.analyze(state.generated_at, rule_overrides=self.settings.severity_overrides())
        return model, self._lsp_diagnostics(state, model, snapshot)

    def _redetect(self, state: ProjectState, interpreter_changed: bool = False) -> None:
        """Files changed on disk (a migration, a new pin) or a build interpreter did (a new `.venv`, a
        package installed): a new project replaces the old one when its profile or interpreter changed."""
        if interpreter_changed:
            log.info("%s: a build interpreter changed; detecting profile and environment again", state.root)
            self._remake(state)
            return
        if self.settings.profile != "auto":
            return
        profile, _ = detect_profile(state.root, self.settings.interpreter)
        if profile.name != state.project.profile.name:
            log.info("%s: profile %s -> %s", state.root, state.project.profile.name, profile.name)
            self._remake(state)

    def _lsp_diagnostics(self, state: ProjectState, model: ProjectModel, snapshot) -> dict[str, list[types.Diagnostic]]:
        project = state.project
        lines_cache: dict[str, list[str]] = {}

        def lines_of(rel: str) -> list[str]:
            if rel not in lines_cache:
                text = snapshot[rel][0] if rel in snapshot else project.text(rel)
                lines_cache[rel] = (text or "").splitlines()
            return lines_cache[rel]

        fallback = self._fallback_path(state, model)
        placed = [
            d if d.path and (d.path in snapshot or project.exists(d.path)) else _moved(d, fallback)
            for d in model.diagnostics
            if state.alone is None or d.path == state.alone  # a file analysed alone: nothing else is published
        ]
        # the core applied the overrides already (`Project.analyze`); `to_lsp` re-applying them is a no-op
        return to_lsp(placed, state.root, lines_of, self.server.workspace.position_codec, None)

    @staticmethod
    def _fallback_path(state: ProjectState, model: ProjectModel) -> str:
        """Where project-level findings about a missing file go: main.py, else the first Flash file."""
        if state.project.exists("main.py"):
            return "main.py"
        first = next((f.relpath for f in model.functions), None)
        return first or next(iter(model.summaries), "main.py")

    def _publish(self, state: ProjectState, diagnostics: dict[str, list[types.Diagnostic]], snapshot) -> None:
        previous = state.diagnostics
        state.diagnostics = diagnostics
        self._signal_change()
        if self.server.client_support.pull_diagnostics:
            self.server.refresh_diagnostics()
        else:
            versions = {uri_of(state.root / rel): version for rel, (_, version) in snapshot.items()}
            external = {uri for by_uri in state.external.values() for uri in by_uri}
            for uri in set(previous) | set(diagnostics) | external | set(versions):
                new = self.diagnostics_for(uri)
                if new or uri in previous or uri in versions:  # open buffers always get their version
                    self.server.publish(uri, new, versions.get(uri))
        self.server.protocol.notify("flash/modelChanged", {"project": state.uri, "version": state.counter})

    def _signal_change(self) -> None:
        """Wake the workspace pulls held open until something changes."""
        event, self.changed = self.changed, asyncio.Event()
        event.set()

    # -- reading results -----------------------------------------------------------------------
    async def fresh(self, uri: str, timeout: float = 2.0) -> tuple[ProjectState | None, ProjectModel | None]:
        """The project of `uri` and its model once it covers every open buffer's current version
        (waiting at most `timeout` seconds for pending analyses; else the last model)."""
        state = self.state_for(uri)
        if state is None:
            return None, None
        if state.model is None and state.timer is None and not state.running:
            self.schedule(state, 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._settled(state):
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(state.published.wait(), remaining)
            except asyncio.TimeoutError:
                break
            await asyncio.sleep(0)
        return state, state.model

    async def document(self, uri: str) -> DocumentView | None:
        """A document's project, its up-to-date model, its project-relative path and its text
        (None when the document belongs to no project or is not a file)."""
        state, model = await self.fresh(uri)
        path = resolved_path(uri)
        if state is None or model is None or path is None:
            return None
        rel = state.relpath(path)
        if rel is None:
            return None
        doc = self.server.workspace.get_text_document(uri)
        return DocumentView(state, model, rel, doc.lines, doc.source)

    def _settled(self, state: ProjectState) -> bool:
        if state.model is None or state.timer is not None or state.running:
            return False
        return all(state.analyzed.get(rel) == version for rel, version in self._snapshot_versions(state).items())

    def diagnostics_for(self, uri: str) -> list[types.Diagnostic]:
        """Analysis diagnostics plus those of other sources (e.g. the last `flash build`)."""
        state = self.state_for(uri)
        if state is None:
            return []
        merged = list(state.diagnostics.get(uri, []))
        for by_uri in state.external.values():
            merged += by_uri.get(uri, [])
        return merged

    def lines_of(self, state: ProjectState, rel: str) -> list[str]:
        """A project file's lines: the open buffer's, else the file's on disk ([] when unreadable)."""
        doc = self.server.workspace.text_documents.get(uri_of(state.root / rel))
        if doc is not None:
            return doc.lines
        try:
            return (state.root / rel).read_text(encoding="utf-8", errors="replace").splitlines(True)
        except OSError:
            return []

    def set_external(self, state: ProjectState, origin: str, found: list[Diagnostic]) -> None:
        """Replace the findings of one other producer (catalogue origin) for a project, convert them
        with the current rule overrides and publish the change."""
        previous = set(state.external.get(origin, {}))
        state.found[origin] = list(found)
        codec = self.server.workspace.position_codec
        overrides = self.settings.severity_overrides()
        by_uri = to_lsp(found, state.root, lambda rel: self.lines_of(state, rel), codec, overrides)
        if by_uri == state.external.get(origin) and origin in state.external:
            return
        state.external[origin] = by_uri
        state.external_changes += 1
        self._signal_change()
        if self.server.client_support.pull_diagnostics:
            self.server.refresh_diagnostics()
            return
        versions = {uri: doc.version for uri, doc in self.server.workspace.text_documents.items()}
        for uri in previous | set(by_uri):
            self.server.publish(uri, self.diagnostics_for(uri), versions.get(uri))

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def resolved_path(uri: str) -> Path | None:
    """The resolved filesystem path of a `file:` URI; None for other URIs and for those no file can have."""
    path = path_of(uri)
    if path is None:
        return None
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):  # UnicodeEncodeError is a ValueError
        return None


def _moved(d: Diagnostic, rel: str) -> Diagnostic:
    """A finding about a file that does not exist, shown at the top of `rel` instead."""
    return replace(d, path=rel, span=Span(0, 0, 0, 0))
