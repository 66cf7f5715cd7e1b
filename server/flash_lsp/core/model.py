"""Value types shared by the analysis core: source spans and diagnostics."""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, field
from typing import NamedTuple


class Span(NamedTuple):
    """A source range: 0-based lines, columns in code points (the LSP layer converts to UTF-16).
    A named tuple because summaries create thousands of them per keystroke."""

    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def of(cls, node: ast.AST, lines: list[str] | None = None) -> Span:
        """Span of an ast node; `lines` (the source lines) turns ast's UTF-8 byte columns into code points."""
        line, col = node.lineno - 1, node.col_offset
        end_line = (node.end_lineno or node.lineno) - 1
        end_col = node.end_col_offset if node.end_col_offset is not None else col
        if lines is not None:
            col = _codepoint_col(lines, line, col)
            end_col = _codepoint_col(lines, end_line, end_col)
        return cls(line, col, end_line, end_col)

    def contains(self, line: int, col: int) -> bool:
        return (self.line, self.col) <= (line, col) <= (self.end_line, self.end_col)


def _codepoint_col(lines: list[str], line: int, byte_col: int) -> int:
    if line >= len(lines):
        return byte_col
    text = lines[line]
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", errors="replace"))


class Severity(enum.IntEnum):
    """Diagnostic severities, numbered as in LSP."""

    ERROR = 1
    WARNING = 2
    INFO = 3
    HINT = 4


@dataclass(frozen=True)
class Related:
    """Another place a diagnostic talks about (the duplicate, the config …)."""

    path: str
    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    """One finding, attached to a project-relative file path (or "" for the project itself)."""

    code: str
    severity: Severity
    message: str
    path: str
    span: Span = Span(0, 0, 0, 0)
    related: tuple[Related, ...] = ()
    data: dict = field(default_factory=dict, compare=False, hash=False)

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.name.lower(),
            "message": self.message,
            "path": self.path,
            "range": _span_json(self.span),
            "related": [{"path": r.path, "range": _span_json(r.span), "message": r.message} for r in self.related],
            **({"data": self.data} if self.data else {}),
        }


def _span_json(span: Span) -> dict:
    return {
        "start": {"line": span.line, "character": span.col},
        "end": {"line": span.end_line, "character": span.end_col},
    }
