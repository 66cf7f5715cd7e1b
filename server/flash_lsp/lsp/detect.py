"""Which Flash project a file belongs to (finding them all when a folder opens: `project_search`)."""

from __future__ import annotations

import os
from pathlib import Path

MARKERS = ("main.py", "mothership.py")
# outside every workspace folder: what marks a project, how far up to look and how large it may be
BOUNDARY_MARKERS = (".git", "pyproject.toml", "requirements.txt", ".flashignore")
STRAY_LEVELS = 4
STRAY_MAX_FILES = 50_000


def project_root_for(path: Path, folders: list[Path]) -> tuple[Path, bool]:
    """(root, alone) for a file. Inside a workspace folder: the nearest ancestor with main.py or
    mothership.py up to the folder, else the folder, unless it has more than `STRAY_MAX_FILES`
    entries (a home directory opened as a folder). Outside every folder: the nearest Flash project
    at most `STRAY_LEVELS` up, not past a project boundary (`.git`, `pyproject.toml`, …), the home
    directory or `/`, and of at most `STRAY_MAX_FILES` entries. Otherwise the file is analysed
    alone (`alone` True, root its directory)."""
    folder = next((f for f in sorted(folders, key=lambda f: -len(f.parts)) if _within(path, f)), None)
    if folder is not None:
        current = path.parent
        while current != folder and _within(current, folder):
            if _has_any(current, MARKERS):
                return current, False
            current = current.parent
        if _has_any(folder, MARKERS) or _small(folder):
            return folder, False
        return path.parent, True  # no project marker between the file and a large folder
    home = _home()
    current = path.parent
    for _ in range(STRAY_LEVELS + 1):
        if current == home or current.parent == current:
            break
        if _has_any(current, MARKERS):
            return (current, False) if _small(current) else (path.parent, True)
        if _has_any(current, BOUNDARY_MARKERS):
            break
        current = current.parent
    return path.parent, True


def _has_any(directory: Path, names: tuple[str, ...]) -> bool:
    try:
        return any(os.path.lexists(directory / name) for name in names)
    except (OSError, ValueError):
        return False


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (OSError, RuntimeError):
        return None


def _small(root: Path) -> bool:
    """Whether `root` holds at most `STRAY_MAX_FILES` entries, virtualenvs included (the build ships them)."""
    budget = STRAY_MAX_FILES
    todo = [root]
    while todo:
        try:
            with os.scandir(todo.pop()) as entries:
                for entry in entries:
                    budget -= 1
                    if budget < 0:
                        return False
                    if entry.is_dir(follow_symlinks=False):
                        todo.append(Path(entry.path))
        except OSError:
            continue
    return True


def _within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False
