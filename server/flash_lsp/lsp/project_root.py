"""The Flash project a directory belongs to, found from the files themselves.

Clients pick the workspace root their own way: eglot without a version-control repository uses
the opened file's directory, so the root can be a subfolder such as `workers/gpu/`. `flash build`
runs in the directory that holds `main.py`, so a root without the project's markers is replaced by
the nearest ancestor that has them (see docs/editors.md, "Which folder is the project").
"""

from __future__ import annotations

from pathlib import Path

from .detect import MARKERS

MAX_LEVELS_UP = 8


def has_markers(directory: Path) -> bool:
    return any((directory / marker).is_file() for marker in MARKERS)


def flash_root(directory: Path) -> Path:
    """`directory` when it holds the markers, else its nearest ancestor that does (at most
    MAX_LEVELS_UP levels, never above the home directory or at the filesystem root), else
    `directory` itself."""
    if has_markers(directory):
        return directory
    home = Path.home()
    current = directory
    for _ in range(MAX_LEVELS_UP):
        parent = current.parent
        if parent == current or current == home or parent == Path(parent.anchor):
            break
        current = parent
        if has_markers(current):
            return current
    return directory
