"""The build's stdout/stderr pipes as lines: incremental UTF-8 decoding, splitting on newlines, and
separate signals for "the process exited" and "every pipe is closed"."""

from __future__ import annotations

import asyncio
import codecs
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .build_process import BuildHandle

MAX_LINE = 1 << 20  # a "line" longer than this is reported in pieces


class LineSplitter:
    """Incremental UTF-8 decoding and splitting on newlines."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""

    def feed(self, data: bytes) -> list[str]:
        text = self._partial + self._decoder.decode(data)
        lines = text.split("\n")
        self._partial = lines.pop()
        if len(self._partial) > MAX_LINE:
            lines.append(self._partial)
            self._partial = ""
        return lines

    def flush(self) -> list[str]:
        text = self._partial + self._decoder.decode(b"", final=True)
        self._partial = ""
        return [text] if text else []


class BuildProtocol(asyncio.SubprocessProtocol):
    """Pipes → `handle._line`; `exited` when the (supervisor) process exits, `closed` when every pipe is."""

    def __init__(self, handle: BuildHandle) -> None:
        loop = asyncio.get_running_loop()
        self.handle = handle
        self.exited: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.SubprocessTransport | None = None
        self._splitters = {1: LineSplitter(), 2: LineSplitter()}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        for line in self._splitters[fd].feed(data):
            self.handle._line(line, "stdout" if fd == 1 else "stderr")

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        splitter = self._splitters.get(fd)
        if splitter is not None:
            for line in splitter.flush():
                self.handle._line(line, "stdout" if fd == 1 else "stderr")

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)
