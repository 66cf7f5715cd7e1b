"""The build supervisor: the runner's direct child. It runs `flash build` and makes sure that no
process of the build outlives the build, a cancel, or the language server (even after `kill -9`).

Started by `build_process.BuildRunner` as `python -I -S supervisor.py --control FD --grace S -- ARGV…`
(standard library only, so it starts fast and imports nothing from the project or site-packages).
The process model is described in docs/builds.md.

* Linux: `PR_SET_CHILD_SUBREAPER`, so every orphaned descendant, also one that called `setsid` or
  double-forked, is re-parented to the supervisor and stays findable as its descendant in `/proc`;
  `PR_SET_PDEATHSIG(SIGTERM)`, so the death of the runner is a termination request even when the
  control socket is still open somewhere.
* Elsewhere (macOS): no subreaper exists; termination signals the build's process group, so a
  descendant that left the group (`setsid`) can survive.
* CONTROL is one end of a socketpair whose other end only the runner holds. The supervisor writes
  one line on it, `started <pid>` or `error <message>`; EOF on it means the runner is gone.
* Termination (SIGTERM/SIGINT/SIGHUP, EOF on CONTROL): SIGTERM to every descendant, SIGKILL to
  what is left after the grace period, reap, exit. When the build's main process exits by itself,
  whatever it left behind is terminated the same way.
* The exit status mirrors the build's main process: killed by signal N, the supervisor dies of N.
* Every file descriptor the runner passes (the project's build lock) stays open here, and not in
  the build, until the supervisor exits, i.e. until the whole tree is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import selectors
import signal
import socket
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
KILL_ROUNDS_SECONDS = 10.0  # SIGKILL rounds until no descendant is left (a fork bomb would need more)
POLL = 0.02  # seconds between looks at the tree, at most
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def proc_stat(pid: int | str) -> tuple[bytes, int, int] | None:
    """(state, ppid, pgrp) from /proc/<pid>/stat, or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2 :].split()  # the command name may contain spaces and ")"
    return fields[0], int(fields[1]), int(fields[2])


def is_zombie(state: bytes) -> bool:
    return state in (b"Z", b"X")


def descendants(root: int) -> list[int]:
    """Every live (non-zombie) process below `root` in the parent tree, from one /proc snapshot.

    A zombie has no children (they are re-parented when it exits) and cannot be killed, only reaped.
    """
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = proc_stat(entry.name)
            if stat is not None and not is_zombie(stat[0]):
                children.setdefault(stat[1], []).append(int(entry.name))
    found: list[int] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            found.append(child)
            stack.append(child)
    return found


def _prctl(option: int, arg: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Linux: adopt orphaned descendants and get SIGTERM when the runner dies. False elsewhere."""
    if not sys.platform.startswith("linux") or not os.path.isdir("/proc"):
        return False
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


class Supervisor:
    def __init__(self, argv: list[str], control: socket.socket, grace: float) -> None:
        self.argv = argv
        self.control = control
        self.grace = grace
        self.tree = become_subreaper()  # find descendants through /proc, else by process group
        self.main_pid = 0
        self.main_status: int | None = None

    # -- the tree ----------------------------------------------------------------------------
    def reap(self) -> None:
        """Collect every exited child (the build's main process and adopted orphans)."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.main_pid:
                self.main_status = status

    def alive(self) -> list[int]:
        """Processes still to terminate: live descendants, or else the build's process group."""
        if self.tree:
            return descendants(os.getpid())
        try:
            os.killpg(self.main_pid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [self.main_pid]

    def signal_all(self, sig: int) -> None:
        targets = self.alive()
        for pid in targets:
            try:
                if self.tree:
                    os.kill(pid, sig)
                else:
                    os.killpg(pid, sig)  # the build is its own process group leader
            except (ProcessLookupError, PermissionError):
                pass

    def terminate(self) -> None:
        """SIGTERM everything, SIGKILL what is left after the grace period, reap until none is left."""
        self.reap()
        self.signal_all(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        delay = 0.002  # most builds are gone within milliseconds of SIGTERM
        while time.monotonic() < deadline and self.alive():
            time.sleep(delay)
            delay = min(delay * 2, POLL)
            self.reap()
        deadline = time.monotonic() + KILL_ROUNDS_SECONDS
        while time.monotonic() < deadline:
            self.reap()
            if not self.alive():
                break
            self.signal_all(signal.SIGKILL)  # orphans of this round are adopted and found next round
            time.sleep(POLL)
        self.reap()

    # -- the run -----------------------------------------------------------------------------
    def tell(self, line: str) -> None:
        try:
            self.control.sendall(line.encode("utf-8", "replace") + b"\n")
        except OSError:
            pass  # the runner is gone: EOF handling terminates the build

    def run(self) -> int | None:
        """Run the build to its end or until told to stop; the main process's wait status."""
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        for sig in (signal.SIGCHLD, *STOP_SIGNALS):
            signal.signal(sig, lambda *_: None)  # a Python handler, so the wakeup fd gets the signal
        try:
            # Its own session, as before the supervisor existed; stdin/stdout/stderr are ours.
            main = subprocess.Popen(self.argv, start_new_session=True)
        except (OSError, ValueError) as exc:
            self.tell(f"error cannot run {self.argv[0]}: {exc}")
            return None
        self.main_pid = main.pid
        self.tell(f"started {main.pid}")
        with selectors.DefaultSelector() as selector:
            selector.register(self.control, selectors.EVENT_READ)
            selector.register(wake_r, selectors.EVENT_READ)
            stop = False
            while not stop and self.main_status is None:
                for key, _ in selector.select():
                    if key.fileobj is self.control:
                        stop = stop or not self._recv()
                    else:
                        stop = stop or any(sig in STOP_SIGNALS for sig in _drain(wake_r))
                self.reap()
        self.terminate()
        return self.main_status

    def _recv(self) -> bool:
        """False on EOF (the runner is gone); the runner sends nothing else."""
        try:
            return bool(self.control.recv(4096))
        except BlockingIOError:
            return True
        except OSError:
            return False


def _drain(fd: int) -> bytes:
    data = b""
    while True:
        try:
            chunk = os.read(fd, 512)
        except BlockingIOError:
            return data
        if not chunk:
            return data
        data += chunk


def exit_like(status: int | None) -> None:
    """Exit with the build's code, or die of the signal that killed it."""
    if status is None:
        sys.exit(127)
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        if -code in STOP_SIGNALS:
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        code = 128 - code  # only reached for a signal whose default action is not to terminate
    sys.exit(code)


def parse(args: list[str]) -> tuple[int, float, list[str]]:
    """`--control FD [--grace SECONDS] -- ARGV…`; by hand, because every build would wait for
    argparse's imports (re, gettext)."""
    options: dict[str, str] = {}
    while args and args[0] != "--":
        if len(args) < 2 or args[0] not in ("--control", "--grace"):
            raise SystemExit(f"usage: supervisor.py --control FD [--grace SECONDS] -- ARGV... (got {args[0]!r})")
        options[args[0]] = args[1]
        args = args[2:]
    if "--control" not in options or len(args) < 2:
        raise SystemExit("usage: supervisor.py --control FD [--grace SECONDS] -- ARGV...")
    return int(options["--control"]), float(options.get("--grace", "1.0")), args[1:]


def main(args: list[str]) -> None:
    control_fd, grace, argv = parse(args)
    control = socket.socket(fileno=control_fd)
    control.setblocking(False)
    os.set_inheritable(control.fileno(), False)
    supervisor = Supervisor(argv, control, grace)
    try:
        status = supervisor.run()
    except BaseException:  # a bug here must not leave the build running unsupervised
        if supervisor.main_pid:
            with contextlib.suppress(OSError):
                os.killpg(supervisor.main_pid, signal.SIGKILL)
        raise
    exit_like(status)


if __name__ == "__main__":
    main(sys.argv[1:])
