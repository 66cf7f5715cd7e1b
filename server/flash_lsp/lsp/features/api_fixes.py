"""Quick fixes of the runpod-flash 1.x editor diagnostics: "did you mean" replacements carried by
the diagnostic, and moving a module-level import into the decorated bodies that use it (for
names a body reads from outside, and for imports that fail in the build's interpreter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ...core import fixes

if TYPE_CHECKING:
    from ..session import DocumentView

KIND = types.CodeActionKind.QuickFix
IMPORT_FAILURES = ("ModuleNotFoundError", "ImportError")


def actions(view: DocumentView, uri: str, d: types.Diagnostic) -> list[types.CodeAction]:
    data = d.data if isinstance(d.data, dict) else {}
    out = []
    for i, text in enumerate(data.get("replacements") or []):
        edit = types.WorkspaceEdit(changes={uri: [types.TextEdit(range=d.range, new_text=text)]})
        out.append(
            types.CodeAction(
                title=f"Did you mean '{text}'?", kind=KIND, diagnostics=[d], is_preferred=i == 0, edit=edit
            )
        )
    lines: list[int] = []
    if str(d.code) == "FL446":
        lines = list(data.get("import_lines") or [])
    elif str(d.code) == "FL420" and data.get("exception") in IMPORT_FAILURES:
        lines = [d.range.start.line]
    for line in lines:
        new = fixes.move_import_into_functions(view.source, line)
        if new is None:
            continue
        statement = view.lines[line].strip() if line < len(view.lines) else "the import"
        whole = types.Range(types.Position(0, 0), types.Position(len(view.source.splitlines()), 0))
        edit = types.WorkspaceEdit(changes={uri: [types.TextEdit(range=whole, new_text=new)]})
        out.append(
            types.CodeAction(
                title=f"Move `{statement}` into the function body",
                kind=KIND,
                diagnostics=[d],
                is_preferred=not out,
                edit=edit,
            )
        )
    return out
