"""Helpers of the runpod-flash 1.x editor tests: fixture projects, ranges and edits."""

from __future__ import annotations

import shutil
from pathlib import Path

from lsprotocol import types

FIXTURES = Path(__file__).parent.parent / "fixtures" / "editor1"


def copy_fixture(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def text_at(text: str, rng: types.Range) -> str:
    lines = text.splitlines()
    assert rng.start.line == rng.end.line, rng
    return lines[rng.start.line][rng.start.character : rng.end.character]


def position_of(text: str, needle: str, offset: int = 0) -> types.Position:
    index = text.index(needle) + offset
    before = text[:index]
    return types.Position(before.count("\n"), index - (before.rfind("\n") + 1))


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply non-overlapping text edits (ASCII text)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(p: types.Position) -> int:
        return starts[min(p.line, len(lines))] + p.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text
