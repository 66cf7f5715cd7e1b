"""Core values ↔ LSP types. The core speaks code points; clients get their negotiated encoding.

`to_lsp` is the one place where LSP diagnostics are made, whatever produced the finding (analysis,
the real build, the size prediction): the catalogue entry of the code gives the source, and the
`flash.diagnostics.rules` overrides are applied here for every source (docs/architecture.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec

from ..core.model import Diagnostic, Span
from ..core.rules.catalogue import ANALYSIS, BUILD, CATALOGUE, SIZE, Overrides, apply_overrides

SOURCE = "flash-lsp"
SOURCES = {ANALYSIS: SOURCE, BUILD: "flash build", SIZE: "flash-lsp size"}
"""The diagnostics source shown in the editor, per catalogue origin."""

LinesOf = Callable[[str], Sequence[str]]
"""Project-relative path → the lines of that file as the client sees them."""


def uri_of(path: Path) -> str:
    return from_fs_path(str(path))


def path_of(uri: str) -> Path | None:
    """Filesystem path of a `file:` URI (None for untitled buffers, notebook cells …, and for
    URIs no file can have: a NUL byte, characters the filesystem encoding cannot hold)."""
    fs = to_fs_path(uri) if uri.startswith("file:") else None
    if not fs or "\x00" in fs:
        return None
    try:
        os.fsencode(fs)
    except UnicodeEncodeError:
        return None
    return Path(fs)


def to_range(span: Span, lines: Sequence[str], codec: PositionCodec) -> types.Range:
    raw = types.Range(types.Position(span.line, span.col), types.Position(span.end_line, span.end_col))
    if not lines or all(lines[i].isascii() for i in {span.line, span.end_line} if i < len(lines)):
        return raw
    return codec.range_to_client_units(lines, raw)


def from_position(position: types.Position, lines: Sequence[str], codec: PositionCodec) -> tuple[int, int]:
    """Client position → (line, code point column)."""
    if position.line < len(lines) and not lines[position.line].isascii():
        server = codec.position_from_client_units(lines, position)
        return server.line, server.character
    return position.line, position.character


def source_of(code: str) -> str:
    rule = CATALOGUE.get(code)
    return SOURCES[rule.origin] if rule is not None else SOURCE


def to_diagnostic(d: Diagnostic, root: Path, lines_of: LinesOf, codec: PositionCodec) -> types.Diagnostic:
    return types.Diagnostic(
        range=to_range(d.span, lines_of(d.path), codec),
        message=d.message,
        severity=types.DiagnosticSeverity(int(d.severity)),
        code=d.code,
        source=source_of(d.code),
        related_information=[
            types.DiagnosticRelatedInformation(
                location=types.Location(uri_of(root / r.path), to_range(r.span, lines_of(r.path), codec)),
                message=r.message,
            )
            for r in d.related
        ]
        or None,
        data=d.data or None,
    )


def to_lsp(
    diagnostics: Iterable[Diagnostic], root: Path, lines_of: LinesOf, codec: PositionCodec, overrides: Overrides | None
) -> dict[str, list[types.Diagnostic]]:
    """URI → LSP diagnostics, with the rule overrides applied (disabled codes are dropped)."""
    out: dict[str, list[types.Diagnostic]] = {}
    for d in apply_overrides(diagnostics, overrides):
        out.setdefault(uri_of(root / d.path), []).append(to_diagnostic(d, root, lines_of, codec))
    return out
