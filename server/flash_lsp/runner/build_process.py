"""Run the user's real `flash build` out of process and report it as events.

* The runner's direct child is the build supervisor (`supervisor.py`, in its own session), which
  runs the build in its own session / process group, cwd = project root, env = `os.environ` +
  `BUILD_ENV` + `BuildOptions.env`, stdin /dev/null, stdout/stderr the runner's pipes unchanged.
  The supervisor makes every process of the build die with the build, with a cancel and with the
  runner's process, even after `kill -9` (docs/builds.md). `Started.pid` is the build's own pid.
* Single-flight per project: while a build runs, `start()` for the same project root returns
  `AlreadyRunning` and starts nothing; across processes the project's build lock
  (`build_lock.py`) does the same. Rejecting (rather than queueing or restarting) keeps exactly
  one owner of `.flash/.build` and makes "what is running?" trivial; the caller can offer cancel.
* Output is read from the pipes with a protocol (`pipes.py`; not `Process.wait()`, which in 3.11
  waits for the pipes to close and so hangs while any grandchild holds them), decoded
  incrementally, split into lines, cleaned (`text.clean_line`) and reported one `Output` per line; `Progress` comes from the
  build's own step lines (`progress.py`), findings from `errors.py`.
* Cancel, timeout and `shutdown()` ask the supervisor to terminate every descendant: SIGTERM,
  SIGKILL after `grace_period`; the build ends when the supervisor has reaped them all. When the
  main process exits by itself, whatever it left behind is terminated too. The build's process
  group is killed directly only if the supervisor does not finish in time.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

from . import build_lock, procs
from .errors import FindingCollector
from .events import AlreadyRunning, BuildEvent, EventCallback, Finished, Output, Progress, Started
from .interpreter import FlashCommand
from .pipes import BuildProtocol
from .progress import RP_STEPS, STEPS, ProgressTracker
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
SUPERVISOR = Path(__file__).with_name("supervisor.py")
HANDSHAKE_TIMEOUT = 30.0  # the supervisor reports the build's pid (a loaded machine may be slow)
KILL_WAIT = 2.0  # after SIGKILL, how long the supervisor may take to reap the tree


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
        return flash.command(
            "flash", "deploy", "--build-only", *(["--exclude", ",".join(options.exclude)] if options.exclude else [])
        )
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


def supervised(argv: list[str], control_fd: int, grace: float) -> list[str]:
    """The supervisor's command line; `-I -S`: nothing from the environment or site-packages."""
    options = ["--control", str(control_fd), "--grace", str(grace), "--"]
    return [sys.executable, "-I", "-S", str(SUPERVISOR), *options, *argv]


async def _handshake(control: socket.socket) -> str:
    """The supervisor's one line, `started <pid>` or `error <message>`; "" if it said nothing."""
    loop = asyncio.get_running_loop()
    data = b""
    try:
        while not data.endswith(b"\n"):
            chunk = await asyncio.wait_for(loop.sock_recv(control, 1024), HANDSHAKE_TIMEOUT)
            if not chunk:
                break
            data += chunk
    except (asyncio.TimeoutError, OSError):
        return ""
    return data.decode("utf-8", "replace").strip()


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
        self._control: socket.socket | None = None  # EOF on its peer tells the supervisor to stop
        self._on_event = on_event
        self._cancel = asyncio.Event()
        self._done: asyncio.Future[Finished] = asyncio.get_running_loop().create_future()
        self._progress = ProgressTracker(RP_STEPS if flash.package == "runpod" else STEPS)
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

    def _close_control(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None

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

    def __init__(
        self,
        *,
        grace_period: float = 1.0,
        drain_timeout: float = 2.0,
        tail_lines: int = 40,
        lock_dir: Path | None = None,
    ) -> None:
        self.grace_period = grace_period
        self.drain_timeout = drain_timeout
        self.tail_lines = tail_lines
        self.lock_dir = lock_dir  # None: the user's cache dir (build_lock.default_lock_dir)
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
        lock = build_lock.acquire(key, self.lock_dir)
        if isinstance(lock, build_lock.LockHeld):
            return AlreadyRunning(key, None, lock.message)
        argv = build_args(flash, options)
        handle = BuildHandle(next(self._ids), key, argv, flash, options, on_event, self.tail_lines)
        self._running[key] = handle  # reserved before the first await: single-flight holds under races
        env = {**os.environ, **BUILD_ENV, **options.env}
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair()
        try:
            transport, protocol = await loop.subprocess_exec(
                lambda: BuildProtocol(handle),
                *supervised(argv, theirs.fileno(), self.grace_period),
                cwd=key,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
                pass_fds=(theirs.fileno(),) + ((lock.fd,) if lock.fd is not None else ()),
            )
        except (OSError, ValueError) as exc:
            ours.close()
            return self._failed(handle, f"cannot run {argv[0]}: {exc}")
        finally:
            theirs.close()
            lock.release()  # the supervisor holds it now
        handle._control = ours
        ours.setblocking(False)
        try:
            reply = await _handshake(ours)
        except asyncio.CancelledError:
            handle._close_control()  # EOF: the supervisor terminates whatever it started
            transport.close()
            self._running.pop(key, None)
            raise
        if not reply.startswith("started "):
            handle._close_control()
            await asyncio.wait({protocol.closed}, timeout=self.drain_timeout)
            transport.close()
            said = clean_line(handle._early[-1][0]) if handle._early else "no reply"
            return self._failed(handle, reply[len("error ") :] if reply else f"the build supervisor failed: {said}")
        handle.pid = int(reply.split()[1])
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

    def _failed(self, handle: BuildHandle, error: str) -> BuildHandle:
        """The build could not be started: `Started` without a pid, then `Finished` with `error`."""
        self._running.pop(handle.project_root, None)
        handle._early.clear()
        handle.started = self._started(handle, None)
        handle._emit(handle.started)
        handle._finish(None, error=error)
        return handle

    async def cancel(self, project_root: str | os.PathLike[str]) -> Finished | None:
        handle = self.get(project_root)
        return await handle.cancel() if handle else None

    async def shutdown(self) -> None:
        """Cancel every running build and wait until their process groups are gone."""
        handles = list(self._running.values())
        if handles:
            await asyncio.gather(*(h.cancel() for h in handles), return_exceptions=True)

    def kill_all(self) -> None:
        """Synchronous last resort (e.g. at interpreter exit): SIGKILL every build's group and tell
        each supervisor to terminate the rest of its tree."""
        for handle in list(self._running.values()):
            if handle.pid:
                procs.kill_group_now(handle.pid)
            handle._close_control()

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
        self, handle: BuildHandle, transport: asyncio.SubprocessTransport, protocol: BuildProtocol
    ) -> None:
        pgid = handle.pid  # the build's own process group: used only if the supervisor fails
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
                procs.signal_pid(transport.get_pid(), signal.SIGTERM)  # terminates the whole tree
                await asyncio.wait({protocol.exited}, timeout=self.grace_period + KILL_WAIT + self.drain_timeout)
            if procs.group_alive(pgid):
                await procs.terminate_group(pgid, self.grace_period)
            # Pipes close once the tree is gone; a process that escaped it may still hold one.
            await asyncio.wait({protocol.closed}, timeout=self.drain_timeout)
        except asyncio.CancelledError:
            procs.kill_group_now(pgid)
            raise
        finally:
            handle._close_control()  # a supervisor still running terminates what is left
            if not protocol.closed.done():
                transport.close()
            exit_code = transport.get_returncode()
            self._running.pop(handle.project_root, None)
            handle._finish(exit_code, cancelled=cancelled, timed_out=timed_out)
