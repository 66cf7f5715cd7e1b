"""Where the server's log goes (see docs/editors.md, "The server log").

Editors show everything a server writes to stderr as errors (VS Code tags each line `[error]`), so
the log goes to the client as `window/logMessage` with its real level. pygls logs every message it
sends at INFO; its loggers stay at WARNING, since editors trace the protocol themselves when asked
(`flash.trace.server` in VS Code). stderr only gets warnings and errors that cannot reach a client.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from .server import FlashLanguageServer

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LIBRARY_LOGGERS = ("pygls",)


# pygls warnings about ordinary protocol events (a cancel arriving after the answer, a message
# after `shutdown`): nothing a user can act on
ROUTINE_LIBRARY_WARNINGS = ("Cancel notification for unknown message id", "Server shutting down. No more requests")


def _not_routine(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith(ROUTINE_LIBRARY_WARNINGS)


def message_type(level: int) -> types.MessageType:
    if level >= logging.ERROR:
        return types.MessageType.Error
    if level >= logging.WARNING:
        return types.MessageType.Warning
    if level >= logging.INFO:
        return types.MessageType.Info
    return types.MessageType.Log


class ClientFormatter(logging.Formatter):
    """Our own lines as they are (the editor adds time and level); a library's with its name."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text if record.name.startswith("flash_lsp") else f"{record.name}: {text}"


class ClientLogHandler(logging.Handler):
    """Sends records to the client as `window/logMessage` (from any thread, via the event loop)."""

    def __init__(self, server: FlashLanguageServer) -> None:
        super().__init__()
        self.server = server
        self.loop: asyncio.AbstractEventLoop | None = None
        self.fallback = logging.StreamHandler(sys.stderr)
        self.fallback.setLevel(logging.WARNING)
        self.fallback.setFormatter(logging.Formatter(FORMAT))
        self._sending = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._sending, "active", False):  # a log line written while sending one
            return
        try:
            text = self.format(record)
            params = types.LogMessageParams(type=message_type(record.levelno), message=text)
            if threading.current_thread() is threading.main_thread():  # the server's event loop runs here
                try:
                    self.loop = asyncio.get_running_loop()
                except RuntimeError:
                    pass
                self._send(params, record)
            elif self.loop is None or self.loop.is_closed() or not self._connected():
                self._fallback(record)
            else:  # a worker thread: hand the line to the event loop
                self.loop.call_soon_threadsafe(self._send, params, record)
        except Exception:  # noqa: BLE001 - logging must never break the server
            self.handleError(record)

    def _fallback(self, record: logging.LogRecord) -> None:
        if record.levelno >= self.fallback.level:
            self.fallback.handle(record)

    def _connected(self) -> bool:
        return getattr(self.server.protocol, "writer", None) is not None

    def _send(self, params: types.LogMessageParams, record: logging.LogRecord) -> None:
        if not self._connected():
            self._fallback(record)
            return
        self._sending.active = True
        try:
            self.server.window_log_message(params)
        finally:
            self._sending.active = False


def configure(server: FlashLanguageServer, level: str, log_file: str | None = None) -> None:
    """Log to the client (or to `log_file` when given), at `level` for our own loggers."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if log_file:
        handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter(FORMAT))
    else:
        handler = ClientLogHandler(server)
        handler.setFormatter(ClientFormatter("%(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("flash_lsp").setLevel(level.upper())
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    handler.addFilter(_not_routine)
