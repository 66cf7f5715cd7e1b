"""Events a build reports through its callback: plain, immutable value objects.

Order per build: one `Started`, then any number of `Output` and `Progress`, then one `Finished`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .errors import BuildFinding


@dataclass(frozen=True)
class Started:
    """The exact command that runs: argv, working directory, interpreter and Flash package."""

    build_id: int
    project_root: str
    argv: tuple[str, ...]
    cwd: str
    interpreter: str
    interpreter_source: str
    package: str
    version: str
    pid: int | None  # None when the process could not be spawned (see Finished.error)


@dataclass(frozen=True)
class Output:
    """One line of build output, ANSI codes and spinner frames removed."""

    build_id: int
    line: str
    stream: str  # "stdout" | "stderr"


@dataclass(frozen=True)
class Progress:
    """A step of the build, derived from the build's own step lines; percentage only grows."""

    build_id: int
    percentage: int
    message: str


@dataclass(frozen=True)
class Finished:
    """The end of a build. `exit_code` is negative (-signal) when the process was killed."""

    build_id: int
    exit_code: int | None
    cancelled: bool
    timed_out: bool
    duration: float
    findings: tuple[BuildFinding, ...] = ()
    tail: tuple[str, ...] = ()  # last output lines, for an error notification
    error: str | None = None  # the process could not be started

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0 and not (self.cancelled or self.timed_out or self.error)


@dataclass(frozen=True)
class AlreadyRunning:
    """Result of `BuildRunner.start` when the project already has a build running (single-flight)."""

    project_root: str
    running_build_id: int | None  # None: the build runs in another process (the project's build lock)
    message: str = field(default="build already running")


BuildEvent = Started | Output | Progress | Finished
EventCallback = Callable[[BuildEvent], None]
