"""Feedback while a project's files are compressed for the size estimate (a shipped `.venv`: up to a
minute), instead of "size unknown": how far it got, the top-level entry being read and a partial
figure that only grows (the compressed bytes so far, plus the dependencies when the last estimate
resolved the same requirement set). Shown three ways: ``sizing`` in `flash/bundleSizeChanged` and
in `flash/bundleSize`, and a work-done progress ("Flash: sizing the archive") for clients that show
`$/progress`. Docs: docs/size-model.md, "While the project is sized"."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from ...bundle.project import Sizing
from ..progress import WorkDoneProgress

if TYPE_CHECKING:
    from ..server import FlashLanguageServer
    from .bundle_size import SizeState

TITLE = "Flash: sizing the archive"


class SizingFeedback:
    """The sizing state of one project's running estimate (`SizeState.sizing`)."""

    def __init__(self, ls: FlashLanguageServer, deps_bytes: int):
        self.ls = ls
        self.deps_bytes = deps_bytes  # a lower bound of the dependencies' share (0 when not known)
        self.latest: Sizing | None = None
        self.progress: WorkDoneProgress | None = None
        self.ended = False

    def heard(self, sizing: Sizing) -> None:
        if self.ended:  # the reading thread of a cancelled estimate still reports
            return
        self.latest = sizing
        message = f"{sizing.part} {sizing.percentage} %"
        if self.progress is None:
            self.progress = WorkDoneProgress(self.ls, TITLE, message, token_prefix="flash-size")
            self.progress.open()
        self.progress.report(message, sizing.percentage)

    def end(self) -> None:
        self.ended = True
        if self.progress is not None:
            self.progress.end("sized")

    @property
    def partial_bytes(self) -> int:
        return (self.latest.compressed_bytes if self.latest else 0) + self.deps_bytes

    def notification(self) -> dict | None:
        """``sizing`` of `flash/bundleSizeChanged` (None until something was read)."""
        if self.latest is None:
            return None
        return {"part": self.latest.part, "percentage": self.latest.percentage, "partialBytes": self.partial_bytes}

    def answer(self) -> dict | None:
        """``sizing`` of the `flash/bundleSize` result."""
        if self.latest is None:
            return None
        return {
            "part": self.latest.part,
            "percentage": self.latest.percentage,
            "partial_bytes": self.partial_bytes,
            "done_bytes": self.latest.done_bytes,
            "total_bytes": self.latest.total_bytes,
        }


def listener(
    ls: FlashLanguageServer, s: SizeState, key: str, task: asyncio.Task | None, notify: Callable[[SizeState], None]
) -> Callable[[Sizing | None], None]:
    """The predictor's `on_progress` for the estimate `task` of `s` with requirement-set `key`: keeps
    `s.sizing` and calls `notify(s)`. The last answer's dependency bytes count towards the partial
    figure only when it resolved the same set."""
    est = s.estimate
    same = est is not None and est.key == key and est.archive_bytes is not None
    feedback = SizingFeedback(ls, est.dependencies_bytes if same else 0)

    def progress(sizing: Sizing | None) -> None:
        if sizing is None:
            feedback.end()
            if s.sizing is feedback:
                s.sizing = None
                notify(s)
        elif s.task is task and not feedback.ended:
            s.sizing = feedback
            feedback.heard(sizing)
            notify(s)

    return progress
