"""Which Flash project a file belongs to (finding them all when a folder opens: `project_search`)."""

from __future__ import annotations

from pathlib import Path

MARKERS = ("main.py", "mothership.py")


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
