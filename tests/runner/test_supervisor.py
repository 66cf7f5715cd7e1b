"""The build supervisor on its own, started the way the runner starts it (docs/builds.md)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from flash_lsp.runner.build_process import SUPERVISOR

from .conftest import WAIT, pid_alive, wait_for_pids


class Supervised:
    """`supervisor.py --control FD --grace S -- ARGV`, optionally after `prelude` (Python code)."""

    def __init__(self, argv: list[str], *, cwd: Path | None = None, env=None, prelude: str = "", grace=0.3) -> None:
        self.control, theirs = socket.socketpair()
        options = ["--control", str(theirs.fileno()), "--grace", str(grace), "--", *argv]
        if prelude:
            code = (
                f"import sys; sys.path.insert(0, {str(SUPERVISOR.parent)!r}); import supervisor; "
                f"{prelude}; supervisor.main(sys.argv[1:])"
            )
            command = [sys.executable, "-I", "-S", "-c", code, *options]
        else:
            command = [sys.executable, "-I", "-S", str(SUPERVISOR), *options]
        self.proc = subprocess.Popen(
            command, pass_fds=(theirs.fileno(),), cwd=cwd, env=env, start_new_session=True, stderr=subprocess.PIPE
        )
        theirs.close()
        self.control.settimeout(WAIT)
        self.reply = self.control.recv(1024).decode()

    def wait(self) -> int:
        code = self.proc.wait(WAIT)
        self.control.close()
        self.proc.stderr.close()
        return code


def test_the_exit_status_is_the_builds():
    run = Supervised([sys.executable, "-c", "import sys; sys.exit(3)"])
    assert run.reply.startswith("started ") and run.wait() == 3
    killed = Supervised([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"])
    assert killed.wait() == -signal.SIGKILL


def test_a_command_that_cannot_start_is_reported_on_the_socket(tmp_path):
    missing = str(tmp_path / "no-such-flash")
    run = Supervised([missing])
    assert run.reply.startswith(f"error cannot run {missing}: [Errno 2]")
    assert run.wait() == 127


def test_bad_usage_is_an_error_message_not_a_traceback():
    proc = subprocess.run([sys.executable, "-I", "-S", str(SUPERVISOR), "--grace", "1"], capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stderr.startswith("usage: supervisor.py --control FD")


def test_without_a_subreaper_termination_falls_back_to_the_process_group(project, fake, tmp_path):
    """The macOS path (forced here): SIGTERM, then SIGKILL after the grace period, to the build's group."""
    pidfile = tmp_path / "pids"
    env = {**os.environ, "FAKE_FLASH_MODE": "hang_stubborn", "FAKE_FLASH_PIDFILE": str(pidfile)}
    run = Supervised([*fake.argv, "build"], cwd=project, env=env, prelude="supervisor.become_subreaper = lambda: False")
    pids = wait_for_pids(pidfile, 2)
    assert len(pids) == 2 and int(run.reply.split()[1]) == pids[0]
    run.proc.send_signal(signal.SIGTERM)
    assert run.wait() == -signal.SIGKILL  # the stubborn build ignored SIGTERM
    assert not [pid for pid in pids if pid_alive(pid)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the subreaper is Linux only")
def test_eof_on_the_control_socket_terminates_the_build(project, fake, tmp_path):
    pidfile = tmp_path / "pids"
    env = {**os.environ, "FAKE_FLASH_MODE": "hang", "FAKE_FLASH_PIDFILE": str(pidfile)}
    run = Supervised([*fake.argv, "build"], cwd=project, env=env)
    pids = wait_for_pids(pidfile, 2)
    assert len(pids) == 2
    run.control.close()  # what the runner's death looks like
    assert run.wait() == -signal.SIGTERM
    assert not [pid for pid in pids if pid_alive(pid)]
