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


def project_root_for(path: Path, folders: list[Path]) -> Path:
    """The project a file belongs to: the nearest ancestor with main.py inside its workspace
    folder, else the folder; outside any folder, the nearest ancestor with main.py (at most
    5 levels up, never the filesystem root or home), else the file's directory."""
    folder = next((f for f in sorted(folders, key=lambda f: -len(f.parts)) if _within(path, f)), None)
    limit = folder if folder else None
    current = path.parent
    for _ in range(32 if limit else 5):
        if any((current / m).is_file() for m in MARKERS):
            return current
        if current == limit or current.parent == current or current == Path.home():
            break
        current = current.parent
    return folder or path.parent


def _within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False
