"""`flash.build`, `flash.package`, `flash.cancelBuild`, `flash.clean`: the user's real `flash build`
(`flash_lsp.runner`) wired to LSP.

* A build command checks workspace trust and single-flight (one build or package per project: a
  second request is rejected, not queued), then starts a background task and returns as soon as
  the build process runs: `{"started": true, "build": id}`, or `{"started": false, "reason": …}` for
  `untrusted`, `already-running`, `flash-not-found`, `no-project`, `cancelled`, `error`.
* The background task is never cancelled by a request: it owns the work-done progress (created and
  begun at once, in parallel with resolving the interpreter, which runs a subprocess), so no
  server→client request is awaited in a task that `$/cancelRequest` may cancel (pygls#621).
  Cancelling the progress in the client (`window/workDoneProgress/cancel`) cancels the build.
* Every output line goes out as `flash/buildOutput` and in a `window/logMessage` (the lines of one
  pipe read share one message), preceded by the exact command line, working directory and
  interpreter; progress messages are the build's own step
  lines (`flash_lsp.runner.progress`); the end is `flash/buildFinished` (with the package report for
  `flash.package`).
* The findings of a completed build become diagnostics with source `flash build` at the code they
  concern (`BuildLocator`), replacing the previous build's; a clean build clears them. A cancelled
  or timed-out build leaves the previous ones in place. `flash.package` adds one FL701 warning on
  main.py when the build dir differs from the prediction of the current model.
* Running builds are killed by the server's shutdown hooks (shutdown, parent gone, SIGTERM);
  `atexit` does the same when the process exits with builds still running, and each build's
  supervisor when the server dies in any other way (docs/builds.md). Another server's build of
  the same project (the runner's build lock) is refused as `already-running`, naming its owner.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import logging
import re
import shlex
import uuid
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from lsprotocol import types

from ...runner import (
    AlreadyRunning,
    BuildFinding,
    BuildHandle,
    BuildOptions,
    BuildRunner,
    Finished,
    FlashCommand,
    FlashNotFound,
    Output,
    Progress,
    SourceLocation,
    Started,
    clean,
    locate,
    package_report,
    recommend_exclusions,
    resolve_flash,
)
from ...runner.recommend import package_name
from ...core.model import Span
from ...core.query import endpoints
from ..convert import path_of, to_range, uri_of

if TYPE_CHECKING:
    from ...runner.report import PackageReport
    from ...core.project import ProjectModel
    from ..server import FlashLanguageServer
    from ..session import ProjectState
    from ..settings import Settings

log = logging.getLogger(__name__)

BUILD, PACKAGE, CANCEL, CLEAN = "flash.build", "flash.package", "flash.cancelBuild", "flash.clean"
SOURCE = "flash build"
DRIFT_CODE = "FL701"
GRACE_PERIOD = 1.0  # SIGTERM → SIGKILL; the group is gone well within 2 s
PROGRESS_CREATE_TIMEOUT = 5.0
MODEL_TIMEOUT = 2.0  # wait at most this long for pending analyses before mapping findings
DRIFT_ITEMS_SHOWN = 5
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
SOURCE_LABELS = {
    "setting": "flash.interpreter setting",
    "client": "interpreter selected in the editor",
    "project-venv": "the project's .venv",
    "path": "python3 on PATH",
}
_FAILED_PARSE = re.compile(r"Failed to parse (?P<name>[^:/\\]+\.py)")


# -- locating findings -----------------------------------------------------------------------------


class BuildLocator:
    """Where a finding of the build belongs in the current model (a `Locator` for `locate`)."""

    def __init__(self, root: Path, model: ProjectModel | None) -> None:
        self.root = root
        self.model = model

    def __call__(self, finding: BuildFinding) -> list[SourceLocation]:
        return self.find(finding) or self.fallback(finding)

    def find(self, f: BuildFinding) -> list[SourceLocation]:
        names = f.functions or ((f.function,) if f.function else ())
        if f.kind == "duplicate_function":
            return self._functions(names, None, decorator=False)
        if f.kind in ("duplicate_route", "reserved_path", "lb_without_route"):
            return self._functions(names, f.resource, decorator=True)
        if f.kind in ("handler_syntax_error", "handler_generation_failed"):
            return self._resource_names(f.resources or ((f.resource,) if f.resource else ()))
        if f.kind == "syntax_error":  # "Failed to parse x.py": the dependency scan names the file only
            match = _FAILED_PARSE.search(f.message)
            return self._file_named(match["name"], f.line or 0) if match else []
        if f.kind == "requirement_failed" and f.requirement:
            return self._requirement(f.requirement)
        if f.kind in ("archive_too_large", "pip_failed", "exclusion_unmatched"):
            return self._requirements_txt()
        return []

    def fallback(self, f: BuildFinding | None = None) -> list[SourceLocation]:
        """main.py, else the first file with a Flash function: a project-level place."""
        if (self.root / "main.py").is_file():
            return [SourceLocation("main.py", 0)]
        first = next((fn.relpath for fn in self.model.functions), None) if self.model else None
        return [SourceLocation(first, 0)] if first else []

    def exists(self, relpath: str) -> bool:
        return (self.root / relpath).is_file()

    @staticmethod
    def _at(relpath: str, span: Span) -> SourceLocation:
        return SourceLocation(relpath, span.line, span.col, span.end_line, span.end_col)

    def _functions(self, names, resource: str | None, *, decorator: bool) -> list[SourceLocation]:
        if self.model is None or not names:
            return []
        matches = [fn for fn in self.model.functions if fn.name in names]
        if resource is not None:
            matches = [fn for fn in matches if str(fn.resource) == resource] or matches
        return [self._at(fn.relpath, fn.decl.decorator_span if decorator else fn.decl.span) for fn in matches]

    def _resource_names(self, resources) -> list[SourceLocation]:
        """The config's `name=` literal (else its variable); inline configs: the decorator."""
        if self.model is None:
            return []
        out = []
        for resource in resources:
            for key, assigns in self.model.discovery.registry.assignments.items():
                if str(key) == resource:
                    out += [self._at(rel, a.name_span or a.span) for rel, a in assigns]
            if not out:
                out += [self._at(fn.relpath, fn.decl.decorator_span) for fn in self.model.functions if str(fn.resource) == resource]
        return out

    def _file_named(self, name: str, line: int) -> list[SourceLocation]:
        files = list(self.model.files.files) if self.model else []
        found = [rel for rel in files if rel.rsplit("/", 1)[-1] == name]
        found.sort(key=lambda rel: (not rel.startswith("workers/"), rel))
        return [SourceLocation(found[0], line)] if found else []

    def _requirement(self, requirement: str) -> list[SourceLocation]:
        collected = list(self.model.requirements.collected) if self.model else []
        exact = [r for r in collected if r.text == requirement]
        wanted = package_name(requirement)
        same = exact or [r for r in collected if isinstance(r.text, str) and package_name(r.text) == wanted]
        if same:
            return [self._at(r.path, r.span) for r in same]
        return self._requirements_txt()

    def _requirements_txt(self) -> list[SourceLocation]:
        return [SourceLocation("requirements.txt", 0)] if self.exists("requirements.txt") else []


# -- work-done progress ----------------------------------------------------------------------------


class BuildProgress:
    """A server-initiated, cancellable work-done progress that is created and begun in its own task.

    Reports made before the client answered `window/workDoneProgress/create` are folded into
    `begin`; an end before that skips the progress altogether.
    """

    def __init__(self, ls: FlashLanguageServer, title: str, on_cancel: Callable[[], None]) -> None:
        self.ls = ls
        self.title = title
        self.on_cancel = on_cancel
        self.token = f"flash-build-{uuid.uuid4()}"
        window = ls.client_capabilities.window if ls.client_capabilities else None
        self.supported = bool(window and window.work_done_progress)
        self.state = "new"  # new → creating → active → ended | off
        self.latest: tuple[str, int] = ("Resolving the Python interpreter", 0)
        self.ended = False
        self.task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def open(self) -> None:
        if not self.supported:
            self.state = "off"
            return
        self._loop = asyncio.get_running_loop()
        self.state = "creating"
        self.task = self._loop.create_task(self._create(), name=f"{self.token}-create")

    async def _create(self) -> None:
        progress = self.ls.work_done_progress
        try:
            request = asyncio.ensure_future(progress.create_async(self.token))
            # asyncio.wait, not wait_for: a timed-out request must not be cancelled (pygls#621)
            done, _ = await asyncio.wait({request}, timeout=PROGRESS_CREATE_TIMEOUT)
            if request not in done:
                request.add_done_callback(_swallow)
                raise TimeoutError("no answer to window/workDoneProgress/create")
            request.result()
        except Exception as exc:  # noqa: BLE001 - a client without progress still gets the build
            log.warning("no work-done progress for the build: %s", exc)
            self.state = "off"
            return
        if self.ended:
            progress.tokens.pop(self.token, None)
            self.state = "ended"
            return
        message, percentage = self.latest
        progress.begin(
            self.token,
            types.WorkDoneProgressBegin(title=self.title, cancellable=True, message=message, percentage=percentage),
        )
        self.state = "active"
        future = progress.tokens.get(self.token)
        if future is not None:
            future.add_done_callback(self._token_done)

    def _token_done(self, future) -> None:
        if future.cancelled() and self.state == "active" and self._loop is not None:
            self._loop.call_soon_threadsafe(self.on_cancel)

    def report(self, message: str, percentage: int | None = None) -> None:
        self.latest = (message, self.latest[1] if percentage is None else percentage)
        if self.state == "active":
            self.ls.work_done_progress.report(
                self.token,
                types.WorkDoneProgressReport(message=message, percentage=self.latest[1], cancellable=True),
            )

    def end(self, message: str) -> None:
        if self.ended:
            return
        self.ended = True
        if self.state == "active":
            self.state = "ended"
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)


def _swallow(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()


# -- builds ----------------------------------------------------------------------------------------


@dataclass(eq=False)
class BuildJob:
    id: int
    command: str  # BUILD | PACKAGE
    state: ProjectState
    settings: Settings
    accepted: asyncio.Future
    progress: BuildProgress | None = None
    handle: BuildHandle | None = None
    flash: FlashCommand | None = None
    options: BuildOptions | None = None
    notes: list[str] = field(default_factory=list)
    log_lines: list[str] = field(default_factory=list)  # output not yet sent as window/logMessage
    cancel_requested: bool = False
    task: asyncio.Task | None = None

    @property
    def package(self) -> bool:
        return self.command == PACKAGE

    @property
    def name(self) -> str:
        return self.state.root.name


class BuildService:
    """The server's builds: at most one per project, each owned by a background task."""

    def __init__(self, ls: FlashLanguageServer) -> None:
        self.ls = ls
        self.runner = BuildRunner(grace_period=GRACE_PERIOD)
        self.jobs: dict[Path, BuildJob] = {}
        self.closed = False
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task] = set()

    # -- commands ----------------------------------------------------------------------------
    async def start(self, args: tuple, command: str) -> dict:
        ls = self.ls
        if self.closed:
            return {"started": False, "reason": "shutdown", "message": "The server is shutting down."}
        if not ls.trusted:
            message = (
                "Flash: `flash build` does not run in an untrusted workspace (it executes the project's code). "
                "Trust the workspace to build."
            )
            ls.show(message, types.MessageType.Warning)
            return {"started": False, "reason": "untrusted", "message": message}
        state = self.project(args)
        if state is None:
            message = "Flash: no Flash project found for this build; pass {project: <root or file URI>}."
            ls.show(message, types.MessageType.Warning)
            return {"started": False, "reason": "no-project", "message": message}
        current = self.jobs.get(state.root)
        if current is not None:
            message = (
                f"Flash: a build of {current.name} is already running (build {current.id}); "
                "cancel it first (Flash: Cancel Build)."
            )
            ls.show(message, types.MessageType.Info)
            return {"started": False, "reason": "already-running", "build": current.id, "message": message}
        loop = asyncio.get_running_loop()
        job = BuildJob(next(self._ids), command, state, ls.session.settings, loop.create_future())
        verb = "package" if job.package else "build"
        job.progress = BuildProgress(ls, f"Flash: {verb} {job.name}", partial(self.request_cancel, job))
        self.jobs[state.root] = job
        job.progress.open()  # before anything slow: `begin` goes out within one client round trip
        job.task = self._spawn(self._run(job), f"flash-{verb}-{job.id}")
        return await asyncio.shield(job.accepted)

    async def cancel(self, args: tuple) -> dict:
        state = self.project(args)
        job = self.jobs.get(state.root) if state is not None else None
        if job is None:
            return {"cancelled": False, "reason": "no build running"}
        self.request_cancel(job)
        if job.task is not None:
            await asyncio.wait({job.task}, timeout=10)  # wait, not wait_for: never cancel the build task
        return {"cancelled": True, "build": job.id, "project": state.uri}

    async def clean(self, args: tuple) -> dict:
        state = self.project(args)
        if state is None:
            return {"cleaned": False, "reason": "no-project", "removed": [], "errors": []}
        if state.root in self.jobs:
            message = f"Flash: {state.root.name} is being built; cancel the build before cleaning."
            self.ls.show(message, types.MessageType.Info)
            return {"cleaned": False, "reason": "build-running", "message": message, "removed": [], "errors": []}
        result = await asyncio.get_running_loop().run_in_executor(None, clean, state.root)
        removed = ", ".join(result.removed) if result.removed else "nothing to remove"
        self.ls.log(f"flash clean {state.root}: {removed}")
        if result.errors:
            self.ls.show(f"Flash: clean could not remove {'; '.join(result.errors)}", types.MessageType.Warning)
        return {"cleaned": not result.errors, "project": state.uri, "removed": list(result.removed), "errors": list(result.errors)}

    def project(self, args: tuple) -> ProjectState | None:
        """The project named by the argument (`{project}` / `{uri}` / a bare URI string), else the only one."""
        session = self.ls.session
        first = args[0] if args else None
        target = (first.get("project") or first.get("uri")) if isinstance(first, dict) else first
        if not isinstance(target, str):
            states = list(session.projects.values())
            return states[0] if len(states) == 1 else None
        path = path_of(target)
        if path is None:
            return None
        return session.projects.get(path.resolve()) or session.state_for(target)

    def request_cancel(self, job: BuildJob) -> None:
        if job.cancel_requested:
            return
        job.cancel_requested = True
        if job.progress is not None:
            job.progress.report("Cancelling")
        if job.handle is not None and not job.handle.done:
            self._spawn(job.handle.cancel(), f"flash-cancel-{job.id}")

    def shutdown(self) -> None:
        """Kill every build's process group now (synchronous: for the `shutdown` handler)."""
        self.closed = True
        self.runner.kill_all()

    # -- one build ---------------------------------------------------------------------------
    def _spawn(self, coro, name: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _accept(self, job: BuildJob, result: dict) -> None:
        if not job.accepted.done():
            job.accepted.set_result(result)

    def _refuse(self, job: BuildJob, reason: str, message: str, show: types.MessageType | None = None) -> None:
        if show is not None:
            self.ls.show(message, show)
        self.ls.log(message, types.MessageType.Warning)
        job.progress.end(message)
        self._accept(job, {"started": False, "reason": reason, "message": message})

    async def _run(self, job: BuildJob) -> None:
        try:
            await self._build(job)
        except Exception as exc:  # noqa: BLE001 - a failed build must not take the server down
            log.exception("flash build %s failed", job.id)
            self._refuse(job, "error", f"Flash: the build could not run: {exc}", types.MessageType.Error)
        finally:
            if not job.accepted.done():
                job.accepted.cancel()
            if self.jobs.get(job.state.root) is job:
                del self.jobs[job.state.root]

    async def _build(self, job: BuildJob) -> None:
        ls, state, settings = self.ls, job.state, job.settings
        setting = settings.interpreter if settings.interpreter != ls.client_interpreter else None
        try:
            job.flash = await resolve_flash(state.root, setting=setting, client_python=ls.client_interpreter)
        except FlashNotFound as exc:
            self._refuse(job, "flash-not-found", f"Flash: cannot build {job.name}. {exc}", types.MessageType.Error)
            return
        job.options = await self._options(job)
        if job.cancel_requested:
            self._refuse(job, "cancelled", f"Flash: build of {job.name} cancelled before it started")
            return
        handle = await self.runner.start(state.root, job.flash, job.options, partial(self._on_event, job))
        if isinstance(handle, AlreadyRunning):
            self._refuse(job, "already-running", f"Flash: {handle.message}", types.MessageType.Info)
            return
        job.handle = handle
        if handle.done:  # could not spawn
            finished = await handle.wait()
            self._refuse(job, "error", f"Flash: {finished.error}", types.MessageType.Error)
            return
        self._accept(job, {"started": True, "build": job.id, "project": state.uri, "command": list(handle.argv)})
        if job.cancel_requested:
            self._spawn(handle.cancel(), f"flash-cancel-{job.id}")
        finished = await handle.wait()
        await self._finish(job, finished)

    async def _options(self, job: BuildJob) -> BuildOptions:
        settings = job.settings
        exclude = list(settings.build_exclude)
        if job.package:
            model = await self._model(job.state)
            types_ = sorted({ep.resource_type for ep in endpoints(model) if ep.functions or ep.is_mothership}) if model else []
            requirements = [r.text for r in model.requirements.collected if isinstance(r.text, str)] if model else None
            advice = recommend_exclusions(
                types_, requirements=requirements, package=job.flash.package, version=job.flash.version
            )
            exclude += [p for p in advice.exclude if p not in exclude]
            job.notes.append(
                f"package: recommended exclusions {', '.join(advice.exclude) or 'none'}: {advice.reason}"
                + "".join(f" {c}" for c in advice.caveats)
            )
        return BuildOptions(
            exclude=tuple(exclude),
            keep_build=settings.keep_build or job.package,
            no_deps=settings.no_deps,
            output=settings.output,
            timeout=float(settings.build_timeout) if settings.build_timeout else None,
        )

    async def _model(self, state: ProjectState) -> ProjectModel | None:
        """The model once the analyses of the project's open documents have caught up (bounded)."""
        session = self.ls.session
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MODEL_TIMEOUT
        uris = [
            uri
            for uri in list(self.ls.workspace.text_documents)
            if (path := path_of(uri)) is not None and state.relpath(path.resolve()) is not None
        ]
        for uri in uris or [uri_of(state.root / "main.py")]:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await session.fresh(uri, timeout=remaining)
        return state.model

    def _output(self, job: BuildJob, line: str) -> None:
        """One line: a `flash/buildOutput` now; `window/logMessage` coalesced per event-loop turn
        (a pipe read of a chatty build gives hundreds of lines at once: one message, not hundreds)."""
        if self.closed:
            return
        self.ls.protocol.notify("flash/buildOutput", {"project": job.state.uri, "line": line, "build": job.id})
        if not job.log_lines:
            asyncio.get_running_loop().call_soon(self._flush_log, job)
        job.log_lines.append(line)

    def _flush_log(self, job: BuildJob) -> None:
        lines, job.log_lines = job.log_lines, []
        if lines and not self.closed:
            self.ls.log("\n".join(lines))

    def _on_event(self, job: BuildJob, event) -> None:
        if isinstance(event, Output):
            self._output(job, event.line)
        elif isinstance(event, Progress):
            if not self.closed:
                job.progress.report(event.message, event.percentage)
        elif isinstance(event, Started):
            flash = job.flash
            self._output(job, f"$ {shlex.join(event.argv)}")
            self._output(job, f"cwd: {event.cwd}")
            self._output(
                job,
                f"interpreter: {event.interpreter} (from {SOURCE_LABELS.get(event.interpreter_source, event.interpreter_source)}; "
                f"{event.package} {event.version}{', Python ' + flash.python_version if flash and flash.python_version else ''})",
            )
            for note in job.notes:
                self._output(job, note)
            if not self.closed:
                job.progress.report("Running flash build", 1)

    async def _finish(self, job: BuildJob, finished: Finished) -> None:
        ls, state = self.ls, job.state
        completed = finished.exit_code is not None and not (finished.cancelled or finished.timed_out or finished.error)
        report: PackageReport | None = None
        if completed and not self.closed:
            model = await self._model(state)
            by_uri = self._diagnostics(state, model, finished.findings)
            if job.package and finished.succeeded:
                predict = partial(_prediction, model)
                report = await asyncio.get_running_loop().run_in_executor(
                    None, partial(package_report, state.root, archive_name=job.options.output, predict=predict)
                )
                if report.drift is not None and report.drift.items:
                    self._add_drift(state, model, report, by_uri)
            if not self.closed:
                ls.session.set_external(state, SOURCE, by_uri)
        if self.closed:
            return
        summary = _summary(job, finished, report)
        self._output(job, summary)
        self._flush_log(job)
        job.progress.end(summary)
        if not finished.succeeded and not finished.cancelled:
            ls.show(f"Flash: {summary}. See the Flash build output.", types.MessageType.Error)
        ls.protocol.notify(
            "flash/buildFinished",
            {
                "project": state.uri,
                "build": job.id,
                "command": job.command,
                "exitCode": finished.exit_code,
                "cancelled": finished.cancelled,
                "timedOut": finished.timed_out,
                "error": finished.error,
                "durationMs": round(finished.duration * 1000),
                "findings": len(finished.findings),
                "report": report.to_dict() if report is not None else None,
                "reportMarkdown": report.to_markdown() if report is not None else None,
            },
        )

    # -- diagnostics -------------------------------------------------------------------------
    def _diagnostics(self, state: ProjectState, model, findings) -> dict[str, list[types.Diagnostic]]:
        locator = BuildLocator(state.root, model)
        out: dict[str, list[types.Diagnostic]] = {}
        for finding, places in locate(findings, locator):
            places = tuple(p for p in places if locator.exists(p.file)) or tuple(locator.fallback(finding))
            ranges = [(uri_of(state.root / p.file), self._range(state, p)) for p in places]
            for i, (uri, rng) in enumerate(ranges):
                related = [
                    types.DiagnosticRelatedInformation(types.Location(other_uri, other_rng), "also reported here")
                    for j, (other_uri, other_rng) in enumerate(ranges)
                    if j != i
                ]
                out.setdefault(uri, []).append(
                    types.Diagnostic(
                        range=rng,
                        message=finding.message,
                        severity=SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
                        code=finding.kind,
                        source=SOURCE,
                        related_information=related or None,
                    )
                )
        return out

    def _add_drift(self, state: ProjectState, model, report: PackageReport, by_uri: dict) -> None:
        items = report.drift.items
        shown = "; ".join(item.describe() for item in items[:DRIFT_ITEMS_SHOWN])
        more = f"; … and {len(items) - DRIFT_ITEMS_SHOWN} more" if len(items) > DRIFT_ITEMS_SHOWN else ""
        message = (
            f"flash build differs from Flash LSP's prediction ({len(items)} difference(s)): {shown}{more}. "
            "See the package report."
        )
        for place in BuildLocator(state.root, model).fallback()[:1]:
            by_uri.setdefault(uri_of(state.root / place.file), []).append(
                types.Diagnostic(
                    range=self._range(state, place),
                    message=message,
                    severity=types.DiagnosticSeverity.Warning,
                    code=DRIFT_CODE,
                    source=SOURCE,
                    data={"drift": report.drift.to_dict()["items"]},
                )
            )

    def _range(self, state: ProjectState, place: SourceLocation) -> types.Range:
        lines = self._lines(state, place.file)
        if place.end_line is None:  # the whole line
            line = min(max(place.line, 0), max(len(lines) - 1, 0))
            span = Span(line, 0, line, len(lines[line]) if lines else 0)
        else:
            span = Span(place.line, place.column, place.end_line, place.end_column or 0)
        return to_range(span, lines, self.ls.workspace.position_codec)

    def _lines(self, state: ProjectState, relpath: str) -> list[str]:
        uri = uri_of(state.root / relpath)
        doc = self.ls.workspace.text_documents.get(uri)
        if doc is not None:
            return doc.source.splitlines()
        try:
            return (state.root / relpath).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []


def _prediction(model: ProjectModel | None, root: Path) -> dict[str, Any]:
    if model is None:
        raise RuntimeError("the project has not been analysed")
    return {"manifest": model.manifest, "handlers": model.handlers.files, "files": model.files.files}


def _summary(job: BuildJob, finished: Finished, report: PackageReport | None) -> str:
    verb = "Package" if job.package else "Build"
    if finished.error:
        return f"{verb} of {job.name} could not run: {finished.error}"
    if finished.cancelled:
        return f"{verb} of {job.name} cancelled"
    if finished.timed_out:
        return f"{verb} of {job.name} timed out after {job.options.timeout:g} s"
    errors = [f for f in finished.findings if f.severity == "error"]
    warnings = [f for f in finished.findings if f.severity == "warning"]
    if not finished.succeeded:
        first = f": {errors[0].message}" if errors else ""
        return f"{verb} of {job.name} failed (exit code {finished.exit_code}){first}"
    text = f"{verb} of {job.name} succeeded in {finished.duration:.1f} s"
    if warnings:
        text += f" with {len(warnings)} warning(s)"
    if report is not None and report.archive_mib is not None:
        text += f"; {report.archive}: {report.archive_mib:.1f} MB of {report.limit_mb:g} MB"
        if report.drift is not None:
            text += "; no drift" if report.drift.no_drift else f"; {len(report.drift.items)} drift difference(s)"
    return text


# -- registration ----------------------------------------------------------------------------------


def service(ls: FlashLanguageServer) -> BuildService:
    return ls.flash_builds  # type: ignore[attr-defined]


def register(server: FlashLanguageServer) -> None:
    builds = BuildService(server)
    server.flash_builds = builds
    server.shutdown_hooks.append(builds.shutdown)
    atexit.register(builds.runner.kill_all)  # the process exits with builds running (no `shutdown`)

    # Handlers are unannotated: pygls resolves command annotations at runtime (get_type_hints).
    @server.command(BUILD)
    async def build(ls, *args):
        return await service(ls).start(args, BUILD)

    @server.command(PACKAGE)
    async def package(ls, *args):
        return await service(ls).start(args, PACKAGE)

    @server.command(CANCEL)
    async def cancel_build(ls, *args):
        return await service(ls).cancel(args)

    @server.command(CLEAN)
    async def clean_build(ls, *args):
        return await service(ls).clean(args)
