"""Where the Flash projects of a workspace are, without reading every file."""

from __future__ import annotations

import os
from pathlib import Path

ALWAYS_EXCLUDE = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".flash", ".mypy_cache", ".tox"})
MARKERS = ("main.py", "mothership.py")
MAX_DEPTH = 6


def find_projects(folder: Path) -> list[Path]:
    """Directories under `folder` that hold a Flash project (a main.py or mothership.py that
    imports Flash, or the folder itself when it uses tetra_rp anywhere near the top)."""
    found: list[Path] = []

    def walk(directory: Path, depth: int) -> None:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return
        names = {e.name for e in entries}
        if any(m in names for m in MARKERS) and _uses_flash(directory, entries):
            found.append(directory)
            return
        if depth >= MAX_DEPTH:
            return
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False) and entry.name not in ALWAYS_EXCLUDE and not entry.name.startswith("."):
                walk(Path(entry.path), depth + 1)

    walk(folder, 0)
    if not found and _uses_flash(folder, None):
        found.append(folder)
    return found


def _uses_flash(directory: Path, entries) -> bool:
    """A quick textual check of the top two levels for `tetra_rp`/`runpod_flash` or `@remote`."""
    for path in _python_files(directory, 2):
        try:
            head = path.read_text(encoding="utf-8", errors="ignore")[:20_000]
        except OSError:
            continue
        if "tetra_rp" in head or "runpod_flash" in head or "@remote" in head:
            return True
    return False


def _python_files(directory: Path, depth: int):
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_file() and entry.name.endswith(".py"):
            yield Path(entry.path)
    if depth > 1:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name not in ALWAYS_EXCLUDE and not entry.name.startswith("."):
                yield from _python_files(Path(entry.path), depth - 1)


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
