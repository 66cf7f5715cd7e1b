"""The Flash language server: a thin pygls 2 adapter over the analysis core."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import FeatureRequestError, JsonRpcMethodNotFound
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..runner.procs import pid_alive
from . import logs
from .cache import SummaryCache
from .capabilities import ClientSupport
from .session import Session

if TYPE_CHECKING:
    from .features.build_commands import BuildService
    from .features.bundle_size import BundleSizes

log = logging.getLogger(__name__)


class FlashLanguageServer(LanguageServer):
    """Holds the session and the few client facts features need."""

    def __init__(self) -> None:
        super().__init__("flash-lsp", __version__, max_workers=2)
        self.cache = SummaryCache.default()
        self.session = Session(self, self.cache.entries if self.cache else None)
        self.client_support = ClientSupport()  # read once at initialize
        self.trusted = False  # until the client says so (initializationOptions.trusted, flash/workspaceTrust)
        self.command_links = False  # hovers carry `command:` links (initializationOptions.commandLinks)
        self.shows_build_output = False  # the client shows flash/buildOutput (initializationOptions.showsBuildOutput)
        self.client_interpreter: str | None = None
        self.flash_builds: BuildService | None = None  # set by features.build_commands
        self.bundle_sizes: BundleSizes | None = None  # set by features.bundle_size
        self.environment_poll: asyncio.Task | None = None  # lsp/environment_watch.poll, from `initialized`
        # run on shutdown, on parent death and on SIGTERM: kill builds, resolvers …
        self.shutdown_hooks: list[Callable[[], None]] = []
        self._last_error = 0.0

    def run_shutdown_hooks(self) -> None:
        for hook in self.shutdown_hooks:
            try:
                hook()
            except Exception:  # noqa: BLE001 - one failing hook must not keep the others from running
                log.exception("shutdown hook failed")

    def publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def refresh_diagnostics(self) -> None:
        if self.client_support.diagnostic_refresh:
            self.workspace_diagnostic_refresh(None)

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def show(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def report_server_error(self, error: Exception, source) -> None:
        """Log every error; show at most one popup a minute, and none for failed requests
        (the client gets those as error responses) or methods we do not implement."""
        log.error("server error (%s): %s", getattr(source, "__name__", source), error, exc_info=error)
        if source is FeatureRequestError or isinstance(error, JsonRpcMethodNotFound):
            return
        now = time.monotonic()
        if now - self._last_error > 60:
            self._last_error = now
            self.show(f"Flash LSP hit an internal error: {error}. See the output log.", types.MessageType.Error)


def create_server() -> FlashLanguageServer:
    from .features import (
        build_commands,
        bundle_size,
        code_actions,
        codelens,
        completion,
        diagnostics,
        hover,
        lifecycle,
        migrate,
        navigation,
        previews,
        rename,
        signature_help,
    )

    server = FlashLanguageServer()
    features = (lifecycle, diagnostics, hover, codelens, previews, navigation, completion, code_actions, build_commands)
    for feature in (*features, bundle_size, migrate):
        feature.register(server)
    for feature in (signature_help, rename):  # runpod-flash 1.x projects
        feature.register(server)
    return server


def watch_parent(server: FlashLanguageServer, interval: float = 3.0) -> None:
    """Exit when the editor that started us is gone (pygls does not watch `processId`)."""

    def loop() -> None:
        while True:
            time.sleep(interval)
            pid = server.process_id
            if pid and not pid_alive(pid):
                log.warning("parent process %s is gone; exiting", pid)
                server.run_shutdown_hooks()
                os._exit(0)

    threading.Thread(target=loop, name="flash-parent-watch", daemon=True).start()


def run(tcp: str | None = None, log_file: str | None = None) -> int:
    server = create_server()
    logs.configure(server, os.environ.get("FLASH_LSP_LOG_LEVEL", "INFO"), log_file)
    watch_parent(server)
    signal.signal(signal.SIGTERM, lambda *_: (server.run_shutdown_hooks(), os._exit(0)))
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0
