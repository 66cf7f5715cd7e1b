"""The per-project build lock: at most one `flash build` of a project across every Flash LSP process
of this user (two editors open on one project), not only within one server.

An exclusive `flock` on `<cache dir>/build-locks/<hash of the project's real path>.lock`,
which holds the owner as text (`pid N`, `started …`, `project …`). The runner hands the locked file
to the build supervisor, which keeps it open until every process of the build is gone; the kernel
drops the lock when its last holder exits, however it exits. Why the lock is not in `.flash/`, and
the rest of the process model: docs/builds.md.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

try:
    import fcntl
except ImportError:  # Windows: builds are not supported there; importing must still work
    fcntl = None

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LockHeld:
    """Another build of the project holds the lock; `holder` says who, as far as it is known."""

    holder: str

    @property
    def message(self) -> str:
        return f"a build of this project is already running ({self.holder})"


@dataclass
class BuildLock:
    """The held lock (`fd`), or `fd=None` when no lock could be taken (the build runs unlocked)."""

    fd: int | None

    def release(self) -> None:
        """Close this process's copy; the lock lasts while a process it was passed to keeps it."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def default_lock_dir() -> Path:
    """`$FLASH_LSP_CACHE_DIR/build-locks`, else in the user cache dir; `off` (no caches) does not
    turn the lock off."""
    base = os.environ.get("FLASH_LSP_CACHE_DIR")
    if not base or base == "off":
        base = platformdirs.user_cache_dir("flash-lsp")
    return Path(base) / "build-locks"


def lock_path(project_root: str, lock_dir: Path) -> Path:
    digest = hashlib.sha256(os.fsencode(os.path.realpath(project_root))).hexdigest()[:32]
    return lock_dir / f"{digest}.lock"


def acquire(project_root: str, lock_dir: Path | None = None) -> BuildLock | LockHeld:
    """Take the project's lock without waiting and record this process as its owner."""
    path = lock_path(project_root, lock_dir or default_lock_dir())
    if fcntl is None:
        return BuildLock(None)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        log.warning("no build lock (%s): builds of %s from other processes are not prevented", exc, project_root)
        return BuildLock(None)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner = os.pread(fd, 4096, 0)
        os.close(fd)
        return LockHeld(describe(owner))
    except OSError as exc:
        os.close(fd)
        log.warning("no build lock (%s): builds of %s from other processes are not prevented", exc, project_root)
        return BuildLock(None)
    started = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    record = f"pid {os.getpid()}\nstarted {started}\nproject {project_root}\n".encode("utf-8", "replace")
    os.ftruncate(fd, 0)
    os.pwrite(fd, record, 0)
    return BuildLock(fd)


def describe(owner: bytes) -> str:
    """`Flash LSP, pid N, started …` from a lock file's text; vaguer when it is not written yet."""
    fields = dict(line.partition(" ")[::2] for line in owner.decode("utf-8", "replace").splitlines())
    pid, started = fields.get("pid", "").strip(), fields.get("started", "").strip()[:40]
    if not started.isprintable():
        started = ""
    if not pid.isdigit():
        return "another Flash LSP process"
    return f"Flash LSP, pid {pid}" + (f", started {started}" if started else "")
