"""`flash.build`, `flash.package`, `flash.cancelBuild`, `flash.clean`: the user's real `flash build`
(`flash_lsp.runner`) wired to LSP.

* A build command checks workspace trust and single-flight (one build or package per project: a
  second request is rejected, not queued), then starts a background task and returns as soon as
  the build process runs: `{"started": true, "build": id}`, or `{"started": false, "reason": …}` for
  `untrusted`, `already-running`, `flash-not-found`, `no-project`, `cancelled`, `error`.
* The background task is never cancelled by a request: it owns the work-done progress
  (`lsp/progress.py`, created and begun at once, in parallel with resolving the interpreter, which
  runs a subprocess). Cancelling the progress in the client (`window/workDoneProgress/cancel`)
  cancels the build.
* Every output line goes out as `flash/buildOutput` and in a `window/logMessage` (the lines of one
  pipe read share one message), preceded by the exact command line, working directory and
  interpreter; progress messages are the build's own step
  lines (`flash_lsp.runner.progress`); the end is `flash/buildFinished` (with the package report for
  `flash.package`).
* The findings of a completed build become diagnostics (FL7xx, source `flash build`) at the code
  they concern (`lsp/build_diagnostics.py`), replacing the previous build's; a clean build clears
  them; edits move them or, on the edited lines, drop them (`lsp/build_findings_on_edits.py`). A
  cancelled or timed-out build leaves the previous ones in place. `flash.package` adds one FL701
  warning on main.py when the build dir differs from the prediction of the current model.
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
import shlex
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ...core.query import endpoints
from ...runner import (
    AlreadyRunning,
    BuildHandle,
    BuildOptions,
    BuildRunner,
    Finished,
    FlashCommand,
    FlashNotFound,
    Output,
    Progress,
    Started,
    clean,
    package_report,
    recommend_exclusions,
    resolve_flash,
)
from ..build_diagnostics import drift_diagnostics, finding_diagnostics
from ..build_findings_on_edits import BuildFindingsOnEdits
from ..build_summary import build_summary
from ..convert import path_of, uri_of
from ..progress import WorkDoneProgress
from ..unfinished_output import remove_unfinished_output, removed_note

if TYPE_CHECKING:
    from ...core.project import ProjectModel
    from ...runner.report import PackageReport
    from ..server import FlashLanguageServer
    from ..session import ProjectState
    from ..settings import Settings

log = logging.getLogger(__name__)

BUILD, PACKAGE, CANCEL, CLEAN = "flash.build", "flash.package", "flash.cancelBuild", "flash.clean"
GRACE_PERIOD = 1.0  # SIGTERM → SIGKILL; the group is gone well within 2 s
MODEL_TIMEOUT = 2.0  # wait at most this long for pending analyses before mapping findings
SOURCE_LABELS = {
    "setting": "flash.interpreter setting",
    "client": "interpreter selected in the editor",
    "project-venv": "the project's .venv",
    "path": "python3 on PATH",
}


@dataclass(eq=False)
class BuildJob:
    id: int
    command: str  # BUILD | PACKAGE
    state: ProjectState
    settings: Settings
    accepted: asyncio.Future
    progress: WorkDoneProgress | None = None
    handle: BuildHandle | None = None
    flash: FlashCommand | None = None
    options: BuildOptions | None = None
    notes: list[str] = field(default_factory=list)
    log_lines: list[str] = field(default_factory=list)  # output not yet sent as window/logMessage
    cancel_requested: bool = False
    task: asyncio.Task | None = None
    started_at: float = field(default_factory=time.time)  # output modified since then is this build's

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
        self.findings = BuildFindingsOnEdits(ls.session)
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
        job.progress = WorkDoneProgress(
            ls,
            f"Flash: {verb} {job.name}",
            "Resolving the Python interpreter",
            partial(self.request_cancel, job),
            token_prefix="flash-build",
        )
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
        return {
            "cleaned": not result.errors,
            "project": state.uri,
            "removed": list(result.removed),
            "errors": list(result.errors),
        }

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
            eps = endpoints(model) if model else []
            types_ = sorted({ep.resource_type for ep in eps if ep.functions or ep.is_mothership})
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
        if self.ls.shows_build_output:  # the client prints flash/buildOutput itself: no second copy in the log
            return
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
            label = SOURCE_LABELS.get(event.interpreter_source, event.interpreter_source)
            python = f", Python {flash.python_version}" if flash and flash.python_version else ""
            self._output(job, f"$ {shlex.join(event.argv)}")
            self._output(job, f"cwd: {event.cwd}")
            self._output(
                job,
                f"interpreter: {event.interpreter} (from {label}; {event.package} {event.version}{python})",
            )
            for note in job.notes:
                self._output(job, note)
            if not self.closed:
                tool = "rp flash deploy --build-only" if event.package == "runpod" else "flash build"
                job.progress.report(f"Running {tool}", 1)

    async def _finish(self, job: BuildJob, finished: Finished) -> None:
        ls, state = self.ls, job.state
        completed = finished.exit_code is not None and not (finished.cancelled or finished.timed_out or finished.error)
        report: PackageReport | None = None
        if completed and not self.closed:
            model = await self._model(state)
            lines_of = partial(ls.session.lines_of, state)
            found = finding_diagnostics(state.root, model, finished.findings, lines_of)
            if job.package and finished.succeeded:
                predict = partial(_prediction, model)
                report = await asyncio.get_running_loop().run_in_executor(
                    None, partial(package_report, state.root, archive_name=job.options.output, predict=predict)
                )
                found += drift_diagnostics(state.root, model, report, lines_of)
            if not self.closed:
                self.findings.set(state, found)
        removed = () if completed else await remove_unfinished_output(state.root, job.started_at, finished)
        if self.closed:
            return
        summary = build_summary(job, finished, report) + removed_note(removed)
        self._output(job, summary)
        self._flush_log(job)
        if ls.shows_build_output:  # the log keeps one line per build
            log.info("%s", summary)
        job.progress.end(summary)
        if not finished.succeeded and not finished.cancelled and not ls.shows_build_output:  # else the client's one
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
                "removed": list(removed),
                "summary": summary,
                "report": report.to_dict() if report is not None else None,
                "reportMarkdown": report.to_markdown() if report is not None else None,
            },
        )


def _prediction(model: ProjectModel | None, root: Path) -> dict[str, Any]:
    if model is None:
        raise RuntimeError("the project has not been analysed")
    return {"manifest": model.manifest, "handlers": model.handlers.files, "files": model.files.files}


# -- registration ----------------------------------------------------------------------------------


def register(server: FlashLanguageServer) -> None:
    builds = BuildService(server)
    server.flash_builds = builds
    server.shutdown_hooks.append(builds.shutdown)
    atexit.register(builds.runner.kill_all)  # the process exits with builds running (no `shutdown`)

    # Handlers are unannotated: pygls resolves command annotations at runtime (get_type_hints).
    @server.command(BUILD)
    async def build(ls, *args):
        return await ls.flash_builds.start(args, BUILD)

    @server.command(PACKAGE)
    async def package(ls, *args):
        return await ls.flash_builds.start(args, PACKAGE)

    @server.command(CANCEL)
    async def cancel_build(ls, *args):
        return await ls.flash_builds.cancel(args)

    @server.command(CLEAN)
    async def clean_build(ls, *args):
        return await ls.flash_builds.clean(args)
