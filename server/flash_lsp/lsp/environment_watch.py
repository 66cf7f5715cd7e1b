"""Noticing a build interpreter that appears or changes while the folder is open: a `.venv`
created and filled after the project was opened, a package installed or removed
(docs/architecture.md, "A build interpreter that changes").

Two signals, either enough: file-watch events for an environment's files (the server registers
`ENVIRONMENT_GLOBS`; the events may be lost or arrive late), and a fingerprint of the candidate
interpreters' site-packages (`environment_stamp`, a few `stat`s) compared before an analysis that
follows disk events, and at most every `CHECK_S` seconds otherwise (edits only)."""

from __future__ import annotations

import time
from pathlib import Path

from ..core.environment import environment_stamp

# a venv appears (`pyvenv.cfg`), a distribution is installed or removed (pip and uv write RECORD last)
ENVIRONMENT_GLOBS = ("**/pyvenv.cfg", "**/*.dist-info/RECORD")
CHECK_S = 2.0


def is_environment_path(path: Path) -> bool:
    """Whether a changed file belongs to a Python environment rather than to a project."""
    return path.name == "pyvenv.cfg" or "site-packages" in path.parts or path.parent.name.endswith(".dist-info")


class EnvironmentWatch:
    """The fingerprint of one project's candidate build interpreters, and when it was taken."""

    def __init__(self, root: Path, interpreter: str | None):
        self.root, self.interpreter = root, interpreter
        self.stamp = environment_stamp(root, interpreter)
        self.checked = time.monotonic()

    def changed(self, now_due: bool = False) -> bool:
        """Whether an interpreter changed since the last look (`now_due`: look even if one was
        taken less than `CHECK_S` seconds ago)."""
        now = time.monotonic()
        if not now_due and now - self.checked < CHECK_S:
            return False
        self.checked = now
        stamp = environment_stamp(self.root, self.interpreter)
        if stamp == self.stamp:
            return False
        self.stamp = stamp
        return True
