"""Sizes as `flash build` prints them ("MB" meaning MiB, one decimal), with KB and B for small ones."""

from __future__ import annotations

from .model import MIB


def human_bytes(n: int | float | None) -> str:
    if n is None:
        return "?"
    if n >= 0.1 * MIB:
        return f"{n / MIB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{int(n)} B"
