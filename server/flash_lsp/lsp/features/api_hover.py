"""Hover in runpod-flash 1.x files: each argument of `Endpoint` and the config classes with its
type and default from the installed version, enum members with their value, and the example
request of an endpoint (appended to the endpoint hover). Markdown only, no command links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ...core.flash1_api.argument_docs import ENDPOINT
from ...core.flash1_api.request_shapes import example_request
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
    """The example request of the endpoint under the cursor, or ""."""
    fa = file_api(view)
    found = endpoint_at(fa, line, col) if fa else None
    return example_request(found[0]) if found else ""


def _hover(ls: FlashLanguageServer, view: DocumentView, text: str, span) -> types.Hover:
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
        range=to_range(span, view.lines, ls.workspace.position_codec),
    )
