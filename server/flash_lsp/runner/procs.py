"""Process-group helpers: is a group (or pid) still alive, and terminate it TERM → grace → KILL.

Zombies count as dead: in containers whose PID 1 does not reap, a killed orphan stays a zombie
forever, and `kill(pid, 0)` still succeeds on it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from .supervisor import is_zombie, proc_stat

_HAVE_PROC = sys.platform.startswith("linux") and os.path.isdir("/proc")


def pid_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if _HAVE_PROC:
        stat = proc_stat(pid)
        return stat is not None and not is_zombie(stat[0])
    return True


def group_alive(pgid: int) -> bool:
    """True if any non-zombie process is still in process group `pgid`."""
    if _HAVE_PROC:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                stat = proc_stat(entry.name)
                if stat is not None and stat[2] == pgid and not is_zombie(stat[0]):
                    return True
        return False
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_pid(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


async def wait_group_gone(pgid: int, timeout: float) -> bool:
    """Poll until the group is gone or `timeout` passes; True if gone."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.005
    while group_alive(pgid):
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.05)
    return True


async def terminate_group(pgid: int, grace: float, kill_wait: float = 2.0) -> bool:
    """SIGTERM the whole group, SIGKILL what is left after `grace` seconds; True if it is gone."""
    signal_group(pgid, signal.SIGTERM)
    if await wait_group_gone(pgid, grace):
        return True
    signal_group(pgid, signal.SIGKILL)
    return await wait_group_gone(pgid, kill_wait)


def kill_group_now(pgid: int) -> None:
    """Synchronous last resort (interpreter exit): SIGKILL the group, do not wait."""
    signal_group(pgid, signal.SIGKILL)
