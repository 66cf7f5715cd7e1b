"""What a migration tells the user: one `Note` per setting it cannot carry, per resource it changes.

A note is a core `Diagnostic` (codes FL950–FL957) plus machine-readable `data`: `resource` (the old
resource name) and `setting` (the manifest field that differs afterwards, when there is one). The
migration proof (`docs/migration.md`, "Proof") accepts a difference between the old and the new build
only when a note names exactly that resource and setting.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import CodeRange

from ..core.model import Diagnostic, Span
from ..core.rules.catalogue import CATALOGUE


def span_of(code_range: CodeRange | None) -> Span:
    """libcst positions (1-based lines) as a core Span (0-based lines)."""
    if code_range is None:
        return Span(0, 0, 0, 0)
    return Span(code_range.start.line - 1, code_range.start.column, code_range.end.line - 1, code_range.end.column)


def note(
    code: str,
    path: str,
    where: CodeRange | Span | None,
    message: str,
    *,
    resource: str | None = None,
    setting: str | None = None,
    **data,
) -> Diagnostic:
    """A migration diagnostic at `where` in `path` (project-relative)."""
    span = where if isinstance(where, Span) else span_of(where)
    extra = {k: v for k, v in (("resource", resource), ("setting", setting)) if v is not None}
    return CATALOGUE[code].at(path, span, message, **extra, **data)


def code_of(node: cst.CSTNode) -> str:
    """Source text of a node, for messages."""
    return cst.Module(body=[]).code_for_node(node)
