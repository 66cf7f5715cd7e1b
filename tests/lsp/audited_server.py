"""Run the language server under an audit hook (`sys.addaudithook`) that records, one JSON line per
event into ``$FLASH_AUDIT_LOG``: processes started (with the lines of the requirements file a
resolver is given), sockets connected, files opened (with their mode) and files renamed, removed or
created. Used by tests/lsp/test_hostile_project.py.
"""

from __future__ import annotations

import json
import os
import sys
import threading

PROCESS_EVENTS = {"subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "os.fork", "os.forkpty"}
FILE_EVENTS = {
    "os.rename",
    "os.remove",
    "os.rmdir",
    "os.mkdir",
    "os.symlink",
    "os.link",
    "os.truncate",
    "shutil.rmtree",
}
_busy = threading.local()


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return repr(value)


def _requirements_of(args) -> list[str] | None:
    """The lines of the requirements file on a resolver's command line (pip's -r, uv's last argument)."""
    args = [_plain(a) for a in args or []]
    path = args[args.index("-r") + 1] if "-r" in args[:-1] else (args[-1] if "compile" in args else None)
    if not isinstance(path, str) or not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read().splitlines()


def main() -> None:
    fd = os.open(os.environ["FLASH_AUDIT_LOG"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def hook(event: str, args) -> None:
        if getattr(_busy, "on", False):
            return
        record = None
        if event in PROCESS_EVENTS:
            record = {"event": event, "args": _plain(args)}
            if event == "subprocess.Popen":
                _busy.on = True
                try:
                    record["requirements"] = _requirements_of(args[1])
                finally:
                    _busy.on = False
        elif event == "socket.connect":
            record = {"event": event, "address": _plain(args[1])}
        elif event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return
            record = {"event": event, "path": _plain(path), "mode": mode, "flags": flags}
        elif event in FILE_EVENTS:
            record = {"event": event, "args": _plain(args)}
        if record is not None:
            os.write(fd, (json.dumps(record) + "\n").encode())

    sys.addaudithook(hook)
    from flash_lsp.cli import main as cli_main

    sys.exit(cli_main(["serve"]))


if __name__ == "__main__":
    main()
