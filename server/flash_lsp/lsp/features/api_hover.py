"""Hover in runpod-flash 1.x files: each argument of `Endpoint` and the config classes with its
type and default from the installed version, enum members with their value, and the example
request of an endpoint (appended to the endpoint hover). Markdown only, no command links."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from lsprotocol import types

from ...core.flash1_api.argument_docs import ENDPOINT
from ...core.flash1_api.local_modules import SHIPPED, closure
from ...core.flash1_api.request_shapes import example_request
from ...core.rules.flash1_editor import module_usage
from ..convert import to_range
from .api_lookup import endpoint_at, file_api, keyword_at, member_at

if TYPE_CHECKING:
    from ..server import FlashLanguageServer
    from ..session import DocumentView


def api_hover(ls: FlashLanguageServer, view: DocumentView, line: int, col: int) -> types.Hover | None:
    fa = file_api(view)
    if fa is None:
        return None
    found = keyword_at(fa, line, col)
    if found is not None:
        callee, kw, span = found
        parameter = fa.api.parameter(callee, kw.arg)
        if parameter is None:
            return None
        text = f"```python\n{callee}({parameter.label})\n```\n\n"
        if callee == "Endpoint" and kw.arg in ENDPOINT:
            text += ENDPOINT[kw.arg] + "\n\n"
        text += f"_runpod-flash {fa.api.version}, read from {fa.api.source}_"
        return _hover(ls, view, text, span)
    found = member_at(fa, line, col)
    if found is not None:
        enum, node, span = found
        member = fa.api.enums[enum].get(node.attr)
        if member is None:
            return None
        text = f"```python\n{enum}.{node.attr} = {member['value']!r}\n```"
        if member["doc"]:
            text += f"\n\n{member['doc']}"
        return _hover(ls, view, text + f"\n\n_runpod-flash {fa.api.version}_", span)
    return None


def request_section(view: DocumentView, line: int, col: int) -> str:
    """The example request and the local modules of the endpoint under the cursor, or ""."""
    fa = file_api(view)
    found = endpoint_at(fa, line, col) if fa else None
    return f"{example_request(found[0])}\n\n{_local_modules(view)}".strip() if found else ""


def _local_modules(view: DocumentView) -> str:
    project = view.state.project

    def tree_of(rel: str):
        usage = module_usage(project, rel)
        if usage is not None:
            return usage[0]
        try:
            return ast.parse(project.text(rel) or "")
        except (SyntaxError, ValueError):
            return None

    modules, dynamic = closure(view.rel, set(view.model.files.files), tree_of, project.exists)
    lines = [f"- `{m.module}` ({m.relpath}): {'✓' if m.status == SHIPPED else '✗'} {m.status}" for m in modules]
    lines += [
        f"- line {n}: a dynamic import with a computed name cannot be followed: make sure the module is shipped"
        for n in dynamic
    ]
    return "Local modules this endpoint's file brings in:\n" + "\n".join(lines) if lines else ""


def _hover(ls: FlashLanguageServer, view: DocumentView, text: str, span) -> types.Hover:
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
        range=to_range(span, view.lines, ls.workspace.position_codec),
    )
