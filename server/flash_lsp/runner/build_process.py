"""Run the user's real `flash build` out of process and report it as events.

* The build runs in its own session / process group (`start_new_session=True`), cwd = project root,
  env = `os.environ` + `BUILD_ENV` + `BuildOptions.env`; stdin is /dev/null.
* Single-flight per project: while a build runs, `start()` for the same project root returns
  `AlreadyRunning` and starts nothing. Rejecting (rather than queueing or restarting) keeps exactly
  one owner of `.flash/.build` and makes "what is running?" trivial; the caller can offer cancel.
* Output is read from the pipes with a protocol (not `Process.wait()`, which in 3.11 waits for the
  pipes to close and so hangs while any grandchild holds them), decoded incrementally, split into
  lines, cleaned (`text.clean_line`) and reported one `Output` per line; `Progress` comes from the
  build's own step lines (`progress.py`), findings from `errors.py`.
* Cancel, timeout and `shutdown()` terminate the whole group: SIGTERM, SIGKILL after
  `grace_period`, then wait until no (non-zombie) member is left. When the main process exits by
  itself, whatever it left behind in its group is terminated too.
"""

from __future__ import annotations

import asyncio
import codecs
import collections
import itertools
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from packaging.version import InvalidVersion, Version

from . import procs
from .errors import FindingCollector
from .events import AlreadyRunning, BuildEvent, EventCallback, Finished, Output, Progress, Started
from .interpreter import FlashCommand
from .progress import ProgressTracker
from .text import clean_line

log = logging.getLogger(__name__)

BUILD_ENV = {
    "NO_COLOR": "1",
    "TERM": "dumb",
    "COLUMNS": "200",
    "PYTHONUNBUFFERED": "1",
    "PYTHONIOENCODING": "utf-8",  # Rich's ✓/⚠ and panel borders must survive a C locale
}
DEFAULT_TIMEOUT = 1200.0  # pip alone may take 600 s in the real build
MAX_LINE = 1 << 20  # a "line" longer than this is reported in pieces


@dataclass(frozen=True)
class BuildOptions:
    """`flash build` options plus runner settings."""

    exclude: tuple[str, ...] = ()
    keep_build: bool = False
    no_deps: bool = False
    output: str | None = None  # archive file name inside .flash/
    timeout: float | None = DEFAULT_TIMEOUT
    env: Mapping[str, str] = field(default_factory=dict)


def _keeps_build_always(flash: FlashCommand) -> bool:
    """runpod-flash 1.1.1+ removed `--keep-build` and always keeps `.flash/.build`."""
    if flash.package != "runpod-flash":
        return False
    try:
        return Version(flash.version) >= Version("1.1.1")
    except InvalidVersion:
        return False


def build_args(flash: FlashCommand, options: BuildOptions) -> list[str]:
    """The full argv: Flash's prefix, `build`, then the options (runpod 2.0: `flash deploy
    --build-only`, which has no `--no-deps`, `--keep-build` or `-o`)."""
    if flash.package == "runpod":
        return flash.command("flash", "deploy", "--build-only", *(["--exclude", ",".join(options.exclude)] if options.exclude else []))
    args = ["build"]
    if options.no_deps:
        args.append("--no-deps")
    if options.keep_build and not _keeps_build_always(flash):
        args.append("--keep-build")
    if options.output:
        args += ["-o", options.output]
    if options.exclude:
        args += ["--exclude", ",".join(options.exclude)]
    return flash.command(*args)


class _LineSplitter:
    """Incremental UTF-8 decoding and splitting on newlines."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""

    def feed(self, data: bytes) -> list[str]:
        text = self._partial + self._decoder.decode(data)
        lines = text.split("\n")
        self._partial = lines.pop()
        if len(self._partial) > MAX_LINE:
            lines.append(self._partial)
            self._partial = ""
        return lines

    def flush(self) -> list[str]:
        text = self._partial + self._decoder.decode(b"", final=True)
        self._partial = ""
        return [text] if text else []


class _BuildProtocol(asyncio.SubprocessProtocol):
    """Pipes → lines; separate signals for "main process exited" and "everything closed"."""

    def __init__(self, handle: BuildHandle) -> None:
        loop = asyncio.get_running_loop()
        self.handle = handle
        self.exited: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.SubprocessTransport | None = None
        self._splitters = {1: _LineSplitter(), 2: _LineSplitter()}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        for line in self._splitters[fd].feed(data):
            self.handle._line(line, "stdout" if fd == 1 else "stderr")

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        splitter = self._splitters.get(fd)
        if splitter is not None:
            for line in splitter.flush():
                self.handle._line(line, "stdout" if fd == 1 else "stderr")

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


class BuildHandle:
    """One build: its `Started` facts, `wait()` for `Finished`, `cancel()`."""

    def __init__(
        self,
        build_id: int,
        project_root: str,
        argv: list[str],
        flash: FlashCommand,
        options: BuildOptions,
        on_event: EventCallback | None,
        tail_lines: int,
    ) -> None:
        self.build_id = build_id
        self.project_root = project_root
        self.argv = tuple(argv)
        self.flash = flash
        self.options = options
        self.pid: int | None = None
        self.started: Started | None = None
        self._on_event = on_event
        self._cancel = asyncio.Event()
        self._done: asyncio.Future[Finished] = asyncio.get_running_loop().create_future()
        self._progress = ProgressTracker()
        self._findings = FindingCollector(project_root)
        self._tail: collections.deque[str] = collections.deque(maxlen=tail_lines)
        self._early: list[tuple[str, str]] = []
        self._t0 = time.monotonic()

    @property
    def done(self) -> bool:
        return self._done.done()

    async def wait(self) -> Finished:
        return await asyncio.shield(self._done)

    async def cancel(self) -> Finished:
        """Kill the build's process group; returns once the group is gone."""
        self._cancel.set()
        return await self.wait()

    def _emit(self, event: BuildEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:  # a broken consumer must not break the build
            log.exception("build event callback failed")

    def _line(self, raw: str, stream: str) -> None:
        if self._done.done():  # pipes closed late by transport.close(): Finished is the last event
            return
        if self.started is None:  # output can arrive before start() has reported Started
            self._early.append((raw, stream))
            return
        line = clean_line(raw)
        self._tail.append(line)
        self._emit(Output(self.build_id, line, stream))
        step = self._progress.feed(line)
        if step is not None:
            self._emit(Progress(self.build_id, step[0], step[1]))
        self._findings.feed(line)

    def _finish(
        self, exit_code: int | None, *, cancelled: bool = False, timed_out: bool = False, error: str | None = None
    ) -> Finished:
        finished = Finished(
            build_id=self.build_id,
            exit_code=exit_code,
            cancelled=cancelled,
            timed_out=timed_out,
            duration=time.monotonic() - self._t0,
            findings=tuple(self._findings.findings()),
            tail=tuple(self._tail),
            error=error,
        )
        self._emit(finished)
        if not self._done.done():
            self._done.set_result(finished)
        return finished


class BuildRunner:
    """Runs builds, at most one per project root."""

    def __init__(self, *, grace_period: float = 1.0, drain_timeout: float = 2.0, tail_lines: int = 40) -> None:
        self.grace_period = grace_period
        self.drain_timeout = drain_timeout
        self.tail_lines = tail_lines
        self._running: dict[str, BuildHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)

    @staticmethod
    def key(project_root: str | os.PathLike[str]) -> str:
        return os.path.realpath(project_root)

    def get(self, project_root: str | os.PathLike[str]) -> BuildHandle | None:
        return self._running.get(self.key(project_root))

    def running(self) -> list[BuildHandle]:
        return list(self._running.values())

    async def start(
        self,
        project_root: str | os.PathLike[str],
        flash: FlashCommand,
        options: BuildOptions | None = None,
        on_event: EventCallback | None = None,
    ) -> BuildHandle | AlreadyRunning:
        """Spawn `flash build`; the first event is `Started`. Returns at once (does not wait)."""
        options = options or BuildOptions()
        key = self.key(project_root)
        current = self._running.get(key)
        if current is not None:
            return AlreadyRunning(key, current.build_id, f"build already running for {key} (build {current.build_id})")
        argv = build_args(flash, options)
        handle = BuildHandle(next(self._ids), key, argv, flash, options, on_event, self.tail_lines)
        self._running[key] = handle  # reserved before the first await: single-flight holds under races
        env = {**os.environ, **BUILD_ENV, **options.env}
        loop = asyncio.get_running_loop()
        try:
            transport, protocol = await loop.subprocess_exec(
                lambda: _BuildProtocol(handle),
                *argv,
                cwd=key,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
        except (OSError, ValueError) as exc:
            self._running.pop(key, None)
            handle.started = self._started(handle, None)
            handle._emit(handle.started)
            handle._finish(None, error=f"cannot run {argv[0]}: {exc}")
            return handle
        handle.pid = transport.get_pid()
        handle._t0 = time.monotonic()
        handle.started = self._started(handle, handle.pid)
        handle._emit(handle.started)
        for raw, stream in handle._early:
            handle._line(raw, stream)
        handle._early.clear()
        task = asyncio.create_task(self._supervise(handle, transport, protocol), name=f"flash-build-{handle.build_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return handle

    async def run(
        self,
        project_root: str | os.PathLike[str],
        flash: FlashCommand,
        options: BuildOptions | None = None,
        on_event: EventCallback | None = None,
    ) -> Finished | AlreadyRunning:
        """`start()` and wait for the end."""
        handle = await self.start(project_root, flash, options, on_event)
        return handle if isinstance(handle, AlreadyRunning) else await handle.wait()

    async def cancel(self, project_root: str | os.PathLike[str]) -> Finished | None:
        handle = self.get(project_root)
        return await handle.cancel() if handle else None

    async def shutdown(self) -> None:
        """Cancel every running build and wait until their process groups are gone."""
        handles = list(self._running.values())
        if handles:
            await asyncio.gather(*(h.cancel() for h in handles), return_exceptions=True)

    def kill_all(self) -> None:
        """Synchronous last resort (e.g. at interpreter exit): SIGKILL every build's group."""
        for handle in list(self._running.values()):
            if handle.pid:
                procs.kill_group_now(handle.pid)

    @staticmethod
    def _started(handle: BuildHandle, pid: int | None) -> Started:
        flash = handle.flash
        return Started(
            build_id=handle.build_id,
            project_root=handle.project_root,
            argv=handle.argv,
            cwd=handle.project_root,
            interpreter=flash.interpreter,
            interpreter_source=flash.interpreter_source,
            package=flash.package,
            version=flash.version,
            pid=pid,
        )

    async def _supervise(
        self, handle: BuildHandle, transport: asyncio.SubprocessTransport, protocol: _BuildProtocol
    ) -> None:
        pgid = handle.pid
        assert pgid is not None
        cancelled = timed_out = False
        try:
            cancel_wait = asyncio.ensure_future(handle._cancel.wait())
            done, _ = await asyncio.wait(
                {protocol.exited, cancel_wait}, timeout=handle.options.timeout, return_when=asyncio.FIRST_COMPLETED
            )
            cancel_wait.cancel()
            if not protocol.exited.done():
                cancelled = cancel_wait in done
                timed_out = not cancelled
                await procs.terminate_group(pgid, self.grace_period)
                await asyncio.wait({protocol.exited}, timeout=self.drain_timeout)
            elif procs.group_alive(pgid):
                await procs.terminate_group(pgid, self.grace_period)
            # Pipes close once the group is gone; a process that left the group may still hold one.
            await asyncio.wait({protocol.closed}, timeout=self.drain_timeout)
        except asyncio.CancelledError:
            procs.kill_group_now(pgid)
            raise
        finally:
            if not protocol.closed.done():
                transport.close()
            exit_code = transport.get_returncode()
            self._running.pop(handle.project_root, None)
            handle._finish(exit_code, cancelled=cancelled, timed_out=timed_out)
