"""The order in which a filesystem lists a directory, as far as the build's scan depends on it
(docs/tetra-build.md, "Directory order").

The build copies the shipped files into `.flash/.build` in the order it walked the project and
then scans that copy. Where listing order follows names (ext4's hashed directories), the copy lists
like the project. tmpfs lists a directory newest first, so the copy lists each directory in the
reverse of the order the walk met its entries. The filesystem is read from /proc/mounts; nothing
is written to find out.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

NEWEST_FIRST = frozenset({"tmpfs"})
_ESCAPE = re.compile(r"\\([0-7]{3})")


def filesystem_of(path: Path, mounts: str = "/proc/mounts") -> str | None:
    """The type of the filesystem holding `path` (the longest mount point above it), or None."""
    try:
        with open(mounts, encoding="utf-8", errors="replace") as handle:
            table = handle.read()
    except OSError:
        return None
    target = os.path.realpath(path)
    best, kind = "", None
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), fields[1])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def as_build_copy_lists(entries: list, filesystem: str | None) -> list:
    """The walk's entries (`(path, None)` files, `(path, children)` directories) in the order the
    build directory lists them on `filesystem`."""
    if filesystem not in NEWEST_FIRST:
        return entries
    return [(rel, None if sub is None else as_build_copy_lists(sub, filesystem)) for rel, sub in reversed(entries)]
