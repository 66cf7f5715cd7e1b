"""`flash.clean`: remove build output, and nothing else.

Removes `<project>/.flash/.build` and the archives `<project>/.flash/*.tar.gz`. Keeps everything
else in `.flash/` (`flash_manifest.json` is used by `flash deploy`; 1.x keeps logs there). Symlinks
are unlinked, never followed.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CleanResult:
    removed: tuple[str, ...]  # project-relative paths
    errors: tuple[str, ...] = ()


def _make_writable_and_retry(func, path, _exc_info) -> None:
    os.chmod(path, stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
    func(path)


def clean(project_root: str | os.PathLike[str]) -> CleanResult:
    root = Path(project_root)
    flash_dir = root / ".flash"
    removed: list[str] = []
    errors: list[str] = []
    if flash_dir.is_symlink() or not flash_dir.is_dir():
        return CleanResult((), ())
    targets = [flash_dir / ".build", *sorted(flash_dir.glob("*.tar.gz"))]
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
