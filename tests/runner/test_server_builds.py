"""Builds started by a real `flash-lsp serve` (stdio, spoken to by a minimal JSON-RPC client here,
because the server is killed with SIGKILL mid-test): nothing of the build survives the server, and a
second server refuses to build the same project, saying who builds it.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pygls.uris import from_fs_path

from .conftest import TREE_SIZE, WAIT, pid_alive, wait_for_pids, wait_until_gone

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the subreaper is Linux only")


class StdioServer:
    """`python -m flash_lsp serve` and just enough of a client to run `flash.build`."""

    def __init__(self, project: Path, interpreter: Path, env: dict[str, str]) -> None:
        self.settings = {"interpreter": str(interpreter), "size": {"enable": False}}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flash_lsp", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "FLASH_LSP_LOG_LEVEL": "WARNING", **env},
        )
        self.ids = itertools.count(1)
        self.inbox: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        uri = from_fs_path(str(project))
        self.project_uri = uri
        self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": project.name}],
                "capabilities": {"window": {"workDoneProgress": True}},
                "initializationOptions": {"trusted": True, "settings": self.settings},
            },
        )
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    def build(self) -> dict:
        arguments = [{"project": self.project_uri}]
        return self.request("workspace/executeCommand", {"command": "flash.build", "arguments": arguments})

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params: dict):
        ident = next(self.ids)
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        while True:
            message = self.inbox.get(timeout=WAIT)
            assert message is not None, f"the server exited ({self.proc.poll()}) before answering {method}"
            if message.get("id") == ident and "method" not in message:
                assert "error" not in message, message
                return message["result"]
            if "method" in message and "id" in message:  # a request from the server
                items = message.get("params", {}).get("items", [])
                result = [self.settings] * len(items) if message["method"] == "workspace/configuration" else None
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while (line := stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line or length is None:
                self.inbox.put(None)
                return
            self.inbox.put(json.loads(stream.read(length)))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            pipe.close()


def test_kill_9_of_the_server_leaves_no_build_process(project, fake_venv, tmp_path, tree_env, closing):
    env, marker = tree_env
    env = {"FLASH_LSP_CACHE_DIR": str(tmp_path / "cache"), "FAKE_FLASH_MODE": "tree", **env}
    server = closing(StdioServer(project, fake_venv, env))
    assert server.build()["started"] is True
    pidfile = tmp_path / "pids"
    pids = wait_for_pids(pidfile, TREE_SIZE)
    assert len(pids) == TREE_SIZE and all(pid_alive(pid) for pid in pids)
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait()
    left = wait_until_gone(marker, pids, 15.0)
    assert left == [], f"survived kill -9 of the server: {left}"


def test_a_second_server_refuses_to_build_the_project(project, fake_venv, tmp_path, tree_env, closing):
    env, _ = tree_env
    common = {"FLASH_LSP_CACHE_DIR": str(tmp_path / "cache"), "FAKE_FLASH_MODE": "tree", **env}
    first = closing(StdioServer(project, fake_venv, common))
    assert first.build()["started"] is True
    second = closing(StdioServer(project, fake_venv, common))
    answer = second.build()
    assert answer["started"] is False and answer["reason"] == "already-running"
    assert re.fullmatch(
        rf"Flash: a build of this project is already running \(Flash LSP, pid {first.proc.pid}, started .+ UTC\)",
        answer["message"],
    ), answer
