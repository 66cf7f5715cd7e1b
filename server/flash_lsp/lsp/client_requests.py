"""Server→client requests awaited with a time limit but never cancelled (docs/architecture.md:
pygls 2.1 cannot take a late answer to a cancelled request)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def ask_client(request: Awaitable[T], timeout: float, what: str) -> T:
    """The client's answer within `timeout` seconds; else TimeoutError, the request left pending
    (its late answer is dropped). Cancelling the caller does not cancel the request either."""
    future = asyncio.ensure_future(request)
    done, _ = await asyncio.wait({future}, timeout=timeout)
    if future not in done:
        future.add_done_callback(_swallow)
        raise TimeoutError(f"no answer to {what} in {timeout:g} s")
    return future.result()


def _swallow(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()
