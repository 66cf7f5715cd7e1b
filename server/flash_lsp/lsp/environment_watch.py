"""Noticing a build interpreter that appears or changes while the folder is open: a `.venv`
created and filled after the project was opened, a package installed or removed
(docs/architecture.md, "A build interpreter that changes").

Two signals, either enough: file-watch events for an environment's files (the server registers
`ENVIRONMENT_GLOBS`; code-server sometimes delivers none), and a fingerprint of the candidate
interpreters' site-packages (`environment_stamp`, a few `stat`s) compared before an analysis that
follows disk events and every `POLL_S` seconds for every project (`poll`)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.environment import build_interpreters, environment_stamp

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger(__name__)

# a venv appears (`pyvenv.cfg`); a distribution is installed or removed (its `.dist-info` directory,
# made in a site-packages watched for long, and its RECORD, which pip and uv write last)
ENVIRONMENT_GLOBS = ("**/pyvenv.cfg", "**/*.dist-info", "**/*.dist-info/RECORD")
POLL_S = 3.0
NONE, SOME, INSTALL = 0, 1, 2  # what a changed file says about the environments


def environment_signal(path: Path) -> int:
    """INSTALL for a venv's `pyvenv.cfg` or a distribution's dist-info or RECORD (detect again),
    SOME for another file of a site-packages or dist-info (compare the fingerprint), else NONE."""
    if (
        path.name == "pyvenv.cfg"
        or path.suffix == ".dist-info"
        or (path.name == "RECORD" and path.parent.suffix == ".dist-info")
    ):
        return INSTALL
    return SOME if "site-packages" in path.parts or path.parent.suffix == ".dist-info" else NONE


class EnvironmentWatch:
    """The fingerprint of one project's candidate build interpreters, and where they live."""

    def __init__(self, root: Path, interpreter: str | None):
        self.root, self.interpreter = root, interpreter
        self.stamp = environment_stamp(root, interpreter)
        # where the candidate interpreters live: a venv directory, or the prefix above bin/python
        self.prefixes = tuple(
            str(c.absolute().parent.parent if c.name.startswith("python") else c.absolute())
            for c in build_interpreters(root, interpreter)
        )

    def signal(self, path: Path, signal: int) -> int:
        """`signal` (`environment_signal`) as it concerns this project: an INSTALL elsewhere than in
        its candidate interpreters only asks for the fingerprint to be compared."""
        if signal == INSTALL and not str(path).startswith(tuple(p + "/" for p in self.prefixes)):
            return SOME
        return signal

    def changed(self) -> bool:
        """Whether an interpreter changed since the last look."""
        stamp = environment_stamp(self.root, self.interpreter)
        if stamp == self.stamp:
            return False
        self.stamp = stamp
        return True


async def poll(session: Session) -> None:
    """Forever, every `POLL_S` seconds: analyse again each project whose build interpreters'
    fingerprint changed (file-watch events may never come; a project costs about 0.1 ms)."""
    while True:
        await asyncio.sleep(POLL_S)
        for state in list(session.projects.values()):
            try:
                changed = state.environment.changed()
            except Exception:  # noqa: BLE001 - one odd interpreter path must not end the poll
                log.exception("checking the build interpreters of %s failed", state.root)
                continue
            if changed:
                state.pending_environment = INSTALL
                session.schedule(state, 0)
