"""`flash.clean`: remove build output, and nothing else.

Removes `<project>/.flash/.build` and the archives `<project>/.flash/*.tar.gz`. Keeps everything
else in `.flash/` (`flash_manifest.json` is used by `flash deploy`; 1.x keeps logs there). Symlinks
are unlinked, never followed. `remove_unfinished` removes the same kinds of output, but only those a
build that did not finish (cancelled, timed out) wrote: a killed build leaves a truncated archive.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

# file times come from the kernel's coarse clock, which can lag time.time() by a tick
MTIME_SLACK = 0.1


@dataclass(frozen=True)
class CleanResult:
    removed: tuple[str, ...]  # project-relative paths
    errors: tuple[str, ...] = ()


def _make_writable_and_retry(func, path, _exc_info) -> None:
    os.chmod(path, stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
    func(path)


def clean(project_root: str | os.PathLike[str]) -> CleanResult:
    root = Path(project_root)
    return _remove(root, _build_output(root))


def remove_unfinished(project_root: str | os.PathLike[str], since: float) -> CleanResult:
    """Remove the build output modified at or after `since` (a `time.time()`): what the build that
    started then wrote and did not finish. Older output (a previous, complete build) stays."""
    root = Path(project_root)
    return _remove(root, [t for t in _build_output(root) if _modified_since(t, since)])


def _build_output(root: Path) -> list[Path]:
    flash_dir = root / ".flash"
    if flash_dir.is_symlink() or not flash_dir.is_dir():
        return []
    return [flash_dir / ".build", *sorted(flash_dir.glob("*.tar.gz"))]


def _modified_since(path: Path, since: float) -> bool:
    try:
        return path.lstat().st_mtime >= since - MTIME_SLACK
    except OSError:
        return False


def _remove(root: Path, targets: list[Path]) -> CleanResult:
    removed: list[str] = []
    errors: list[str] = []
    for target in targets:
        rel = target.relative_to(root).as_posix()
        try:
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.is_dir():
                shutil.rmtree(target, onerror=_make_writable_and_retry)
            else:
                continue
            removed.append(rel)
        except OSError as exc:
            errors.append(f"{rel}: {exc}")
    return CleanResult(tuple(removed), tuple(errors))
