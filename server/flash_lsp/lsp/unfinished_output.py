"""What a build that did not finish leaves behind: a killed `flash build` leaves a truncated
`.flash/archive.tar.gz` (and a half-filled `.flash/.build`) that looks like a real one. After a
cancelled or timed-out build, the output it wrote is removed (see docs/builds.md)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from ..runner import Finished, remove_unfinished

log = logging.getLogger(__name__)


async def remove_unfinished_output(root: Path, started_at: float, finished: Finished) -> tuple[str, ...]:
    """Project-relative paths removed: the build output written since `started_at` by a build that
    was cancelled or timed out (nothing for any other end)."""
    if not (finished.cancelled or finished.timed_out):
        return ()
    result = await asyncio.get_running_loop().run_in_executor(None, remove_unfinished, root, started_at)
    for error in result.errors:
        log.warning("could not remove the unfinished build output %s", error)
    return result.removed


def removed_note(removed: tuple[str, ...]) -> str:
    """The end of the build's summary line that says what was removed."""
    return f"; removed the unfinished {', '.join(removed)}" if removed else ""
