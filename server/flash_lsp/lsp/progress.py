"""Server-initiated work-done progress (`window/workDoneProgress/create`, begin, report, end), for
builds and workspace indexing alike.

The create request runs in its own task, so no server→client request is awaited in a task that
`$/cancelRequest` may cancel, and is never cancelled itself (`client_requests.ask_client`). Reports
made before the client answered are folded into `begin`; an end before that skips the progress
altogether. A client without progress support, or one that does not answer, gets the work done
without progress.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from lsprotocol import types

from .client_requests import ask_client

if TYPE_CHECKING:
    from .server import FlashLanguageServer

log = logging.getLogger(__name__)

CREATE_TIMEOUT = 5.0


class WorkDoneProgress:
    """One progress; with `on_cancel` it is cancellable and cancelling it in the client calls it."""

    def __init__(
        self,
        ls: FlashLanguageServer,
        title: str,
        message: str = "",
        on_cancel: Callable[[], None] | None = None,
        token_prefix: str = "flash",
    ) -> None:
        self.ls = ls
        self.title = title
        self.on_cancel = on_cancel
        self.cancellable = on_cancel is not None
        self.token = f"{token_prefix}-{uuid.uuid4()}"
        self.supported = ls.client_support.work_done_progress
        self.state = "new"  # new → creating → active → ended | off
        self.latest: tuple[str, int] = (message, 0)
        self.ended = False
        self.task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def open(self) -> None:
        """Start creating the progress (returns at once)."""
        if not self.supported:
            self.state = "off"
            return
        self._loop = asyncio.get_running_loop()
        self.state = "creating"
        self.task = self._loop.create_task(self._create(), name=f"{self.token}-create")

    async def started(self) -> None:
        """Wait until the progress has begun (or turned out unavailable)."""
        if self.task is not None:
            await asyncio.shield(self.task)

    async def _create(self) -> None:
        progress = self.ls.work_done_progress
        try:
            await ask_client(progress.create_async(self.token), CREATE_TIMEOUT, "window/workDoneProgress/create")
        except Exception as exc:  # noqa: BLE001 - the work goes on without progress
            log.warning("no work-done progress for %r: %s", self.title, exc)
            self.state = "off"
            return
        if self.ended:
            progress.tokens.pop(self.token, None)
            self.state = "ended"
            return
        message, percentage = self.latest
        progress.begin(
            self.token,
            types.WorkDoneProgressBegin(
                title=self.title, cancellable=self.cancellable, message=message or None, percentage=percentage
            ),
        )
        self.state = "active"
        future = progress.tokens.get(self.token)
        if future is not None and self.cancellable:
            future.add_done_callback(self._token_done)

    def _token_done(self, future) -> None:
        if future.cancelled() and self.state == "active" and self._loop is not None and self.on_cancel is not None:
            self._loop.call_soon_threadsafe(self.on_cancel)

    def report(self, message: str, percentage: int | None = None) -> None:
        self.latest = (message, self.latest[1] if percentage is None else percentage)
        if self.state == "active":
            self.ls.work_done_progress.report(
                self.token,
                types.WorkDoneProgressReport(message=message, percentage=self.latest[1], cancellable=self.cancellable),
            )

    def end(self, message: str) -> None:
        if self.ended:
            return
        self.ended = True
        if self.state == "active":
            self.state = "ended"
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)
